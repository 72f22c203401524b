"""A real browser on the public results by month and sector, and on the printable A4 notice:
no horizontal scroll at 360 px, one A4 page in print, axe-core finds no serious violation."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.extensions import db
from survey.models import SectorGroup
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.helpers import many, target

pytestmark = pytest.mark.browser
JULY = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir())


@pytest.fixture(scope="module")
def published(live_server: LiveServer) -> None:
    """A city with a ward of 60 July answers (some on land procedures) and a ward of 8."""
    with live_server.app.app_context():
        try:
            session = db.session
            city = factories.make_unit(session, code="BN-CITY", name="Thành phố Bảng Tin", level="city")
            ward = factories.make_unit(session, code="BN-WARD", name="Phường Bảng Tin Một", parent=city)
            few = factories.make_unit(session, code="BN-FEW", name="Phường Bảng Tin Hai", parent=city)
            land = factories.make_procedure(session, "land", unit=ward)
            session.add(SectorGroup(code="land", name="Đất đai", sectors=[land.sector]))
            target(session, code="BN-ADM", threshold=0.8)
            many(session, ward, 25, 5, when=JULY)
            many(session, ward, 27, 3, when=JULY, procedure=land)
            many(session, few, 6, 2, when=JULY)
            session.commit()
        finally:
            db.session.remove()


@pytest.mark.parametrize("locale", ["vi", "en", "km"])
def test_the_monthly_results_fit_a_360px_phone(live_server: LiveServer, browser: Browser,
                                              published: None, locale: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/results?period=2026-07&lang={locale}")
        expect(page.locator("table tbody tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
        page.screenshot(path=str(SHOTS / f"results-month-360-{locale}.png"), full_page=True)
        page.goto(f"{live_server.url}/results/ban-in?period=2026-07&unit=BN-WARD&lang={locale}")
        expect(page.locator(".notice-figure")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "notice scrolls"
        page.screenshot(path=str(SHOTS / f"notice-360-{locale}.png"), full_page=True)
    finally:
        context.close()


def test_the_monthly_results_and_the_notice_have_no_serious_violations(
        live_server: LiveServer, page: Page, published: None) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/results?period=2026-07")
    expect(page.get_by_role("rowheader", name="Phường Bảng Tin Một")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Đất đai")).to_be_visible()
    page.screenshot(path=str(SHOTS / "results-month-1366.png"), full_page=True)
    assert serious_violations(page) == [], "results page"
    page.get_by_role("link", name="In thông báo Phường Bảng Tin Một").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(SHOTS / "notice-1366.png"), full_page=True)
    assert serious_violations(page) == [], "notice"
    page.goto(f"{live_server.url}/results/ban-in?period=2026-07&unit=BN-FEW")
    assert serious_violations(page) == [], "notice without figures"


def test_the_notice_prints_on_one_a4_page_in_large_type(live_server: LiveServer, page: Page,
                                                        published: None) -> None:
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(f"{live_server.url}/results/ban-in?period=2026-07&unit=BN-WARD")
    page.emulate_media(media="print")
    figure = page.locator(".notice-figure")
    expect(figure).to_have_text("86,7 %")  # 52 of 60
    expect(page.locator(".notice-date")).to_have_text(re.compile(r"ngày \d{1,2} tháng \d{1,2} năm \d{4}"))
    size = float(figure.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 96, "the figure is read from a few steps away"
    assert not page.locator(".no-print").is_visible()
    assert not page.locator("header.top").is_visible()
    page.screenshot(path=str(SHOTS / "notice-a4-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "one A4 sheet"
