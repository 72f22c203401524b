"""Kiosks from the admin pages: a one-time code shown once, enrolment, last contact, revocation."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEntry, Kiosk
from tests.factories import make_service_point
from tests.helpers import login_as

CODE = re.compile(r'id="enrolment-code">([A-Z0-9]+)<')


def _desk(app: Flask) -> tuple[int, int]:
    with app.app_context():
        point = make_service_point(db.session)
        db.session.commit()
        return point.id, point.unit_id


def _create(client, point_id: int) -> tuple[int, str, str]:
    page = client.post(
        "/admin/kiosks", data={"service_point": point_id, "label": "Quầy 1", "instrument": "sipas-short"}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = CODE.search(html).group(1)
    with client.application.app_context():
        kiosk_id = db.session.scalar(select(Kiosk.id).order_by(Kiosk.id.desc()).limit(1))
    return kiosk_id, code, html


def test_creating_a_kiosk_shows_its_code_once_with_the_enrolment_url(app, client):
    point_id, unit_id = _desk(app)
    login_as(app, client, "unit_manager", unit_id)
    kiosk_id, code, html = _create(client, point_id)
    assert f"/kiosk/enrol?code={code}" in html
    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert "Quầy 1" in listing
    assert code not in listing  # never shown again
    with app.app_context():
        kiosk = db.session.get(Kiosk, kiosk_id)
        assert code not in (kiosk.enrolment_code_hash or "")
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == str(kiosk_id)))


def test_a_tablet_enrols_with_the_code_then_a_revoked_tablet_shows_the_unenrolled_screen(app, client):
    point_id, unit_id = _desk(app)
    login_as(app, client, "unit_manager", unit_id)
    kiosk_id, code, _html = _create(client, point_id)
    tablet = app.test_client()
    assert tablet.post("/kiosk/enrol", data={"code": code}).status_code == 302
    assert 'id="attract"' in tablet.get("/kiosk").get_data(as_text=True)
    assert tablet.post("/kiosk/enrol", data={"code": code}).status_code == 200  # one use only
    assert "Đang hoạt động" in client.get("/admin/kiosks").get_data(as_text=True)
    assert client.post(f"/admin/kiosks/{kiosk_id}/revoke").status_code == 303
    assert "chưa được kích hoạt" in tablet.get("/kiosk").get_data(as_text=True)


def test_a_new_code_moves_the_kiosk_to_a_new_tablet(app, client):
    point_id, _unit_id = _desk(app)
    login_as(app, client, "admin")
    kiosk_id, first, _html = _create(client, point_id)
    second = CODE.search(client.post(f"/admin/kiosks/{kiosk_id}/code").get_data(as_text=True)).group(1)
    assert second != first
    tablet = app.test_client()
    assert tablet.post("/kiosk/enrol", data={"code": first}).status_code == 200  # the old code is gone
    assert tablet.post("/kiosk/enrol", data={"code": second}).status_code == 302
    with app.app_context():
        assert db.session.get(Kiosk, kiosk_id).last_seen_at is not None


def test_a_viewer_cannot_create_or_revoke_kiosks(app, client):
    point_id, unit_id = _desk(app)
    login_as(app, client, "unit_viewer", unit_id)
    assert client.post("/admin/kiosks", data={"service_point": point_id, "label": "x"}).status_code == 403
    assert "Thêm máy đánh giá" not in client.get("/admin/kiosks").get_data(as_text=True)
