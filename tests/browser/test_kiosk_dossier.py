"""The kiosk's dossier step in Chromium: a code keyed in goes with the answer as its HMAC; a code
already answered is told kindly and the answers are still recorded; a wrong code is said
clearly; no scan button without BarcodeDetector (Debian's Chromium has none); a code read by the
camera (Chromium's fake camera, and a stand-in for the decoder that Debian's Chromium lacks)
goes with the answer; axe-core on the step."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Page, expect

from survey.collection.signing import dossier_hash
from survey.extensions import db
from tests.browser.conftest import enrol
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_kiosk_browser import start, tap_face, wait_for_count
from tests.factories import make_response, make_unit

pytestmark = pytest.mark.browser


def to_dossier_step(page: Page, ratings: list[int]) -> None:
    """From the attract screen past the questions, in whichever language the page speaks."""
    start(page, other=page.locator(".step.current .choice").last)  # "Khác / bỏ qua", in any language
    for value in ratings:
        tap_face(page, value)
    expect(page.locator(".step.current.dossier")).to_be_visible()


def finish(page: Page) -> None:
    page.locator(".step.current").get_by_text("Cá nhân, người dân").click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#thanks")).to_be_visible()


def code() -> str:
    return f"000.00.28.H10-{time.time_ns() % 10**12}"


def test_a_code_keyed_in_goes_with_the_answer_as_its_hmac(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    to_dossier_step(page, [4, 4, 5, 4, 4, 5])
    box = page.get_by_label("Nhập mã hồ sơ in trên giấy biên nhận (nếu có)")
    keyed = code()
    box.fill(keyed.lower().replace("-", " - ", 1))  # small letters and spaces, as a hurried hand types
    expect(page.locator("[data-scan]")).to_be_hidden()  # no BarcodeDetector here: no scan button
    assert serious_violations(page) == [], "dossier step"
    box.press("Enter")  # checks the code; never sends the form
    expect(page.locator(".step.current.respondent")).to_be_visible()
    assert live_server.count_responses(kiosk_id=kiosk_id) == 0
    finish(page)
    assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1  # a retry comes within 15 s
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    with live_server.app.app_context():
        assert stored.dossier_hash == dossier_hash(keyed)
    assert keyed not in repr(vars(stored))


def test_a_code_already_answered_is_told_kindly_and_the_answers_are_kept(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    keyed = code()
    with live_server.app.app_context():
        # Answered first on the phone, from the receipt's QR code.
        make_response(db.session, unit=make_unit(db.session), ratings={"overall": 2},
                      dossier_hash=dossier_hash(keyed))
        db.session.commit()
        db.session.remove()
    to_dossier_step(page, [5, 5, 5, 5, 5, 5])
    page.get_by_label("Nhập mã hồ sơ in trên giấy biên nhận (nếu có)").fill(keyed)
    page.locator(".step.current").get_by_role("button", name="Tiếp tục").click()
    note = page.locator("#dossier-note")
    expect(note).to_contain_text("Hồ sơ này đã được đánh giá rồi, cảm ơn Ông/Bà")
    expect(page.locator(".step.current.dossier")).to_be_visible()
    assert serious_violations(page) == [], "dossier step saying the dossier is answered"
    page.locator(".step.current").get_by_role("button", name="Tiếp tục").click()
    finish(page)
    assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1  # a retry comes within 15 s
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    assert stored.overall == 5
    assert stored.dossier_hash is None


def test_a_wrong_code_is_said_clearly_and_can_be_fixed(live_server, kiosk_page):
    page, kiosk_id = kiosk_page
    to_dossier_step(page, [3, 3, 3, 3, 3, 3])
    box = page.get_by_label("Nhập mã hồ sơ in trên giấy biên nhận (nếu có)")
    box.fill("mã?!")
    box.press("Enter")
    expect(page.locator("#dossier-note")).to_contain_text("Mã hồ sơ chưa đúng")
    expect(page.locator(".step.current.dossier")).to_be_visible()
    keyed = code()
    box.fill(keyed)
    page.locator(".step.current").get_by_role("button", name="Tiếp tục").click()
    finish(page)
    assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1  # a retry comes within 15 s
    [stored] = live_server.stored(kiosk_id=kiosk_id)
    with live_server.app.app_context():
        assert stored.dossier_hash == dossier_hash(keyed)


def test_the_step_in_khmer_and_at_360_px(live_server, kiosk_page):
    page, _kiosk_id = kiosk_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/kiosk?lang=km")
    to_dossier_step(page, [4, 4, 4, 4, 4, 4])
    expect(page.get_by_label("បញ្ចូលលេខកូដឯកសារ ដែលបោះពុម្ពលើបង្កាន់ដៃ (បើមាន)")).to_be_visible()
    expect(page.locator(".step.current").get_by_role("button", name="រំលង")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width
    assert serious_violations(page) == [], "dossier step in Khmer"


# Debian's Chromium has no BarcodeDetector (the Shape Detection API that Android's Chrome has), so
# this stands in for the browser's decoder: it reads the code only once the camera's video is
# playing, as a decoder would, and says nothing before.
DECODER = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "code_128"]); }
  detect(video) {
    var playing = video.readyState >= 2 && video.videoWidth > 0;
    return Promise.resolve(playing ? [{ rawValue: %s, format: "code_128" }] : []);
  }
};
"""


def test_a_code_read_by_the_camera_goes_with_the_answer(live_server, browser):
    """The page may use the camera (its Permissions-Policy), the scan button shows where there is
    one, the code read fills the box and is checked, and the camera is let go."""
    scanned = code()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN",
                                  permissions=["camera"])
    context.add_init_script(DECODER % json.dumps(scanned))
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        kiosk_id = enrol(live_server, page)
        to_dossier_step(page, [5, 4, 5, 4, 5, 4])
        scan = page.locator(".step.current [data-scan]")
        expect(scan).to_be_visible()
        scan.click()
        expect(page.locator(".step.current.respondent")).to_be_visible()
        expect(page.locator(".dossier video")).to_have_count(0)  # the camera is let go
        assert page.get_by_label("Nhập mã hồ sơ in trên giấy biên nhận (nếu có)").input_value() == scanned
        finish(page)
        assert wait_for_count(live_server, 1, timeout=30, kiosk_id=kiosk_id) == 1
        [stored] = live_server.stored(kiosk_id=kiosk_id)
        with live_server.app.app_context():
            assert stored.dossier_hash == dossier_hash(scanned)
    finally:
        context.close()
