"""Done-when of the administration issue: a new unit with its desk, kiosk, poster, target and API token,
set up through the admin pages alone, then used by a tablet, a phone and one-stop software."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from survey.extensions import db
from survey.models import Response, ServicePoint, Target, Unit
from tests.helpers import SVG, decode_svg, login_as


def test_an_admin_sets_up_a_new_unit_from_the_pages_alone(app, client):
    login_as(app, client, "admin")
    assert (
        client.post(
            "/admin/units",
            data={
                "code": "NEW-WARD",
                "name": "Phường Mới Lập",
                "level": "commune",
                "parent": "",
                "jurisdiction": "can_tho",
                "valid_from": "2026-01-01",
            },
        ).status_code
        == 303
    )
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).filter_by(code="NEW-WARD"))
    assert (
        client.post(
            "/admin/points",
            data={"unit": unit_id, "code": "NEW-WARD-1C", "name": "Một cửa Phường Mới", "kind": "one_stop"},
        ).status_code
        == 303
    )
    with app.app_context():
        point_id = db.session.scalar(select(ServicePoint.id).filter_by(code="NEW-WARD-1C"))
    code_page = client.post(
        "/admin/kiosks", data={"service_point": point_id, "label": "Quầy 1", "instrument": "sipas-short"}
    ).get_data(as_text=True)
    code = re.search(r'id="enrolment-code">([A-Z0-9]+)<', code_page).group(1)
    poster = client.get(
        client.post(
            "/admin/qr",
            data={"unit": unit_id, "service_point": point_id, "procedure": "", "instrument": "sipas-full"},
        ).headers["Location"]
    )
    assert (
        client.post(
            "/admin/targets/new",
            data={
                "code": "NEW-WARD-2026",
                "jurisdiction": "can_tho",
                "source_document": "Kế hoạch phường",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "object": "agency_service",
                "sector_group": "",
                "operator": ">=",
                "threshold": "0.9",
            },
        ).status_code
        == 303
    )
    token_page = client.post("/admin/tokens", data={"unit": unit_id, "label": "Một cửa điện tử"})
    secret = re.search(r'id="api-secret">([^<]+)<', token_page.get_data(as_text=True)).group(1)

    tablet = app.test_client()
    assert tablet.post("/kiosk/enrol", data={"code": code}).status_code == 302
    assert (
        tablet.post("/kiosk", data={"idempotency_key": uuid.uuid4().hex, "q_overall": "5"}).status_code == 303
    )
    phone = app.test_client()
    survey = decode_svg(SVG.search(poster.get_data(as_text=True)).group(0)).split("localhost", 1)[1]
    assert phone.post(survey, data={"idempotency_key": uuid.uuid4().hex, "q_overall": "4"}).status_code == 303
    link = client.post(
        "/api/v1/dossier-links",
        headers={"Authorization": f"Bearer {secret}"},
        json={"dossier_code": "HS-1", "procedure_code": "x", "service_point_code": "NEW-WARD-1C"},
    )
    assert link.status_code == 422  # no procedure "x": the catalogue is the admin's to import
    with app.app_context():
        channels = sorted(db.session.scalars(select(Response.channel).filter_by(unit_id=unit_id)))
        assert channels == ["kiosk", "qr"]
        assert db.session.scalar(select(Target.needs_confirmation).filter_by(code="NEW-WARD-2026")) is False
