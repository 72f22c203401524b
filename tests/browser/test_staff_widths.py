"""The administration on a 360 px phone: the lists and an account with a long e-mail address fit
the screen (wide tables scroll inside their own region, long words break), so the page itself
never scrolls sideways; and axe-core finds no serious violation on any staff page."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Browser, Page

from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_admin_browser import _log_in

pytestmark = pytest.mark.browser
_serial = itertools.count()
LONG_EMAIL = "bophanmotcua.phuongninhkieu.quanninhkieu{n}@sonoivu.cantho.gov.vn"


def _accounts(live_server: LiveServer) -> tuple[str, int]:
    with live_server.app.app_context():
        try:
            admin = factories.make_user(db.session, role="admin")
            point = factories.make_service_point(db.session, name="Bộ phận tiếp nhận và trả kết quả "
                                                 "hồ sơ thủ tục hành chính liên thông")
            long_one = factories.make_user(db.session, role="unit_manager", unit=point.unit,
                                           email=LONG_EMAIL.format(n=next(_serial)))
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


def test_every_administration_page_passes_axe_core(live_server: LiveServer, page: Page) -> None:
    """Every staff page that takes no argument, read by axe-core at 1366 px."""
    email, _long_id = _accounts(live_server)
    _log_in(page, live_server, email)
    pages = sorted(rule.rule for rule in live_server.app.url_map.iter_rules()
                   if rule.endpoint.startswith(("admin.", "unit.")) and "GET" in (rule.methods or ())
                   and not rule.arguments and not rule.rule.endswith((".csv", ".xlsx", ".json")))
    failures = []
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        failures += [f"{path}: {v}" for v in serious_violations(page)]
    assert len(pages) > 20
    assert failures == []
