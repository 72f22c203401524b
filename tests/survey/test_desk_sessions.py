"""Desk sessions over HTTP: the API opens one (idempotent, own desks only, expiring), the desk's
kiosk picks it up, and its answer carries the procedure, the sector and the dossier; the idle
rule's partial answers; the service step; a kiosk comment filed as a phản ánh."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.administration import api_tokens as tokens
from survey.collection import kiosks
from survey.collection.signing import dossier_hash
from survey.extensions import db
from survey.models import Complaint, DeskSession, Response, ServicePoint
from survey.reporting.queries import Scope, item_sums, overall_counts
from tests.factories import make_procedure, make_response, make_service_point
from tests.helpers import kiosk_form, login_as

DOSSIER = "000.00.28.H10-251123-0001"


@pytest.fixture
def desk(app, client):
    """An enrolled kiosk (in ``client``) at a desk, a procedure, and the unit's API token."""
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session, "land")
        _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy 1")
        _token, secret = tokens.issue_token(db.session, point.unit, label="một cửa")
        db.session.commit()
        info = {"secret": secret, "point": point.code, "procedure": procedure.code,
                "procedure_id": procedure.id, "sector_id": procedure.sector_id,
                "procedure_name": procedure.name}
    assert client.post("/kiosk/enrol", data={"code": code}).status_code == 302
    return info


def open_session(client, desk, point=None, **body):
    payload = {"dossier_code": DOSSIER, "procedure_code": desk["procedure"]} | body
    return client.post(f"/api/v1/desks/{point or desk['point']}/sessions", json=payload,
                       headers={"Authorization": f"Bearer {desk['secret']}"})


def answer(client, **fields):
    data = kiosk_form(client) | {"q_overall": "4"} | fields
    return client.post("/kiosk", data=data, headers={"Accept": "application/json"})


def test_a_session_is_opened_once_and_the_kiosk_answer_carries_procedure_sector_and_dossier(
        app, client, desk):
    first = open_session(client, desk)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["procedure_name"] == desk["procedure_name"]
    again = open_session(client, desk)
    assert again.status_code == 200
    assert again.get_json()["created"] is False
    with app.app_context():
        assert len(db.session.scalars(select(DeskSession)).all()) == 1
    live = client.get("/kiosk/session").get_json()["session"]
    assert live["procedure"] == desk["procedure_name"]
    assert answer(client, desk_session=live["key"]).get_json() == {"status": "recorded"}
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert (stored.procedure_id, stored.sector_id) == (desk["procedure_id"], desk["sector_id"])
        assert stored.dossier_hash == dossier_hash(DOSSIER)
        assert stored.service_step is None
    assert client.get("/kiosk/session").get_json()["session"] is None  # answered: gone
    # The same dossier answered again (another tablet, a receipt QR) is thanked, not counted.
    assert answer(client, desk_session=live["key"]).get_json() == {"status": "dossier_used"}
    assert open_session(client, desk).get_json()["answered"] is True


def test_another_units_desk_is_refused_and_an_unknown_one_too(app, client, desk):
    with app.app_context():
        other = make_service_point(db.session).code
        db.session.commit()
    for code in (other, "NO-SUCH-DESK"):
        refused = open_session(client, desk, point=code)
        assert refused.status_code == 404
        assert refused.get_json()["error"] == "unknown_service_point"
    assert client.post(f"/api/v1/desks/{desk['point']}/sessions", json={}).status_code == 401
    with app.app_context():
        assert db.session.scalars(select(DeskSession)).all() == []


def test_bad_fields_and_a_changed_procedure_are_refused(app, client, desk):
    assert open_session(client, desk, procedure_code="0.000000").status_code == 422
    assert open_session(client, desk, extra="x").status_code == 422
    assert open_session(client, desk, dossier_code="").status_code == 422
    assert open_session(client, desk).status_code == 201
    with app.app_context():
        other = make_procedure(db.session, "construction").code
        db.session.commit()
    assert open_session(client, desk, procedure_code=other).status_code == 409


