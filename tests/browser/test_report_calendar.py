"""The reporting calendar, a draft to review, a published report and the print views, on a
360 px phone and a 1366 px screen: screenshots in ``tests/artifacts/``, axe-core without a
serious violation, and no page wider than the phone (the print view was 456–473 px wide)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import current_app
from playwright.sync_api import Page

from survey.extensions import db
from survey.reporting import publication
from survey.reporting.groups import Settings
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_admin_browser import _log_in
from tests.browser.test_report_screens import ARTIFACTS
from tests.helpers import many, target

pytestmark = pytest.mark.browser
JULY = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def issued(live_server: LiveServer) -> dict[str, object]:
    """Q2 2026 published, late answers for it, and the Q3 draft that shows them."""
    with live_server.app.app_context():
        try:
            session = db.session
            root = factories.make_unit(session, code="RC-CITY", name="Thành phố Lịch Báo Cáo", level="city")
            wards = [factories.make_unit(session, code=f"RC-W{i}", name=f"Phường Nguyễn Văn Cừ Số {i}",
                                         parent=root) for i in (1, 2)]
            target(session, code="RC-ADM", threshold=0.85)
            many(session, wards[0], 60, 6)
            many(session, wards[1], 31, 4)
            admin = factories.make_user(session, role="admin")
            settings = Settings.from_config(current_app.config)
            publication.draft_due(session, now=JULY)
            duty = next(d for d in publication.calendar.duties(session) if d.code == "quy")
            q2 = publication.find(session, duty, "2026-Q2")
            publication.publish(session, admin, q2, number="21/BC-SNV", settings=settings,
                                now=datetime.now(UTC))
            many(session, wards[1], 2, 3)  # late: recorded after the cut-off
            publication.draft_due(session, now=OCTOBER)
            q3 = publication.find(session, duty, "2026-Q3")
            session.commit()
            return {"admin": admin.email, "q2": q2.id, "q3": q3.id}
        finally:
            db.session.remove()


def _shoot(page: Page, name: str, url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 768})
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert serious_violations(page) == [], f"{name} at {width} px"
        if width == 360:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{name} is {wide} px wide on a 360 px phone"


def test_the_calendar_and_report_pages_fit_a_phone_and_pass_axe(live_server: LiveServer, page: Page,
                                                                 issued: dict[str, object]) -> None:
    _log_in(page, live_server, str(issued["admin"]))
    base = live_server.url
    _shoot(page, "report-calendar", f"{base}/admin/reports/calendar?nam=2026&lang=vi")
    _shoot(page, "report-draft", f"{base}/admin/reports/{issued['q3']}?lang=vi")
    _shoot(page, "report-published", f"{base}/admin/reports/{issued['q2']}?lang=vi")
    _shoot(page, "report-issued-print", f"{base}/admin/reports/{issued['q2']}/print?lang=vi")
    _shoot(page, "print-city", f"{base}/unit/report/print?unit=RC-CITY&period=2026&lang=vi")
    _shoot(page, "print-ward", f"{base}/unit/report/print?unit=RC-W1&period=2026-Q2&lang=vi")
    page.goto(f"{base}/admin/reports/{issued['q3']}?lang=vi")
    assert page.get_by_text("Số liệu bổ sung sau ngày chốt của kỳ 2026-Q2").count() == 1


def test_publishing_asks_for_confirmation_first(live_server: LiveServer, page: Page,
                                                issued: dict[str, object]) -> None:
    _log_in(page, live_server, str(issued["admin"]))
    page.set_viewport_size({"width": 360, "height": 768})
    page.goto(f"{live_server.url}/admin/reports/{issued['q3']}?lang=vi")
    page.get_by_label("Số văn bản").fill("22/BC-SNV")
    page.get_by_role("button", name="Ban hành báo cáo").click()
    assert page.get_by_text("DỰ THẢO, chưa ban hành.").count() == 1, "not published without the tick"
    page.get_by_label("Tôi đã đọc kỹ dự thảo", exact=False).check()
    page.get_by_role("button", name="Ban hành báo cáo").click()
    assert page.get_by_text("Đã ban hành, số 22/BC-SNV", exact=False).count() >= 1
    assert page.get_by_text("Tệp PDF đang chờ tạo", exact=False).count() == 1
