"""The phone survey behind a QR code, at 360 px, with JavaScript on and off, in Vietnamese and Khmer:
six questions first, the rest offered after the thanks, and the back button never answers twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}
SHOTS = Path(__file__).resolve().parent.parent.parent / "instance" / "screenshots"


def no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"


def check_faces(page: Page) -> None:
    """Labels of at least 14 px, "Rất không hài lòng" on two lines at most, no dead step button."""
    label = page.locator("fieldset.rating").first.locator(".face.f1 span")
    size, height, line = label.evaluate(
        "e => [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(e).lineHeight)]")
    assert size >= 14
    assert height <= 2 * line + 1, f"{height} px tall: more than two lines"
    visible = [b.inner_text() for b in page.locator("form.survey button").all() if b.is_visible()]
    assert visible == ["Gửi ý kiến"], visible


def fill_and_send(browser: Browser, live_server: LiveServer, **context_options: object) -> int:
    point_id, url = live_server.new_phone_survey()
    context = browser.new_context(**PHONE, **context_options)
    try:
        page = context.new_page()
        page.goto(url)
        no_horizontal_scroll(page)
        check_faces(page)
        ratings = page.locator("fieldset.rating")
        assert ratings.count() == 6
        for n in range(ratings.count()):
            ratings.nth(n).locator(f".face.f{4 + n % 2}").click()
        page.get_by_text("Cá nhân, người dân").click()
        page.get_by_label("Ông/Bà muốn góp ý thêm?").fill("Cán bộ nhiệt tình")
        no_horizontal_scroll(page)
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
        no_horizontal_scroll(page)
        page.get_by_role("link", name="Trả lời thêm").click()
        more = page.locator("fieldset.rating")
        assert more.count() == 12
        for n in range(more.count()):
            more.nth(n).locator(".face.f3").click()
        page.get_by_role("button", name="Gửi thêm").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
    finally:
        context.close()
    return point_id


def check_stored(live_server: LiveServer, point_id: int) -> None:
    [stored] = live_server.stored(service_point_id=point_id)
    assert stored.channel == "qr"
    assert stored.instrument.ref == "sipas-full@2"
    assert len(stored.answers) == 18
    assert stored.overall == 4
    assert stored.respondent_type == "citizen"
    assert stored.comment == "Cán bộ nhiệt tình"


def test_phone_survey_at_360px_stores_one_response(browser, live_server):
    point_id = fill_and_send(browser, live_server)
    check_stored(live_server, point_id)


def test_phone_survey_works_with_javascript_off(browser, live_server):
    point_id = fill_and_send(browser, live_server, java_script_enabled=False)
    check_stored(live_server, point_id)


def test_back_after_the_thanks_never_records_a_second_response(browser, live_server):
    point_id, url = live_server.new_phone_survey()
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(url)
        page.locator("fieldset.rating").first.locator(".face.f2").click()
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
        page.go_back()
        expect(page.get_by_text("Ông/Bà vừa gửi ý kiến cho nơi này")).to_be_visible()
        assert page.locator("fieldset.rating").count() == 0
        page.go_forward()
        page.go_back()
        assert page.locator("fieldset.rating").count() == 0
    finally:
        context.close()
    assert live_server.count_responses(service_point_id=point_id) == 1


def khmer_fonts(page: Page, selector: str) -> list[str]:
    """The system fonts Chromium drew ``selector``'s text with (not boxes: a font that has the glyphs)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts if f["glyphCount"] and not f["isCustomFont"]]


def test_a_phone_at_360px_answers_the_short_survey_in_khmer(browser, live_server):
    point_id, url = live_server.new_phone_survey()
    context = browser.new_context(**PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page = context.new_page()
        page.goto(f"{url}?lang=km")
        assert page.locator("html").get_attribute("lang") == "km"
        ratings = page.locator("fieldset.rating")
        assert ratings.count() == 6
        expect(ratings.first.locator("legend")).to_contain_text("ជារួម")
        assert any("khmer" in name.lower() for name in khmer_fonts(page, "fieldset.rating legend"))
        no_horizontal_scroll(page)
        label = ratings.first.locator(".face.f1 span")
        size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 14
        page.screenshot(path=str(SHOTS / "phone-km-360.png"), full_page=True)
        for n in range(ratings.count()):
            ratings.nth(n).locator(".face.f5").click()
        page.get_by_role("button", name="ផ្ញើមតិ").click()
        expect(page.get_by_role("heading", name="សូមអរគុណលោកអ្នកដែលបានផ្តល់មតិ!")).to_be_visible()
        no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "thanks-km-360.png"), full_page=True)
    finally:
        context.close()
    [stored] = live_server.stored(service_point_id=point_id)
    assert len(stored.answers) == 6
    assert stored.overall == 5
