"""The desk kiosk in a real browser: the loop, idle reset, back button and double tap."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

RATINGS = 6  # sipas-short: overall plus one item per component


def tap_face(page: Page, value: int) -> None:
    """Tap a face on the question now on screen, then wait for the next screen."""
    step = page.locator(".step.current")
    item = step.get_attribute("data-item")
    step.locator(f".face.f{value}").click()
    expect(page.locator(f'.step.current[data-item="{item}"]')).to_have_count(0)


def start(page: Page, other: Locator | None = None) -> None:
    """From the attract screen to the first question, past the service step where it shows
    (``other`` is its "Khác / bỏ qua" choice when the page is not in Vietnamese). It waits for the
    step to go: a face tapped while it is still on screen would be lost."""
    page.locator("#start").click()
    step = page.locator(".step.current")
    step.wait_for(state="visible")
    if "service" in (step.get_attribute("class") or ""):
        (other or step.get_by_text("Khác / bỏ qua")).click()
        expect(page.locator(".step.current.service")).to_have_count(0)


def skip_dossier(page: Page) -> None:
    """Past the optional dossier code, keying none in."""
    expect(page.locator(".step.current.dossier")).to_be_visible()
    page.locator(".step.current").get_by_role("button", name="Bỏ qua").click()


def answer_survey(page: Page, ratings: list[int], *, comment: str = "") -> None:
    """From the attract screen to the send button, answering every question."""
    start(page)
    for value in ratings:
        tap_face(page, value)
    if min(ratings) <= 2:
        expect(page.locator(".step.current.problems")).to_be_visible()
        page.locator(".step.current").get_by_label("Phải chờ lâu").check()
        page.locator(".step.current").get_by_role("button", name="Tiếp tục").click()
    skip_dossier(page)
    expect(page.locator(".step.current.respondent")).to_be_visible()
    page.locator(".step.current").get_by_text("Doanh nghiệp, tổ chức").click()
    expect(page.locator(".step.current.comment")).to_be_visible()
    if comment:
        page.locator("#comment").fill(comment)


def wait_for_count(live_server: LiveServer, expected: int, timeout: float = 10, **filters: object) -> int:
    deadline = time.monotonic() + timeout
    count = live_server.count_responses(**filters)
    while count < expected and time.monotonic() < deadline:
        time.sleep(0.1)
        count = live_server.count_responses(**filters)
    return count


def test_kiosk_loop_stores_one_response_and_returns_to_attract_screen(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [2, 4, 5, 3, 4, 5], comment="Chờ hơi lâu")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#thanks")).to_be_visible()
    expect(page.locator("#thanks")).to_contain_text("Cảm ơn")
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    time.sleep(0.5)
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.channel == "kiosk"
    assert stored.instrument.ref == "sipas-short@2"
    assert stored.overall == 2
    assert {(a.item_key, a.value) for a in stored.answers} == {
        ("overall", 2), ("access.place", 4), ("procedure.as_posted", 5), ("staff.courteous", 3),
        ("result.as_promised", 4), ("feedback.easy", 5),
    }
    assert [p.code for p in stored.problems] == ["wait_long"]
    assert stored.respondent_type == "organisation"
    assert stored.comment == "Chờ hơi lâu"
    assert stored.service_point_id is not None


def test_happy_answers_skip_the_what_went_wrong_step(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [5, 5, 4, 4, 5, 5])
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.problems == []


def test_idle_without_the_overall_answer_clears_the_answers_and_stores_nothing(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    start(page)
    page.locator(".step.current").get_by_role("button", name="Không trả lời").click()
    tap_face(page, 4)
    expect(page.locator("#attract")).to_be_hidden()
    expect(page.locator("#attract")).to_be_visible(timeout=5_000)  # idle timeout is 2 s in tests
    assert page.locator("#survey input:checked").count() == 0
    start(page)
    expect(page.locator(".step.current")).to_have_attribute("data-item", "overall")
    time.sleep(0.5)
    assert live_server.count_responses(kiosk_id=kiosk_id) == 0


def test_back_button_after_sending_never_reopens_or_resends(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [4, 4, 4, 4, 4, 4], comment="Tốt")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    page.go_back()
    page.go_forward()
    page.wait_for_load_state()
    expect(page.locator("#attract")).to_be_visible()
    assert page.locator("#survey input:checked").count() == 0
    start(page)  # the comment box comes with the later steps, at the first tap: empty
    expect(page.locator("#comment")).to_have_count(1)
    assert page.locator("#comment").input_value() == ""
    time.sleep(1)
    assert live_server.count_responses(kiosk_id=kiosk_id) == 1


def test_double_tap_on_send_records_one_response(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    answer_survey(page, [5, 5, 5, 5, 5, 5])
    page.get_by_role("button", name="Gửi ý kiến").dblclick()
    # A second submit of the same form (a bounce or a stuck button) must not send twice either.
    page.evaluate("() => { const f = document.getElementById('survey'); f.requestSubmit(); }")
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert wait_for_count(live_server, 1, kiosk_id=kiosk_id) == 1
    time.sleep(1)
    assert live_server.count_responses(kiosk_id=kiosk_id) == 1


def test_every_screen_fits_a_360_px_screen_in_khmer(live_server, kiosk_page):
    """A narrow tablet or phone: the five faces one under the other, nothing wider than the screen."""
    page, _kiosk_id = kiosk_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/kiosk?lang=km")

    def fits(screen: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{screen}: {width} px wide"

    fits("attract screen")
    start(page, page.locator(".step.current").get_by_text("ផ្សេងទៀត / រំលង"))
    fits("first question")
    faces = page.locator(".step.current .face")
    tops = faces.evaluate_all("fs => fs.map(f => f.getBoundingClientRect().top)")
    assert len(set(tops)) == 5, "one face under the other"
    assert tops == sorted(tops)
    label = faces.first.locator("span")
    height, line = label.evaluate(
        "e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]")
    assert height <= line + 1, "'very dissatisfied' on one line"
    for value in [2, 4, 4, 4, 4, 4]:
        tap_face(page, value)
    fits("what went wrong")
    page.locator(".step.current").get_by_role("button", name="បន្ត").click()
    page.locator(".step.current").get_by_role("button", name="រំលង").click()
    fits("respondent type")
    page.locator(".step.current").get_by_role("button", name="មិនឆ្លើយ").click()
    page.locator("#complaint").check()
    fits("comment with the complaint offer")
