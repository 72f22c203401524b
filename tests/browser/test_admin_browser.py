"""Staff in a real browser: an administrator enrols a kiosk for a desk, and a unit manager prints a
QR poster (headless Chromium renders it to PDF)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _staff(live_server: LiveServer, role: str) -> tuple[str, str, int]:
    """A desk of its own and a staff account (its e-mail, the desk's name, the desk's id)."""
    with live_server.app.app_context():
        try:
            point = factories.make_service_point(db.session)
            factories.make_qr_code(db.session, point)
            user = factories.make_user(db.session, role=role, unit=None if role == "admin" else point.unit)
            db.session.commit()
            return user.email, point.name, point.id
        finally:
            db.session.remove()


def _log_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(admin|unit)/$"))


def test_an_admin_enrols_a_kiosk_and_the_tablet_shows_the_attract_screen(
    live_server: LiveServer, page: Page, browser: Browser
):
    email, desk, point_id = _staff(live_server, "admin")
    _log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/kiosks")
    page.get_by_label("Điểm phục vụ").select_option(str(point_id))
    page.get_by_label("Tên máy").fill("Quầy tiếp nhận 1")
    page.get_by_role("button", name="Tạo máy và mã kích hoạt").click()
    enrolment_url = page.locator("#enrolment-url").inner_text()
    assert "/kiosk/enrol?code=" in enrolment_url

    tablet_context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
    try:
        tablet = tablet_context.new_page()
        tablet.goto(enrolment_url)
        tablet.get_by_role("button", name="Kích hoạt").click()
        tablet.wait_for_url(f"{live_server.url}/kiosk")
        expect(tablet.locator("#attract")).to_be_visible()
        expect(tablet.locator("#attract")).to_contain_text(desk)
    finally:
        tablet_context.close()

    page.goto(f"{live_server.url}/admin/kiosks")
    row = page.get_by_role("row").filter(has_text="Quầy tiếp nhận 1")
    expect(row).to_contain_text("Đang hoạt động")


def test_a_unit_manager_prints_an_a4_poster_with_a_sharp_qr(live_server: LiveServer, page: Page):
    email, desk, _point_id = _staff(live_server, "unit_manager")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/qr")
    page.get_by_role("link", name="Áp phích A4").first.click()
    expect(page.locator(".poster-title")).to_contain_text("hài lòng")
    expect(page.locator(".poster-place")).to_contain_text(desk)
    qr = page.locator(".poster-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] > 300  # 120 mm on screen
    page.emulate_media(media="print")
    expect(page.locator("nav.screen-only")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert [(round(float(w)), round(float(h))) for w, h in sizes] == [(595, 842)]  # one A4 page
    assert not errors, errors  # no CSP violation, no broken asset


def test_admin_pages_have_no_serious_accessibility_violations(live_server: LiveServer, page: Page):
    from tests.browser.test_accessibility import serious_violations

    email, _desk, _point_id = _staff(live_server, "admin")
    _log_in(page, live_server, email)
    found = {}
    for path in [
        "/admin/",
        "/admin/units",
        "/admin/points",
        "/admin/kiosks",
        "/admin/qr",
        "/admin/paper",
        "/admin/procedures",
        "/admin/targets",
        "/admin/instruments",
        "/admin/users",
        "/admin/tokens",
        "/admin/audit",
    ]:
        page.goto(f"{live_server.url}{path}")
        found[path] = serious_violations(page)
    page.goto(f"{live_server.url}/admin/qr")
    page.get_by_role("link", name="Áp phích A4").first.click()
    found["poster"] = serious_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_a_paper_form_is_keyed_in_with_digits_alone(live_server: LiveServer, page: Page):
    email, _desk, point_id = _staff(live_server, "unit_manager")
    _log_in(page, live_server, email)
    page.goto(f"{live_server.url}/admin/paper?service_point={point_id}&instrument=sipas-short")
    items = page.locator(".paper-items input")
    expect(items.first).to_be_focused()
    page.keyboard.type("45" + "4" * (items.count() - 2))  # each digit moves to the next item
    expect(items.last).to_have_value("4")
    expect(page.get_by_label("Ý kiến ghi trên phiếu")).to_be_focused()  # then to the comment
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on "Lưu phiếu"
    expect(page.get_by_role("status")).to_contain_text("Đã lưu phiếu")
    assert live_server.count_responses(service_point_id=point_id, channel="paper") == 1
    stored = live_server.stored(service_point_id=point_id)[0]
    assert {a.item_key: a.value for a in stored.answers}["overall"] == 4
