"""A real browser on the dashboards: an agency sees its verdict; the Sở Nội vụ opens the funnel
plot and downloads the quarterly XLSX; axe-core finds no serious or critical violation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.helpers import answer, many, target

pytestmark = pytest.mark.browser
WHEN = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def accounts(live_server: LiveServer) -> dict[str, str]:
    """A small city with two wards, a target, answers, and one account per role."""
    with live_server.app.app_context():
        try:
            session = db.session
            city = factories.make_unit(session, code="BR-CITY", name="Thành phố Thử", level="city")
            ward = factories.make_unit(session, code="BR-WARD", name="Phường Thử Một", parent=city)
            other = factories.make_unit(session, code="BR-OTHER", name="Phường Thử Hai", parent=city)
            target(session, code="BR-ADM", threshold=0.9)
            many(session, ward, 80, 0, when=WHEN)
            many(session, other, 30, 10, when=WHEN)
            answer(session, ward, {"overall": 2}, comment="Chờ hơi lâu", problems=("wait_long",),
                   when=WHEN)
            manager = factories.make_user(session, role="unit_manager", unit=ward, reads_comments=True)
            admin = factories.make_user(session, role="admin")
            session.commit()
            return {"manager": manager.email, "admin": admin.email}
        finally:
            db.session.remove()


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_agency_logs_in_and_sees_its_verdict(live_server: LiveServer, page: Page,
                                             accounts: dict[str, str]) -> None:
    log_in(page, live_server.url, accounts["manager"])
    page.goto(f"{live_server.url}/unit/?period=2026-Q2")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Thử Một")
    expect(page.locator(".verdict-met").first).to_contain_text(
        "Đạt chỉ tiêu 90 % với độ tin cậy 95 %")
    expect(page.get_by_text("Chờ hơi lâu")).to_be_visible()
    assert serious_violations(page) == []


def test_admin_opens_the_funnel_plot_and_downloads_the_quarterly_xlsx(
    live_server: LiveServer, page: Page, accounts: dict[str, str], tmp_path
) -> None:
    log_in(page, live_server.url, accounts["admin"])
    page.goto(f"{live_server.url}/admin/province?period=2026-Q2")
    funnel = page.get_by_role("img", name="Biểu đồ phễu")
    expect(funnel).to_be_visible()
    assert page.locator("svg.chart .unit").count() >= 2
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    codes = [row[0] for row in load_workbook(path)["Đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert {"BR-WARD", "BR-OTHER"} <= set(codes)


def test_public_results_page_has_no_serious_violations(live_server: LiveServer, page: Page,
                                                        accounts: dict[str, str]) -> None:
    page.goto(f"{live_server.url}/results?period=2026-Q2")
    expect(page.get_by_role("rowheader", name="Phường Thử Một")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("locale", ["vi", "en", "km"])
def test_public_results_fit_a_360px_phone_with_no_horizontal_scroll(
    live_server: LiveServer, browser, accounts: dict[str, str], locale: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/results?period=2026-Q2&lang={locale}")
        row = page.locator("table tbody tr").first
        expect(row).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
        verdict = page.locator(".verdict").first
        expect(verdict).to_be_visible()
        box = verdict.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 360  # the verdict is read, not cut off
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["vi", "en", "km"])
@pytest.mark.parametrize(("who", "path"), [("manager", "/unit/?period=2026-Q2"),
                                           ("admin", "/admin/province?period=2026-Q2"),
                                           ("admin", "/admin/province/ranking?period=2026")])
def test_the_dashboards_fit_a_360px_phone_in_every_language(
    live_server: LiveServer, browser, accounts: dict[str, str], who: str, path: str, locale: str
) -> None:
    """A table wider than the screen (English words are longer) scrolls inside its card: the
    page itself never scrolls sideways."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, accounts[who])
        page.goto(f"{live_server.url}{path}&lang={locale}")
        expect(page.locator("table").first).to_be_attached()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
    finally:
        context.close()
