"""Chromium through nginx over HTTPS, in production settings: a kiosk answer, a phone answer, a
log-in and an admin write succeed; a POST from another origin is refused.

The other browser tests run through the same stack too under ``SURVEY_TEST_SERVER=proxy``
(``.ci/run``); these run in every ``make test``.
"""

from __future__ import annotations

import gzip
import http.server
import re
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from survey.models import Kiosk
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_kiosk_browser import answer_survey, wait_for_count
from tests.stack import RunningStack

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def proxied(stack: RunningStack) -> LiveServer:
    return LiveServer(app=stack.app, url=stack.url)


def test_a_kiosk_enrolled_and_answered_over_https_stores_one_response(proxied: LiveServer, page: Page):
    kiosk_id, code = proxied.new_kiosk()
    page.goto(f"{proxied.url}/kiosk/enrol?code={code}")
    page.get_by_role("button", name="Kích hoạt").click()
    page.wait_for_url(f"{proxied.url}/kiosk")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["kiosk"]["secure"]
    assert cookies["kiosk"]["httpOnly"]
    assert page.evaluate("window.isSecureContext")
    answer_survey(page, [5, 4, 4, 5, 5, 4])
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#attract")).to_be_visible(timeout=10_000)
    assert wait_for_count(proxied, 1, kiosk_id=kiosk_id) == 1


def test_a_phone_answer_over_https_is_stored(proxied: LiveServer, browser: Browser):
    point_id, url = proxied.new_phone_survey()
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN")
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None
        assert "max-age=" in response.headers["strict-transport-security"]
        page.locator("fieldset.rating").first.locator(".face.f4").click()
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
        session = {c["name"]: c for c in context.cookies()}["session"]
        assert session["secure"]
        assert session["httpOnly"]
        assert session["sameSite"] == "Lax"
    finally:
        context.close()
    assert proxied.count_responses(service_point_id=point_id) == 1


def test_an_admin_logs_in_and_creates_a_kiosk_over_https(proxied: LiveServer, page: Page):
    with proxied.app.app_context():
        try:
            point = factories.make_service_point(db.session)
            admin = factories.make_user(db.session, role="admin")
            db.session.commit()
            email, point_id = admin.email, point.id
        finally:
            db.session.remove()
    page.goto(f"{proxied.url}/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto(f"{proxied.url}/admin/kiosks")
    page.get_by_label("Điểm phục vụ").select_option(str(point_id))
    page.get_by_label("Tên máy").fill("Quầy qua HTTPS")
    page.get_by_role("button", name="Tạo máy và mã kích hoạt").click()
    assert page.locator("#enrolment-url").inner_text().startswith(f"{proxied.url}/kiosk/enrol?code=")
    with proxied.app.app_context():
        try:
            assert db.session.query(Kiosk).filter_by(label="Quầy qua HTTPS").count() == 1
        finally:
            db.session.remove()


@dataclass(frozen=True)
class Origin:
    url: str
    pages: dict[str, str]


@pytest.fixture
def other_origin(stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Origin]:
    """Another origin serving pages that post to the stack: HTTPS on another port of 127.0.0.1
    (the same site, another origin: SameSite=Lax cookies are still sent) or http://localhost."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    secure = request.param == "same-site"
    if secure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(stack.certificate.cert, stack.certificate.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = "127.0.0.1" if secure else "localhost"
    try:
        yield Origin(f"{'https' if secure else 'http'}://{host}:{server.server_port}", pages)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.mark.parametrize("other_origin", ["same-site", "cross-site"], indirect=True)
def test_a_post_from_another_origin_is_refused_and_one_from_the_survey_itself_succeeds(
    proxied: LiveServer, page: Page, other_origin: Origin
):
    with proxied.app.app_context():
        try:
            point = factories.make_service_point(db.session)
            db.session.commit()
            point_id = point.id
            url = f"{proxied.url}/s/{sign_payload(SurveyPayload('sipas-full', point.unit.code, point.code))}"
        finally:
            db.session.remove()
    page.goto(url)  # the citizen's own session, and a valid token: the worst case for a forgery
    token = page.locator("input[name=csrf_token]").input_value()
    other_origin.pages["/forged"] = (
        f'<!doctype html><form method="post" action="{url}">'
        f'<input name="csrf_token" value="{token}"><input name="idempotency_key" value="{"f" * 32}">'
        '<input name="q_overall" value="1"><button>Gửi</button></form>'
    )
    page.goto(f"{other_origin.url}/forged")
    with page.expect_response(url) as forged:
        page.get_by_role("button", name="Gửi").click()
    assert forged.value.status == 400
    expect(page.get_by_role("heading", name="Phiên làm việc đã hết hạn")).to_be_visible()
    assert proxied.count_responses(service_point_id=point_id) == 0

    page.goto(url)
    page.locator("fieldset.rating").first.locator(".face.f5").click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà đã góp ý!")).to_be_visible()
    assert proxied.count_responses(service_point_id=point_id) == 1


def test_the_proxy_compresses_the_kiosk_script_as_the_page_weight_budget_assumes(stack: RunningStack):
    """bench/page_weight.py counts gzip at level 6; at nginx's default level 1 this file is 6 % heavier."""
    body = (Path(__file__).resolve().parents[2] / "survey/static/kiosk.min.js").read_bytes()
    reply = stack.session().get(f"{stack.url}/static/kiosk.min.js", stream=True,
                                headers={"Accept-Encoding": "gzip"})
    sent = reply.raw.read(decode_content=False)
    assert reply.headers.get("Content-Encoding") == "gzip", reply.headers
    assert gzip.decompress(sent) == body
    assert len(sent) <= len(gzip.compress(body, 6)) + 32, "compressed below level 6"
