"""The sector departments' view in Chromium, as Sở Y tế: a health station and two hospitals across
the city, at 360 and 1366 px, screenshots in ``tests/artifacts/``, axe-core without a serious
violation, no sideways scroll on a phone, and only the health sector on the page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey.administration import access
from survey.extensions import db
from survey.models import Sector
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.helpers import answer, target

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
MAY = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def health_department(live_server: LiveServer) -> str:
    """Sở Y tế's places in the city (the live server's province, shared with other modules)."""
    with live_server.app.app_context():
        try:
            session = db.session
            root = access.tree(session).province() or factories.make_unit(
                session, code="SX-CITY", name="Thành phố Ngành", level="city")
            department = factories.make_unit(session, code="SX-SYT", name="Sở Y tế (ảnh chụp)",
                                             level="department", parent=root)
            ward = factories.make_unit(session, code="SX-W1", name="Phường Trạm Y tế", parent=root)
            school_ward = factories.make_unit(session, code="SX-W2", name="Phường Có Trường",
                                              parent=root)
            if session.scalar(select(Sector).filter_by(code="health")) is None:
                session.add(Sector(code="health", name="Y tế"))
            target(session, code="SX-HE", object="public_health_education", threshold=0.9)
            places = [(department, "Bệnh viện Đa khoa Ảnh Chụp", 60, 4),
                      (department, "Bệnh viện Nhi Ảnh Chụp", 35, 1),
                      (ward, "Trạm Y tế Phường Trạm Y tế", 30, 6)]
            for unit, name, good, bad in places:
                point = factories.make_service_point(session, unit, name=name, kind="hospital")
                for value, count in ((5, good), (2, bad)):
                    for _i in range(count):
                        answer(session, unit, {"overall": value}, instrument="health-short",
                               service_point=point, when=MAY)
            school = factories.make_service_point(session, school_ward, name="Trường Ảnh Chụp",
                                                  kind="school")
            for _i in range(31):
                answer(session, school_ward, {"overall": 5}, instrument="education-short",
                       service_point=school, when=MAY)
            user = factories.make_user(session, role="sector_viewer", sector="health")
            session.commit()
            return user.email
        finally:
            db.session.remove()


def test_the_health_departments_view_is_photographed_at_360_and_1366_and_passes_axe(
        live_server: LiveServer, page: Page, health_department: str) -> None:
    page.goto(f"{live_server.url}/login?lang=vi")
    page.get_by_label("Thư điện tử").fill(health_department)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/unit/sector")
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 768})
        page.goto(f"{live_server.url}/unit/sector?period=2026-Q2&lang=vi")
        expect(page.get_by_role("heading", level=1)).to_contain_text("ngành y tế toàn thành phố")
        expect(page.get_by_role("rowheader", name="Trạm Y tế Phường Trạm Y tế")).to_have_count(1)
        expect(page.get_by_text("Trường Ảnh Chụp")).to_have_count(0)
        expect(page.get_by_text("Phường Có Trường")).to_have_count(0)
        assert page.locator("svg.chart").count() == 1, "the funnel plot is drawn"
        page.screenshot(path=str(ARTIFACTS / f"sector-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"scrolls at {width}"
        assert serious_violations(page) == [], f"sector view at {width} px"
