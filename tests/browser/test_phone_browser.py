"""The phone survey behind a QR code, at 360 px, with JavaScript on and off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}


def fill_and_send(browser: Browser, live_server: LiveServer, **context_options: object) -> int:
    point_id, url = live_server.new_phone_survey()
    context = browser.new_context(**PHONE, **context_options)
    try:
        page = context.new_page()
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
        ratings = page.locator("fieldset.rating")
        assert ratings.count() == 18
        for n in range(ratings.count()):
            ratings.nth(n).locator(f".face.f{4 + n % 2}").click()
        page.get_by_text("Cá nhân, người dân").click()
        page.get_by_label("Ông/Bà muốn góp ý thêm?").fill("Cán bộ nhiệt tình")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll"
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
