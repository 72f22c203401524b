"""Every write path checks the desk, not only the unit: no response names another unit's service point.

Unit A's staff (or A's kiosk, A's token, a code signed for A) try to record an answer at unit B's
desk through each channel; each is refused and nothing is stored.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from survey.models import Kiosk, Response, ServicePoint, Unit
from tests.factories import make_procedure
from tests.helpers import build_world, login_as

HEADER = "response_id,submitted_at,unit_code,service_point_code,channel,instrument,q.overall\n"


@pytest.fixture
def world(app):
    with app.app_context():
        built = build_world()
        names = {
            "a": db.session.get(Unit, built.a).code,
            "a_child": db.session.get(Unit, built.a_child).code,
            "point_a": db.session.get(ServicePoint, built.point_a).code,
            "point_b": db.session.get(ServicePoint, built.point_b).code,
            "procedure": make_procedure(db.session).code,
        }
        db.session.commit()
    return built, names


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_a_code_signed_for_a_unit_but_naming_another_units_desk_opens_nothing(app, client, world):
    _built, names = world
    with app.app_context():
        token = sign_payload(SurveyPayload("sipas-full", names["a_child"], names["point_b"]))
    before = stored(app)
    assert client.get(f"/s/{token}").status_code == 400
    response = client.post(f"/s/{token}", data={"idempotency_key": "k" * 20, "q_overall": "5"})
    assert response.status_code == 400
    assert stored(app) == before


def test_the_same_code_naming_its_own_desk_is_answered(app, client, world):
    _built, names = world
    with app.app_context():
        token = sign_payload(SurveyPayload("sipas-full", names["a_child"], names["point_a"]))
    response = client.post(f"/s/{token}", data={"idempotency_key": "k" * 20, "q_overall": "5"})
    assert response.status_code == 303


def test_a_kiosk_cannot_post_its_answer_to_another_desk(app, client, world):
    built, _names = world
    with app.app_context():
        from survey.collection import kiosks

        kiosk = db.session.get(Kiosk, built.kiosk_a)
        code = kiosks.issue_enrolment_code(db.session, None, kiosk)
        db.session.commit()
    client.post("/kiosk/enrol", data={"code": code})
    html = client.get("/kiosk").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    answer = {"idempotency_key": key, "q_overall": "5", "service_point": str(built.point_b),
              "service_point_id": str(built.point_b), "unit": str(built.b)}
    assert client.post("/kiosk", data=answer, headers={"Accept": "application/json"}).status_code == 200
    with app.app_context():
        response = db.session.scalar(select(Response).filter_by(idempotency_key=key))
        assert (response.service_point_id, response.unit_id) == (built.point_a, built.a_child)


def test_the_paper_form_refuses_another_units_desk(app, client, world):
    built, _names = world
    login_as(app, client, "unit_manager", built.a)
    before = stored(app)
    response = client.post("/admin/paper", data={
        "service_point": str(built.point_b), "instrument": "sipas-short", "day": "2026-07-02",
        "idempotency_key": "p" * 20, "q.overall": "5"})
    assert response.status_code == 404
    assert stored(app) == before


def test_the_paper_import_refuses_a_row_naming_another_units_desk(app, client, world):
    built, names = world
    login_as(app, client, "unit_manager", built.a)
    rows = (f"p-1,2026-07-02T09:00:00+07:00,{names['a_child']},{names['point_a']},paper,sipas-short@1,5\n"
            f"p-2,2026-07-02T09:05:00+07:00,{names['a_child']},{names['point_b']},paper,sipas-short@1,5\n")
    before = stored(app)
    upload = {"file": (io.BytesIO((HEADER + rows).encode()), "p.csv")}
    response = client.post("/admin/paper/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "dòng 3, cột service_point_code" in page
    assert "dòng 2" not in page  # the row at A's own desk was fine
    assert stored(app) == before  # all or nothing


def test_the_api_refuses_another_units_desk(app, client, world):
    from survey.administration import api_tokens

    _built, names = world
    with app.app_context():
        _token, secret = api_tokens.issue_token(db.session, db.session.scalar(
            select(Unit).filter_by(code=names["a"])), label="một cửa A")
        db.session.commit()
    response = client.post("/api/v1/dossier-links", headers={"Authorization": f"Bearer {secret}"}, json={
        "dossier_code": "HS-1", "procedure_code": names["procedure"], "service_point_code": names["point_b"]})
    assert response.status_code == 422
    assert response.get_json()["error"] == "unknown_service_point"
