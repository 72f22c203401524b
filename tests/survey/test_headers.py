"""Hardening, checked on a production-configured app over HTTPS.

Every GET route of the URL map that needs no parameter, plus the pages that do (a QR survey, the
enrolled kiosk, error pages), is fetched as an anonymous visitor and as an administrator. Each
must carry the security headers, set only Secure/HttpOnly/SameSite cookies, and contain no inline
script, inline style or event-handler attribute (the CSP forbids them, so they would silently break).
A view that raises, on a test-only blueprint, shows the friendly page and no traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import factories
from tests.helpers import CSRF_INPUT, make_app, reset_database, scratch_database_url

SECRET = "a-real-production-secret-for-the-header-test-0123456789"
BASE = "https://survey.example.gov.vn"
MARKER = "boom-marker-7f3a"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"<[^>]+\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"href\s*=\s*[\"']?javascript:", re.I), "javascript: URL"),
]


def _raising_blueprint() -> Blueprint:
    """Test-only routes that fail on purpose; the app itself has no such route."""
    bp = Blueprint("boom", __name__)

    @bp.get("/__test__/boom")
    def boom() -> str:
        raise RuntimeError(MARKER)

    @bp.get("/api/v1/__test__/boom")
    def api_boom() -> str:
        raise KeyError(MARKER)

    return bp


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, str]]]:
    app = make_app(scratch_database_url(tmp_path_factory, "headers"), ENV="production",
                   SECRET_KEY=SECRET, DOSSIER_KEY=SECRET + "-dossier", WTF_CSRF_ENABLED=True)
    app.register_blueprint(_raising_blueprint())
    assert not app.testing
    assert app.config["SESSION_COOKIE_SECURE"]
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        point = factories.make_service_point(db.session)
        admin = factories.make_user(db.session, role="admin")
        _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy 1")
        for i in range(40):  # enough for figures, charts and tables to render with data
            factories.make_response(db.session, unit=point.unit, service_point=point,
                                    ratings={"overall": 1 + i % 5, "staff.courteous": 1 + i % 4})
        facts = {"admin": admin.email, "kiosk_code": code,
                 "token": sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code))}
        db.session.commit()
        db.session.remove()
    yield app, facts
    with app.app_context():
        db.engine.dispose()


def post_form(client: FlaskClient, path: str, data: dict[str, str]):
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return client.post(path, data={**data, "csrf_token": match.group(1)},
                       headers={"Referer": f"{BASE}{path}"})


def check_response(path: str, response, *, failing: bool = False) -> list[str]:
    """What is wrong with ``response``'s headers, cookies and HTML (``failing``: a 5xx is expected)."""
    problems = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    if "unsafe-inline" in csp or "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
        problems.append(f"{path}: CSP {csp!r}")
    for name, value in [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                        ("Referrer-Policy", "same-origin")]:
        if headers.get(name) != value:
            problems.append(f"{path}: {name} is {headers.get(name)!r}")
    if "max-age=" not in headers.get("Strict-Transport-Security", ""):
        problems.append(f"{path}: no HSTS")
    for cookie in headers.getlist("Set-Cookie"):
        attributes = cookie.lower()
        for needed in ("secure", "httponly", "samesite="):
            if needed not in attributes:
                problems.append(f"{path}: cookie without {needed}: {cookie.split('=')[0]}")
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        problems += [f"{path}: {what}" for pattern, what in INLINE if pattern.search(html)]
    if response.status_code >= 500 and not failing:
        problems.append(f"{path}: status {response.status_code}")
    return problems


def plain_get_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static"
        and not rule.rule.startswith("/__test__") and "__test__" not in rule.rule
    )


def test_every_page_carries_the_security_headers_for_anonymous_and_admin(prod):
    app, facts = prod
    anonymous = app.test_client()
    admin = app.test_client()
    login = post_form(admin, "/login", {"email": facts["admin"], "password": factories.PASSWORD})
    assert login.status_code == 302, "the administrator could not log in"
    kiosk = app.test_client()
    assert post_form(kiosk, "/kiosk/enrol", {"code": facts["kiosk_code"]}).status_code == 302
    extra = [f"/s/{facts['token']}", "/s/not-a-token", "/no-such-page", "/thanks?result=dossier_used"]
    problems: list[str] = []
    fetched = 0
    for client in (anonymous, admin):
        for path in plain_get_routes(app) + extra:
            problems += check_response(path, client.get(path, base_url=BASE))
            fetched += 1
    for path in ("/kiosk", "/kiosk/thanks", "/kiosk/token"):
        problems += check_response(f"kiosk {path}", kiosk.get(path, base_url=BASE))
    # Cookies set by log-in and enrolment are checked too.
    problems += check_response("POST /login", post_form(
        app.test_client(), "/login", {"email": facts["admin"], "password": factories.PASSWORD}))
    assert fetched >= 2 * len(extra) + 10
    assert problems == []


def test_login_session_and_kiosk_cookies_are_secure_httponly_samesite(prod):
    app, facts = prod
    client = app.test_client()
    response = post_form(client, "/login", {"email": facts["admin"], "password": factories.PASSWORD})
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "session" in cookies
    assert all(flag in cookies["session"] for flag in ("Secure", "HttpOnly", "SameSite=Lax"))


@pytest.mark.parametrize(("path", "kind"), [("/__test__/boom", "text/html"),
                                            ("/api/v1/__test__/boom", "application/json")])
def test_an_unexpected_error_in_production_shows_no_traceback(prod, path, kind):
    app, _facts = prod
    response = app.test_client().get(path, base_url=BASE)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == kind
    assert "Traceback" not in body
    assert MARKER not in body
    assert "RuntimeError" not in body
    assert "KeyError" not in body
    assert check_response(path, response, failing=True) == []


def test_an_unreachable_database_gives_a_clean_503_page(tmp_path):
    """SQLite cannot open a file in a missing folder: the same OperationalError as a database down."""
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}", ENV="production",
                   SECRET_KEY=SECRET)
    with app.app_context():
        token = sign_payload(SurveyPayload("sipas-full", "U1"))
    response = app.test_client().get(f"/s/{token}", base_url=BASE)
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Hệ thống đang bận" in body
    assert "Traceback" not in body
    assert "sqlite" not in body.lower()
    assert check_response("503 page", response, failing=True) == []
