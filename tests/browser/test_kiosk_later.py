"""The kiosk's later steps in Chromium: fetched at the first tap, they come from the service
worker's copy in the page's language when the network is gone; when they cannot come at all, the
answers given are recorded at the end of the questions; without JavaScript every step is on one
page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import worker_controls
from tests.browser.test_kiosk_browser import start, tap_face, wait_for_count

pytestmark = pytest.mark.browser


def test_the_later_steps_in_khmer_come_from_the_worker_when_the_network_is_gone(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    worker_controls(page)
    page.goto(f"{live_server.url}/kiosk?lang=km")
    worker_controls(page)
    page.context.set_offline(True)  # before the first tap: the later steps are not in the page
    assert page.locator("#survey .step.comment").count() == 0
    start(page, page.locator(".step.current").get_by_text("ផ្សេងទៀត / រំលង"))
    for value in [2, 4, 4, 4, 4, 4]:
        tap_face(page, value)
    problems = page.locator(".step.current.problems")
    expect(problems).to_contain_text("ប្រសិនបើលោកអ្នកមិនទាន់ពេញចិត្ត")
    problems.get_by_text("ត្រូវរង់ចាំយូរ").click()
    problems.get_by_role("button", name="បន្ត").click()
    expect(page.get_by_label("បញ្ចូលលេខកូដឯកសារ ដែលបោះពុម្ពលើបង្កាន់ដៃ (បើមាន)")).to_be_visible()
    page.locator(".step.current").get_by_role("button", name="រំលង").click()
    page.locator(".step.current.respondent").get_by_role("button", name="មិនឆ្លើយ").click()
    page.locator("#comment").fill("គ្មានបណ្ដាញ")
    page.get_by_role("button", name="ផ្ញើមតិ").click()
    expect(page.locator("#thanks")).to_be_visible()
    assert live_server.count_responses(kiosk_id=kiosk_id) == 0
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.comment == "គ្មានបណ្ដាញ"
    assert [p.code for p in stored.problems] == ["wait_long"]
    assert (stored.overall, stored.partial) == (2, False)


PORTAL = "<!doctype html><title>Wi-Fi</title><form><input name=comment><button>Đăng nhập</button></form>"


@pytest.mark.parametrize("failure", ["offline", "captive portal"])
def test_when_the_later_steps_cannot_come_the_answers_are_recorded_after_the_questions(
        live_server, kiosk_without_worker, failure):
    page, kiosk_id = kiosk_without_worker
    if failure == "offline":
        page.route("**/kiosk/steps/**", lambda route: route.abort("internetdisconnected"))
    else:  # a "200 OK" that is not our steps: nothing of it goes into the form
        page.route("**/kiosk/steps/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                    body=PORTAL))
    start(page)
    for value in [1, 4, 4, 5, 5]:  # a low answer: "what went wrong" would come next
        tap_face(page, value)
    page.locator('.step.current[data-item="feedback.easy"] .face.f3').click()
    expect(page.locator("#thanks")).to_be_visible()
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert (stored.overall, stored.partial, len(stored.answers)) == (1, False, 6)
    assert page.locator("#survey [name=comment]").count() == 0
    # The network is back: the next citizen's first tap fetches them.
    page.unroute("**/kiosk/steps/**")
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    start(page)
    for value in [5, 5, 5, 5, 5, 5]:
        tap_face(page, value)
    expect(page.locator(".step.current.dossier")).to_be_visible()


def test_without_javascript_the_kiosk_shows_every_step_in_one_form(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN",
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        kiosk_id, code = live_server.new_kiosk()
        page.goto(f"{live_server.url}/kiosk/enrol")
        page.get_by_label("Mã kích hoạt").fill(code)
        page.get_by_role("button", name="Kích hoạt").click()
        page.wait_for_url(f"{live_server.url}/kiosk?steps=all")
        ratings = page.locator("fieldset.rating")
        for n in range(ratings.count()):
            ratings.nth(n).locator(".face.f2").click()
        page.get_by_label("Phải chờ lâu").check()
        page.get_by_text("Cá nhân, người dân").click()
        page.get_by_label("Ông/Bà muốn góp ý thêm?").fill("Không có mạng vẫn gửi được")
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
    finally:
        context.close()
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.comment == "Không có mạng vẫn gửi được"
    assert [p.code for p in stored.problems] == ["wait_long"]
    assert stored.respondent_type == "citizen"
