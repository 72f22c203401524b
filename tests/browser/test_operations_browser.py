"""An administrator in Chromium records an outside index through the form, then reads the index
record and the scheduled work pages on a phone (360 px) and a desk screen (1366 px), without the
page scrolling sideways, and axe-core finds no serious violation. Screenshots go to
``tests/artifacts/`` (not committed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from survey.extensions import db
from survey.operations import jobs
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_admin_browser import _log_in

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _prepare(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        try:
            user = factories.make_user(db.session, role="admin")
            now = datetime.now(UTC)
            for job, key in jobs.due(db.session, now):
                jobs.run(db.session, live_server.app.config, job, key, now)
            db.session.commit()
            return user.email
        finally:
            db.session.remove()


def _look(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (360, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls at {width}"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert serious_violations(page) == [], f"{name} at {width} px"


def test_an_admin_records_an_index_and_reads_both_pages(live_server: LiveServer, page: Page):
    _log_in(page, live_server, _prepare(live_server))
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Chỉ số bên ngoài (SIPAS, PAR INDEX, PAPI, PCI)").click()
    page.get_by_label("Chỉ số", exact=True).select_option("PAR_INDEX")
    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Điểm (ví dụ 82,5)").fill("85,3")
    page.get_by_label("Thứ hạng của thành phố").fill("12")
    page.get_by_label("Mục tiêu theo kế hoạch (ví dụ top 15)").fill("top 10")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu chỉ số PAR INDEX năm 2025.")
    row = page.get_by_role("row", name="PAR INDEX: Chỉ số cải cách hành chính")
    expect(row).to_contain_text("85,3")
    expect(row).to_contain_text("Chưa đạt")
    _look(page, "admin-indices")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Tác vụ định kỳ").click()
    expect(page.get_by_role("heading", name="Tác vụ định kỳ")).to_be_visible()
    expect(page.get_by_role("row", name="Rà soát phiếu đáng ngờ")).to_contain_text("Đã xong")
    _look(page, "admin-jobs")
