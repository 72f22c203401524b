"""Phản ánh, kiến nghị in a real browser: a citizen files one on a 360 px phone after the survey,
the ward's handler answers it at 1366 px, the citizen reads the reply; axe-core on every new page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_admin_browser import _log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}


def _ward(live_server: LiveServer) -> tuple[str, str, str]:
    """A ward with a desk and a handler: (the survey URL, the handler's e-mail, the unit code)."""
    with live_server.app.app_context():
        try:
            point = factories.make_service_point(db.session, name="Bộ phận một cửa Phường Thử")
            handler = factories.make_user(db.session, role="unit_manager", unit=point.unit,
                                          handles_complaints=True)
            payload = SurveyPayload(instrument="sipas-full", unit=point.unit.code, service_point=point.code)
            db.session.commit()
            return f"{live_server.url}/s/{sign_payload(payload)}", handler.email, point.unit.code
        finally:
            db.session.remove()


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def citizen_files(browser: Browser, survey_url: str) -> str:
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(survey_url)
        page.get_by_label("Ông/Bà muốn góp ý thêm?").fill("Phải chờ hơn một tiếng mới được tiếp nhận.")
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Ông/Bà cần cơ quan trả lời?")).to_be_visible()
        assert serious_violations(page) == [], "thanks page with the offer"
        page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
        expect(page.get_by_role("heading", name="Gửi phản ánh, kiến nghị")).to_be_visible()
        expect(page.get_by_label("Nội dung")).to_have_value("Phải chờ hơn một tiếng mới được tiếp nhận.")
        assert serious_violations(page) == [], "complaint form"
        _no_sideways_scroll(page)
        page.get_by_label("Số điện thoại (không bắt buộc)").fill("0912 345 678")
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.get_by_role("alert")).to_contain_text("Vui lòng đánh dấu ô đồng ý")
        page.get_by_text("Tôi đồng ý để cơ quan dùng số điện thoại").click()
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.get_by_role("heading", name="Đã gửi phản ánh, kiến nghị")).to_be_visible()
        ref = page.locator(".ref-code").inner_text().strip()
        assert re.fullmatch(r"PA-[A-Z0-9]{4}-[A-Z0-9]{4}", ref)
        assert serious_violations(page) == [], "status page"
        _no_sideways_scroll(page)
        page.goto(page.url.split("/phan-anh/")[0] + "/phan-anh/tra-cuu")
        assert serious_violations(page) == [], "look-up page"
        return ref
    finally:
        context.close()


def test_a_citizen_files_on_a_phone_and_a_handler_answers(browser: Browser, live_server: LiveServer,
                                                          page: Page):
    survey_url, handler_email, unit_code = _ward(live_server)
    ref = citizen_files(browser, survey_url)

    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, live_server, handler_email)
    page.goto(f"{live_server.url}/unit/complaints")
    assert serious_violations(page) == [], "case list"
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_text("0912345678")).to_be_visible()
    assert serious_violations(page) == [], "case page"
    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.get_by_role("heading", name=re.compile("Đang xử lý"))).to_be_visible()
    page.get_by_label("Nội dung trả lời").fill("Phường đã bố trí thêm một quầy vào buổi sáng.")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.get_by_role("heading", name=re.compile("Đã trả lời"))).to_be_visible()

    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/phan-anh/tra-cuu")
        phone.get_by_label("Mã tra cứu").fill(ref.lower())
        phone.get_by_role("button", name="Xem").click()
        expect(phone.get_by_text("Phường đã bố trí thêm một quầy vào buổi sáng.")).to_be_visible()
        month = date.today().strftime("%Y-%m")
        phone.goto(f"{live_server.url}/cong-khai/phan-anh/{unit_code}?thang={month}")
        assert serious_violations(phone) == [], "monthly public page"
        _no_sideways_scroll(phone)
        phone.goto(f"{live_server.url}/cong-khai/phan-anh/{unit_code}/ban-in?thang={month}")
        assert serious_violations(phone) == [], "printable notice"
    finally:
        context.close()
