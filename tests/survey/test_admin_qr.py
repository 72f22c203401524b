"""QR codes: posters render (A4, A5, a sheet of every desk), the printed QR decodes to a payload we
signed, and revoking the code retires every printed copy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.collection.signing import load_payload
from survey.extensions import db
from survey.models import AuditEntry, QrCode
from tests.factories import make_procedure, make_qr_code, make_service_point, make_unit
from tests.helpers import SVG, decode_svg, login_as


@pytest.fixture
def qr(app):
    with app.app_context():
        point = make_service_point(db.session, name="Bộ phận một cửa Phường Thử")
        qr = make_qr_code(db.session, point)
        db.session.commit()
        return qr.id, point.unit_id, point.code


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_a_poster_renders_with_a_call_to_action_and_a_qr_that_decodes_to_our_signed_payload(
    app, client, qr, size
):
    qr_id, unit_id, point_code = qr
    login_as(app, client, "unit_manager", unit_id)
    page = client.get(f"/admin/qr/{qr_id}/poster?size={size}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"size-{size}" in html
    assert "Quét mã bằng điện thoại" in html
    assert "print.css" in html
    assert 'style="' not in html  # the CSP allows no inline style
    url = decode_svg(SVG.search(html).group(0))
    with app.test_request_context():
        payload = load_payload(url.rsplit("/s/", 1)[1])
    assert payload.qr_id == qr_id
    assert payload.service_point == point_code
    assert client.get(url.split("localhost", 1)[1]).status_code == 200  # the phone survey opens


def test_revoking_a_qr_code_retires_its_posters_and_is_audited(app, client, qr):
    qr_id, unit_id, _code = qr
    login_as(app, client, "unit_manager", unit_id)
    url = decode_svg(SVG.search(client.get(f"/admin/qr/{qr_id}/poster").get_data(as_text=True)).group(0))
    assert client.post(f"/admin/qr/{qr_id}/revoke").status_code == 303
    assert client.get(url.split("localhost", 1)[1]).status_code == 410
    assert client.get(f"/admin/qr/{qr_id}/poster").status_code == 410
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(qr_id)))
        assert "qr_code.revoke" in list(actions)


def test_codes_per_unit_per_desk_and_per_procedure_at_a_desk_can_be_created(app, client):
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session)
        db.session.commit()
        unit_id, point_id, procedure_id = point.unit_id, point.id, procedure.id
    login_as(app, client, "unit_manager", unit_id)
    for extra in [{}, {"service_point": point_id}, {"service_point": point_id, "procedure": procedure_id}]:
        response = client.post(
            "/admin/qr",
            data={"unit": unit_id, "instrument": "sipas-full", "service_point": "", "procedure": "", **extra},
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        html = client.get(response.headers["Location"]).get_data(as_text=True)
        with app.test_request_context():
            payload = load_payload(decode_svg(SVG.search(html).group(0)).rsplit("/s/", 1)[1])
        assert (payload.service_point is not None) == ("service_point" in extra)
        assert (payload.procedure is not None) == ("procedure" in extra)
    # a procedure without a desk is refused
    response = client.post(
        "/admin/qr",
        data={"unit": unit_id, "instrument": "sipas-full", "service_point": "", "procedure": procedure_id},
    )
    assert response.status_code == 400


def test_the_bulk_sheet_has_one_poster_per_desk_of_the_unit(app, client):
    with app.app_context():
        unit = make_unit(db.session)
        points = [make_service_point(db.session, unit, name=f"Quầy số {i}") for i in range(1, 4)]
        db.session.commit()
        unit_id, point_ids = unit.id, {p.id for p in points}
    login_as(app, client, "unit_manager", unit_id)
    assert "3 quầy chưa có mã" in client.get(f"/admin/units/{unit_id}/posters").get_data(as_text=True)
    assert client.post(f"/admin/units/{unit_id}/posters").status_code == 303
    html = client.get(f"/admin/units/{unit_id}/posters").get_data(as_text=True)
    decoded = [decode_svg(svg) for svg in SVG.findall(html)]
    with app.test_request_context():
        desks = {load_payload(url.rsplit("/s/", 1)[1]).qr_id for url in decoded}
    with app.app_context():
        rows = db.session.scalars(select(QrCode).where(QrCode.id.in_(desks))).all()
        assert {row.service_point_id for row in rows} == point_ids
    assert client.post(f"/admin/units/{unit_id}/posters").status_code == 303  # nothing new the second time
    assert len(SVG.findall(client.get(f"/admin/units/{unit_id}/posters").get_data(as_text=True))) == 3


@pytest.mark.parametrize(("instrument", "title"), [
    ("health-short", "Ông/bà hài lòng với lần khám, chữa bệnh hôm nay?"),
    ("education-short", "Ông/bà hài lòng với nhà trường?"),
    ("sipas-full", "Ông/bà hài lòng với việc giải quyết thủ tục hôm nay?"),
])
def test_a_health_or_school_poster_speaks_of_the_visit_or_the_school(app, client, instrument, title):
    with app.app_context():
        qr = make_qr_code(db.session, make_service_point(db.session), instrument_key=instrument)
        db.session.commit()
        qr_id, unit_id = qr.id, qr.unit_id
    login_as(app, client, "unit_manager", unit_id)
    html = client.get(f"/admin/qr/{qr_id}/poster").get_data(as_text=True)
    assert title in html
    if instrument != "sipas-full":
        assert "thủ tục" not in html
