"""The administration on a 360 px phone: the lists and an account with a long e-mail address fit
the screen (wide tables scroll inside their own region, long words break), so the page itself
never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_admin_browser import _log_in

pytestmark = pytest.mark.browser
LONG_EMAIL = "bophanmotcua.phuongninhkieu.quanninhkieu@sonoivu.cantho.gov.vn"


def _accounts(live_server: LiveServer) -> tuple[str, int]:
    with live_server.app.app_context():
        try:
            admin = factories.make_user(db.session, role="admin")
            point = factories.make_service_point(db.session, name="Bộ phận tiếp nhận và trả kết quả "
                                                 "hồ sơ thủ tục hành chính liên thông")
            long_one = factories.make_user(db.session, role="unit_manager", unit=point.unit,
                                           email=LONG_EMAIL)
            db.session.commit()
            return admin.email, long_one.id
        finally:
            db.session.remove()


def test_the_administration_lists_fit_a_360px_phone(live_server: LiveServer, browser: Browser) -> None:
    email, long_id = _accounts(live_server)
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    try:
        page = context.new_page()
        _log_in(page, live_server, email)
        for path in ("/admin/units", "/admin/users", f"/admin/users/{long_id}", "/admin/points",
                     "/admin/province?period=2026-Q2"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
    finally:
        context.close()
