"""Through nginx over HTTPS, as deployed: production headers, CSRF strict, limits per device.

Every request here reaches the app through the stack's nginx from 127.0.0.1, so every kiosk and
phone shares one client address, as an office behind one router does. The limits are the
production defaults (survey/config.py), counted in Redis by two gunicorn workers.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from limits import parse
from sqlalchemy import func, select

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, sign_payload
from survey.config import DEFAULTS
from survey.extensions import db
from survey.models import QrCode, Response
from tests import factories
from tests.helpers import CSRF_INPUT
from tests.stack import RunningStack

pytestmark = pytest.mark.slow


def count(stack: RunningStack, **filters: object) -> int:
    with stack.app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(Response).filter_by(**filters)) or 0
        finally:
            db.session.remove()


def new_kiosks(stack: RunningStack, n: int) -> list[tuple[int, str]]:
    """``n`` kiosks at one new desk: (kiosk id, one-time code)."""
    with stack.app.app_context():
        try:
            point = factories.make_service_point(db.session)
            made = [(kiosk.id, code) for kiosk, code in kiosks.create_fleet(db.session, None, point, count=n)]
            db.session.commit()
            return made
        finally:
            db.session.remove()


def new_poster(stack: RunningStack) -> tuple[int, str, str]:
    """A desk with a QR code: (desk id, signed token, short code)."""
    with stack.app.app_context():
        try:
            point = factories.make_service_point(db.session)
            qr = factories.make_qr_code(db.session, point)
            db.session.commit()
            token = sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code, qr_id=qr.id))
            return point.id, token, qr.short_code
        finally:
            db.session.remove()


class Tablet:
    """A kiosk enrolled through the proxy, posting as kiosk.js does (JSON, a fresh CSRF token)."""

    def __init__(self, stack: RunningStack, code: str) -> None:
        self.stack, self.http = stack, stack.session()
        page = self.http.get(f"{stack.url}/kiosk/enrol")
        match = CSRF_INPUT.search(page.text)
        assert match
        enrolled = self.http.post(f"{stack.url}/kiosk/enrol", allow_redirects=False,
                                  data={"code": code, "csrf_token": match.group(1)})
        assert enrolled.status_code == 302, enrolled.text[:300]
        assert "secure" in enrolled.headers["Set-Cookie"].lower()
        self.token = self.http.get(f"{stack.url}/kiosk/token").json()["csrf_token"]

    def send(self, token: str | None = None, **headers: str) -> requests.Response:
        data = {"idempotency_key": uuid.uuid4().hex, "q_overall": "4", "csrf_token": token or self.token}
        return self.http.post(f"{self.stack.url}/kiosk", data=data,
                              headers={"Accept": "application/json", **headers})


def test_https_with_the_production_headers_and_plain_http_sent_to_https(stack):
    http = stack.session()
    home = http.get(f"{stack.url}/")
    assert home.status_code == 200
    assert "max-age=" in home.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["Referrer-Policy"] == "same-origin"
    assert home.headers["Server"] == "nginx"  # no version
    plain = requests.get(f"http://127.0.0.1:{stack.stack.http_port}/kiosk", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"{stack.url}/kiosk"


def test_a_kiosk_post_over_https_is_recorded_and_a_stale_token_gets_the_json_400(stack):
    [(kiosk_id, code)] = new_kiosks(stack, 1)
    tablet = Tablet(stack, code)
    recorded = tablet.send()
    assert (recorded.status_code, recorded.json()) == (200, {"status": "recorded"})
    stale = tablet.send(token="IjEyMyI.stale.token")
    assert stale.status_code == 400
    assert stale.json()["status"] == 400  # kiosk.js keeps the answer and retries with a fresh token
    assert stale.json()["error"] == "Phiên làm việc đã hết hạn"
    no_referer = tablet.send(Referer="")
    assert no_referer.status_code == 400  # strict over HTTPS: a POST must name its own origin
    assert no_referer.json()["status"] == 400
    foreign = tablet.send(Referer="https://example.org/kiosk")
    assert foreign.status_code == 400
    assert tablet.send().status_code == 200
    assert count(stack, kiosk_id=kiosk_id) == 2


def test_200_answers_a_minute_from_8_kiosks_behind_one_address_are_all_accepted(stack):
    fleet = new_kiosks(stack, 8)
    tablets = [Tablet(stack, code) for _kiosk, code in fleet]

    def desk(tablet: Tablet) -> list[int]:
        return [tablet.send().status_code for _ in range(25)]

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for per_desk in pool.map(desk, tablets) for s in per_desk]
    assert statuses == [200] * 200
    assert sum(count(stack, kiosk_id=kiosk_id) for kiosk_id, _code in fleet) == 200


def test_one_kiosk_flooding_is_limited_without_affecting_the_others(stack):
    per_minute = parse(DEFAULTS["KIOSK_RATE_LIMIT"]).amount
    fleet = new_kiosks(stack, 3)
    flooding, *others = [Tablet(stack, code) for _kiosk, code in fleet]
    # Over two limits' worth, so that a window ending during the flood still leaves some refused.
    flood = [flooding.send() for _ in range(2 * per_minute + 10)]
    refused = [r for r in flood if r.status_code == 429]
    assert refused, [r.status_code for r in flood][-5:]
    assert {r.status_code for r in flood} == {200, 429}
    assert refused[0].json()["status"] == 429
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert [tablet.send().status_code for tablet in others for _ in range(5)] == [200] * 10


def test_an_office_of_phones_behind_one_nat_is_not_limited_as_one_person(stack):
    point_id, token, _short = new_poster(stack)
    url = f"{stack.url}/s/{token}"

    def citizen(_n: int) -> int:
        http = stack.session()
        match = CSRF_INPUT.search(http.get(url).text)
        assert match
        sent = http.post(url, data={"idempotency_key": uuid.uuid4().hex, "q_overall": "5",
                                    "csrf_token": match.group(1)}, allow_redirects=False)
        return sent.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(citizen, range(80)))  # more than the old 60 a minute per address
    assert statuses == [303] * 80
    assert count(stack, service_point_id=point_id) == 80


def test_one_phone_sending_again_and_again_is_limited_and_keeps_its_answers(stack):
    _point, token, _short = new_poster(stack)
    url = f"{stack.url}/s/{token}"
    http = stack.session()
    csrf = CSRF_INPUT.search(http.get(url).text).group(1)  # type: ignore[union-attr]
    per_minute = parse(DEFAULTS["PHONE_RATE_LIMIT"]).amount
    def send(key: str) -> requests.Response:
        return http.post(url, data={"idempotency_key": key, "q_overall": "3", "csrf_token": csrf},
                         allow_redirects=False)

    statuses = [send(uuid.uuid4().hex).status_code for _ in range(2 * per_minute + 2)]
    assert 429 in statuses
    refused = send("z" * 32)
    assert refused.status_code == 429
    assert 'value="' + "z" * 32 + '"' in refused.text
    assert "Gửi lại" in refused.text


def test_a_fleet_enrols_from_one_office_through_the_proxy(stack):
    fleet = new_kiosks(stack, 15)  # more than the old log-in limit of 10 a minute per address
    tablets = [Tablet(stack, code) for _kiosk, code in fleet]
    assert all(tablet.token for tablet in tablets)


def test_a_short_link_leads_to_the_poster_survey_over_https(stack):
    _point, token, short = new_poster(stack)
    http = stack.session()
    typed = http.get(f"{stack.url}/q/{short.lower()}", allow_redirects=False)
    assert typed.status_code == 302
    assert typed.headers["Location"].endswith(f"/s/{token}")
    assert http.get(f"{stack.url}/q/{short}").status_code == 200
    with stack.app.app_context():
        try:
            qr = db.session.scalar(select(QrCode).filter_by(short_code=short))
            assert qr is not None
        finally:
            db.session.remove()