def test_a_session_expires_and_a_resend_after_expiry_opens_it_again(app, client, desk):
    assert open_session(client, desk).status_code == 201
    with app.app_context():
        row = db.session.scalars(select(DeskSession)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/kiosk/session").get_json()["session"] is None
    assert open_session(client, desk).status_code == 200
    assert client.get("/kiosk/session").get_json()["session"] is not None


def test_the_session_life_is_a_setting(app, client, desk):
    app.config["DESK_SESSION_MINUTES"] = 3
    expires = datetime.fromisoformat(open_session(client, desk).get_json()["expires_at"])
    assert timedelta(minutes=2) < expires - datetime.now(UTC) <= timedelta(minutes=3)


def test_a_key_of_another_desk_adds_nothing(app, client, desk):
    with app.app_context():
        point = make_service_point(db.session)
        row = DeskSession(key="k" * 32, service_point_id=point.id, procedure_id=desk["procedure_id"],
                          dossier_hash="0" * 64, expires_at=datetime.now(UTC) + timedelta(hours=1))
        db.session.add(row)
        db.session.commit()
    assert answer(client, desk_session="k" * 32).get_json() == {"status": "recorded"}
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert stored.procedure_id is None
        assert stored.dossier_hash is None


def test_a_partial_answer_is_kept_only_with_overall_and_is_marked(app, client, desk):
    assert answer(client, partial="1", q_staff__courteous="2").get_json() == {"status": "recorded"}
    refused = answer(client, partial="1", q_overall="", q_staff__courteous="3")
    assert refused.status_code == 400
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert stored.partial is True
        assert {a.item_key for a in stored.answers} == {"overall", "staff.courteous"}


def test_the_service_step_gives_the_sector_and_its_answer_is_told_apart(app, client, desk):
    page = client.get("/kiosk").get_data(as_text=True)
    assert "Khác / bỏ qua" in page
    assert 'name="service" value="land"' in page
    answer(client, service_offered="1", service="land")
    answer(client, service_offered="1", service="")
    answer(client)
    with app.app_context():
        rows = db.session.scalars(select(Response)).all()
        steps = sorted((r.service_step or "-", r.sector_id or 0) for r in rows)
    assert steps == sorted([("chosen", desk["sector_id"]), ("skipped", 0), ("-", 0)])


def test_a_kiosk_comment_becomes_a_complaint_with_a_consented_phone_only(app, client, desk):
    filed = answer(client, comment="Chờ quá lâu", complaint="1", complaint_phone="0912 345 678",
                   complaint_consent="1").get_json()
    assert filed["status"] == "recorded"
    assert filed["complaint_ref"]
    unconsented = answer(client, comment="Thiếu ghế", complaint="1", complaint_phone="0912345678")
    assert unconsented.get_json()["complaint_ref"]
    assert "complaint_ref" not in answer(client, comment="Tốt").get_json()
    with app.app_context():
        cases = {c.text: c for c in db.session.scalars(select(Complaint))}
        assert set(cases) == {"Chờ quá lâu", "Thiếu ghế"}
        assert cases["Chờ quá lâu"].channel == "kiosk"
        assert cases["Chờ quá lâu"].contact is not None
        assert cases["Thiếu ghế"].contact is None


def test_partial_and_desk_answers_count_in_the_indices_and_the_export_marks_partial(app, client, desk,
                                                                                    runner):
    open_session(client, desk)
    live = client.get("/kiosk/session").get_json()["session"]
    answer(client, desk_session=live["key"], q_staff__courteous="5")
    answer(client, partial="1", q_overall="2", q_staff__courteous="1")
    with app.app_context():
        unit_id = db.session.scalars(select(Response.unit_id)).first()
        everything = Scope(unit_ids=[unit_id])
        assert overall_counts(db.session, everything)[()].n == 2  # the partial answer counts
        items = item_sums(db.session, everything)[()]
        assert items.respondents == 2
        # The desk's dossier puts the kiosk answer in the TTHC and sector populations.
        tthc = Scope(unit_ids=[unit_id], with_procedure=True, sector_ids=[desk["sector_id"]])
        assert overall_counts(db.session, tthc)[()].n == 1
    result = runner.invoke(args=["responses", "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted((r["q.overall"], r["partial"]) for r in rows) == [("2", "1"), ("4", "0")]


def test_administrators_see_the_service_step_rate_on_the_kiosk_list(app, client, desk):
    answer(client, service_offered="1", service="land")
    answer(client, service_offered="1", service="")
    answer(client, service_offered="1", service="land")
    staff = app.test_client()
    login_as(app, staff, "admin")
    page = staff.get("/admin/kiosks").get_data(as_text=True)
    assert "Chọn dịch vụ (30 ngày)" in page
    assert "2/3 lần" in page
    with app.app_context():
        unit_id = db.session.scalars(select(Response.unit_id)).first()
    viewer = app.test_client()
    login_as(app, viewer, "unit_manager", unit_id)
    assert "Chọn dịch vụ (30 ngày)" not in viewer.get("/admin/kiosks").get_data(as_text=True)


def test_a_dossier_already_answered_on_the_phone_is_not_offered_to_the_kiosk(app, client, desk):
    with app.app_context():
        point = db.session.scalars(select(ServicePoint).filter_by(code=desk["point"])).one()
        make_response(db.session, unit=point.unit, ratings={"overall": 5}, channel="link",
                      dossier_hash=dossier_hash(DOSSIER))
        db.session.commit()
    opened = open_session(client, desk)
    assert opened.status_code == 201
    assert opened.get_json()["answered"] is True
    assert client.get("/kiosk/session").get_json()["session"] is None
