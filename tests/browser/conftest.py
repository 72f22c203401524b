"""A live server and Debian's Chromium, for the tests that drive a real browser.

The server runs the app in a thread on a free loopback port, against a scratch database of its own
(committed data: the browser and the test see the same rows). With ``SURVEY_TEST_SERVER=proxy``
the live server is the production-shaped stack instead (tests/stack.py: nginx over HTTPS →
gunicorn in production settings), and the same tests run through it. Chromium trusts the run's
certificate by its key (``--ignore-certificate-errors-spki-list``), so an HTTPS page is a secure
context as it is on a real server. Chromium missing is a failure, never a skip: ``make test``
installs it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from deploy.tls import Certificate
from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from survey.models import Response
from tests import factories
from tests.helpers import make_app, reset_database, scratch_database_url
from tests.stack import PROXY_MODE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # A camera that shows a test pattern, granted without a prompt where a context allows it
    # (the kiosk's scan of a receipt's code).
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
]


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str

    def count_responses(self, **filters: object) -> int:
        """Responses stored so far, read through the app's own session."""
        with self.app.app_context():
            try:
                query = select(func.count()).select_from(Response).filter_by(**filters)
                return db.session.scalar(query) or 0
            finally:
                db.session.remove()

    def stored(self, **filters: object) -> list[Response]:
        with self.app.app_context():
            try:
                rows = list(db.session.scalars(select(Response).filter_by(**filters)))
                for row in rows:
                    _ = (row.answers, row.problems, row.instrument)  # loaded before the session goes
                db.session.expunge_all()
                return rows
            finally:
                db.session.remove()

    def new_kiosk(self) -> tuple[int, str]:
        """A kiosk at a service point of its own, and its one-time enrolment code."""
        with self.app.app_context():
            try:
                point = factories.make_service_point(db.session)
                kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy thử")
                db.session.commit()
                return kiosk.id, code
            finally:
                db.session.remove()

    def new_phone_survey(self) -> tuple[int, str]:
        """A service point of its own and the URL of its signed QR survey."""
        with self.app.app_context():
            try:
                point = factories.make_service_point(db.session)
                payload = SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                        service_point=point.code)
                db.session.commit()
                return point.id, f"{self.url}/s/{sign_payload(payload)}"
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if PROXY_MODE:
        running = request.getfixturevalue("stack")
        yield LiveServer(app=running.app, url=running.url)
        return
    app = make_app(scratch_database_url(tmp_path_factory, "browser"),
                   KIOSK_IDLE_SECONDS=2, KIOSK_THANKS_SECONDS=1, KIOSK_OUTBOX_WARN_SECONDS=2,
                   WTF_CSRF_ENABLED=True)
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(tls_certificate: Certificate) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package)")
    trust = f"--ignore-certificate-errors-spki-list={tls_certificate.spki_sha256}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, trust]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def enrol(live_server: LiveServer, page: Page) -> int:
    """Enrol ``page`` as a new kiosk through the enrolment page; returns the kiosk's id."""
    kiosk_id, code = live_server.new_kiosk()
    page.goto(f"{live_server.url}/kiosk/enrol")
    page.get_by_label("Mã kích hoạt").fill(code)
    page.get_by_role("button", name="Kích hoạt").click()
    page.wait_for_url(f"{live_server.url}/kiosk")
    page.locator("#attract").wait_for(state="visible")
    return kiosk_id


def worker_controls(page: Page) -> None:
    """Wait until the kiosk's service worker controls ``page``: it has then cached the page, its
    assets and its later steps. (Polled from Python: wait_for_function's in-page polling would
    need 'unsafe-eval', which our CSP refuses.)"""
    for _ in range(100):
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    pytest.fail("the service worker never took control of the kiosk page")


@pytest.fixture
def kiosk_without_worker(live_server: LiveServer, browser: Browser) -> Iterator[tuple[Page, int]]:
    """An enrolled kiosk whose service worker is blocked: no cached copy of its later steps, and
    every request seen by Playwright's routes (a route may miss a request made while a service
    worker controls the page, microsoft/playwright#7588)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN",
                                  service_workers="block")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page, enrol(live_server, page)
    finally:
        context.close()


@pytest.fixture
def kiosk_page(live_server: LiveServer, page: Page) -> tuple[Page, int]:
    """A tablet enrolled through the enrolment page with a one-time code, on its attract screen."""
    return page, enrol(live_server, page)
