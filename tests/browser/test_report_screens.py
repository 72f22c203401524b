"""The agency dashboard, the province view and the print view at 1366 × 768 in Chromium, and the
questionnaire editor on a phone and a desk screen: screenshots in ``tests/artifacts/`` (not
committed), axe-core without a serious violation on each, the funnel's dot numbers printed, the
trend across its card with the unfinished month drawn hollow, and a question edited, previewed
and published through the form."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_admin_browser import _log_in
from tests.helpers import answer, many, target

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
MAY = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def city(live_server: LiveServer) -> dict[str, str]:
    """Three wards with answers in May 2026 and this month, a target, an administrator."""
    with live_server.app.app_context():
        try:
            session = db.session
            root = factories.make_unit(session, code="SC-CITY", name="Thành phố Ảnh Chụp", level="city")
            wards = [factories.make_unit(session, code=f"SC-W{i}", name=f"Phường Số {i}", parent=root)
                     for i in (1, 2, 3)]
            target(session, code="SC-ADM", threshold=0.85)
            for ward, (good, bad) in zip(wards, ((70, 4), (35, 12), (20, 1)), strict=True):
                many(session, ward, good, bad, when=MAY)
            many(session, wards[0], 30, 3, when=datetime.now(UTC))
            answer(session, wards[0], {"overall": 2}, problems=("wait_long",), when=MAY)
            admin = factories.make_user(session, role="admin")
            session.commit()
            return {"admin": admin.email}
        finally:
            db.session.remove()


def _shoot(page: Page, name: str, url: str, *, widths: tuple[int, ...] = (1366, 360)) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 768})
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert serious_violations(page) == [], f"{name} at {width} px"


def test_the_three_report_screens_are_photographed_and_pass_axe(live_server: LiveServer, page: Page,
                                                                 city: dict[str, str]) -> None:
    _log_in(page, live_server, city["admin"])
    _shoot(page, "dashboard", f"{live_server.url}/unit/?unit=SC-W1&lang=vi")
    _shoot(page, "province", f"{live_server.url}/admin/province?period=2026-Q2&lang=vi")
    _shoot(page, "print", f"{live_server.url}/unit/report/print?unit=SC-CITY&period=2026-Q2&lang=vi")
    for name in ("dashboard", "province", "print"):
        assert (ARTIFACTS / f"{name}-1366.png").stat().st_size > 10_000, name


def test_the_trend_uses_its_card_and_draws_this_month_hollow(live_server: LiveServer, page: Page,
                                                              city: dict[str, str]) -> None:
    _log_in(page, live_server, city["admin"])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/unit/?unit=SC-W1&lang=vi")
    chart = page.locator("#h-trend ~ .chart-scroll svg.chart").bounding_box()
    card = page.locator("section[aria-labelledby=h-trend]").bounding_box()
    assert chart is not None
    assert card is not None
    assert chart["width"] >= 0.9 * (card["width"] - 48), "the chart spans its card"
    last = page.locator("svg.chart.trend text.tick").last.bounding_box()
    assert last is not None
    assert last["x"] + last["width"] <= chart["x"] + chart["width"], "the last month's label is whole"
    expect(page.locator("svg.chart.trend circle.dot.partial")).to_have_count(1)
    expect(page.locator("svg.chart.trend text.partial-label")).to_have_text("tháng chưa kết thúc")


def test_funnel_dots_carry_their_numbers_on_paper(live_server: LiveServer, page: Page,
                                                  city: dict[str, str]) -> None:
    _log_in(page, live_server, city["admin"])
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/province?period=2026-Q2&lang=vi")
    page.emulate_media(media="print")
    tags = page.locator("svg.chart text.dot-tag")
    assert tags.count() >= 3
    for i in range(tags.count()):
        expect(tags.nth(i)).to_be_visible()
    key = page.locator("table.funnel-key")
    expect(key).to_be_visible()
    expect(key.get_by_role("rowheader", name="Phường Số 2")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "province-print-1366.png"), full_page=True)


def test_an_admin_edits_previews_and_publishes_a_question(live_server: LiveServer, browser: Browser,
                                                          city: dict[str, str]) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        page = context.new_page()
        _log_in(page, live_server, city["admin"])
        page.goto(f"{live_server.url}/admin/instruments?lang=vi")
        page.get_by_role("row", name="sipas-short@2").get_by_role("link", name="Xem và sửa").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bộ câu hỏi sipas-short@2")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the editor scrolls sideways"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "instrument-360.png"), full_page=True)
        assert serious_violations(page) == [], "editor at 360 px"
        question = page.locator("fieldset.question-edit").nth(1).get_by_label("Câu hỏi bằng tiếng Việt")
        question.fill("Ông/Bà hài lòng thế nào với chỗ ngồi chờ và nước uống?")
        page.get_by_role("button", name="Xem trước, chưa lưu").click()
        preview = page.locator("section[aria-labelledby=h-preview]")
        expect(preview).to_contain_text("chỗ ngồi chờ và nước uống?")
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Lưu và công bố thành phiên bản mới").click()
        expect(page.get_by_role("status")).to_contain_text("Đã công bố sipas-short@3")
        page.set_viewport_size({"width": 1366, "height": 768})
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=str(ARTIFACTS / "instrument-1366.png"), full_page=True)
        assert serious_violations(page) == [], "editor at 1366 px"
    finally:
        context.close()
