"""Kiosks from the admin pages: a one-time code shown once, enrolment, last contact, revocation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
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


def _tablet(app: Flask, client) -> tuple[int, FlaskClient]:
    """A kiosk made by its unit's manager (logged in on ``client``) and the tablet enrolled on it."""
    point_id, unit_id = _desk(app)
    login_as(app, client, "unit_manager", unit_id)
    kiosk_id, code, _html = _create(client, point_id)
    tablet = app.test_client()
    assert tablet.post("/kiosk/enrol", data={"code": code}).status_code == 302
    return kiosk_id, tablet


def test_a_tablet_reports_its_waiting_answers_and_the_list_shows_them(app, client):
    _kiosk_id, tablet = _tablet(app, client)
    given = int(datetime(2026, 12, 1, 1, 30, tzinfo=UTC).timestamp() * 1000)  # 08:30 in Cần Thơ
    reply = tablet.get(f"/kiosk/token?waiting=3&oldest={given}")
    assert reply.status_code == 200
    assert reply.json["csrf_token"]
    assert reply.json["discard_before"] is None
    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert '<span class="status-waiting">3</span>' in listing
    assert "01/12/2026 08:30" in listing
    # Once sent, the tablet says so and the mark goes.
    assert tablet.get("/kiosk/token?waiting=0").status_code == 200
    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert "status-waiting" not in listing
    assert "Không có" in listing


@pytest.mark.parametrize("query", ["waiting=-1", "waiting=abc", "waiting=٣",
                                   "waiting=3&oldest=99999999999999", "waiting=3&oldest=-5",
                                   "waiting=" + "9" * 40, "oldest=12"])
def test_malformed_outbox_reports_are_ignored_or_clamped_never_a_500(app, client, query):
    kiosk_id, tablet = _tablet(app, client)
    assert tablet.get(f"/kiosk/token?{query}").status_code == 200
    with app.app_context():
        kiosk = db.session.get(Kiosk, kiosk_id)
        assert 0 <= kiosk.outbox_waiting <= 3
        assert kiosk.outbox_oldest_at is None or kiosk.outbox_oldest_at <= datetime.now(UTC)


def test_discarding_refused_answers_is_the_administrators_word_and_is_audited(app, client):
    kiosk_id, tablet = _tablet(app, client)
    tablet.get("/kiosk/token?waiting=2&oldest=1")
    assert "Bỏ câu trả lời không hợp lệ" in client.get("/admin/kiosks").get_data(as_text=True)
    assert client.post(f"/admin/kiosks/{kiosk_id}/discard").status_code == 303
    told = tablet.get("/kiosk/token?waiting=2").json["discard_before"]
    assert abs(told / 1000 - datetime.now(UTC).timestamp()) < 60
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(kiosk_id)))
        assert "kiosk.discard_refused" in list(actions)
