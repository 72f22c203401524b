"""Rate limits per device and per person, in memory and in Redis; a 429 is friendly, or JSON.

Every client here comes from one address, as an office behind one router (or every citizen
behind a proxy that is not trusted) does: the limits that bite must count kiosks, browser
sessions, signed links, enrolment codes and accounts, not the address. The same limits through
nginx over HTTPS are in tests/survey/test_stack.py.

Flask-Limiter's ``limiter`` is one object shared by every app of the process; each test here makes
an app with limits on and then puts the shared object back as it was, so that the rest of the
suite (limits off) is not disturbed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db, limiter
from survey.models import Response
from tests.factories import make_service_point
from tests.helpers import CSRF_INPUT, make_app

REDIS_URL = "redis://127.0.0.1:6379/0"
OFFICE = "10.0.0.1"
LIMITS = {"KIOSK_RATE_LIMIT": "3 per minute", "PHONE_RATE_LIMIT": "3 per minute",
          "QR_RATE_LIMIT": "1000 per minute", "ENROL_RATE_LIMIT": "3 per minute",
          "ADDRESS_RATE_LIMIT": "1000 per minute", "LOGIN_RATE_LIMIT": "3 per minute",
          "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute", "API_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def limited(app: Flask) -> Iterator[Callable[..., Flask]]:
    """``limited(**config)``: an app on the test database with CSRF and rate limits on (3 a minute)."""
    saved = dict(vars(limiter))

    def _make(**overrides: object) -> Flask:
        # Settings that Flask-Limiter keeps from the first app it was joined to.
        limiter._swallow_errors = None
        limiter._key_prefix = ""
        limiter._strategy = None
        # PHONE_REPEAT_MINUTES=0: a browser may answer again at once, so the limits are what refuse.
        settings = {"RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": True, "PHONE_REPEAT_MINUTES": 0,
                    **LIMITS, **overrides}
        return make_app(app.config["DATABASE_URL"], **settings)

    yield _make
    vars(limiter).clear()
    vars(limiter).update(saved)


def signed_point(app: Flask) -> str:
    with app.app_context():
        point = make_service_point(db.session)
        signed = sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code))
        db.session.commit()
        db.session.remove()
    return signed


@pytest.fixture
def token(app: Flask) -> str:
    return signed_point(app)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


class Phone:
    """One citizen's browser: its own session, from the office's address unless told otherwise."""

    def __init__(self, app: Flask, token: str, address: str = OFFICE, **headers: str) -> None:
        self.client, self.url, self.address, self.headers = app.test_client(), f"/s/{token}", address, headers
        page = self.client.get(self.url, environ_base={"REMOTE_ADDR": address}, headers=headers)
        match = CSRF_INPUT.search(page.get_data(as_text=True))
        assert match, page.status_code
        self.csrf = match.group(1)

    def send(self, key: str | None = None, **headers: str):
        data = {"idempotency_key": key or uuid.uuid4().hex, "q_overall": "5", "csrf_token": self.csrf}
        return self.client.post(self.url, data=data, environ_base={"REMOTE_ADDR": self.address},
                                headers={**self.headers, **headers})


def test_a_phone_past_its_limit_gets_a_friendly_page_that_keeps_its_answers(limited, token):
    app = limited()
    phone = Phone(app, token)
    with app.app_context():
        before = stored()
    assert [phone.send().status_code for _ in range(3)] == [303, 303, 303]
    refused = phone.send(key="k" * 32)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Xin chờ một chút" in page
    assert 1 <= int(refused.headers["Retry-After"]) <= 60  # the minute window ends within a minute
    # The answers just sent are on the page, with their key, behind a "Gửi lại" button.
    assert re.search(r'<form method="post" action="/s/[^"]+">', page)
    assert 'name="idempotency_key" value="' + "k" * 32 + '"' in page
    assert 'name="q_overall" value="5"' in page
    assert "Gửi lại" in page
    with app.app_context():
        assert stored() - before == 3
    assert Phone(app, token).send().status_code == 303  # the next citizen at the same desk
    # Once the window has passed, "Gửi lại" sends the same answers, and a second press counts once.
    limiter.reset()
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    for _press in range(2):
        again = phone.client.post(phone.url, data=kept, environ_base={"REMOTE_ADDR": OFFICE})
        assert again.status_code == 303
    with app.app_context():
        assert stored() - before == 5
        assert db.session.scalar(select(func.count()).select_from(Response)
                                 .filter_by(idempotency_key="k" * 32)) == 1


def test_an_office_of_phones_behind_one_address_is_not_limited_as_one_person(limited, token):
    app = limited()
    phones = [Phone(app, token) for _ in range(12)]
    statuses = [phone.send().status_code for phone in phones for _ in range(2)]
    assert statuses == [303] * 24  # 24 answers from one address, 3 a minute per person


def test_the_address_guard_still_stops_one_address_flooding(limited, token):
    app = limited(ADDRESS_RATE_LIMIT="5 per minute")
    statuses = [Phone(app, token).send().status_code for _ in range(7)]  # a new session each time
    assert statuses == [303] * 5 + [429] * 2
    assert Phone(app, token, address="10.0.0.2").send().status_code == 303


def test_a_signed_link_has_a_limit_of_its_own(limited, app):
    app_limited = limited(QR_RATE_LIMIT="4 per minute")
    poster, other = signed_point(app), signed_point(app)
    statuses = [Phone(app_limited, poster).send().status_code for _ in range(5)]
    assert statuses == [303] * 4 + [429]
    assert Phone(app_limited, other).send().status_code == 303


def test_callers_asking_for_json_get_a_json_429_with_retry_after(limited, token):
    app = limited()
    phone = Phone(app, token, Accept="application/json")
    for _ in range(3):
        phone.send()
    refused = phone.send()
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["status"] == 429
    assert body["retry_after"] == int(refused.headers["Retry-After"])


class Tablet:
    """An enrolled kiosk: its device cookie and a CSRF token, from the office's address."""

    def __init__(self, app: Flask, client: FlaskClient | None = None) -> None:
        with app.app_context():
            _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Quầy")
            db.session.commit()
            db.session.remove()
        self.client = client or app.test_client()
        assert enrol(self.client, code).status_code == 302
        self.csrf = self.client.get("/kiosk/token").get_json()["csrf_token"]

    def send(self):
        data = {"idempotency_key": uuid.uuid4().hex, "q_overall": "4", "csrf_token": self.csrf}
        return self.client.post("/kiosk", data=data, environ_base={"REMOTE_ADDR": OFFICE},
                                headers={"Accept": "application/json"})


def enrol(client: FlaskClient, code: str):
    page = client.get("/kiosk/enrol").get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match
    return client.post("/kiosk/enrol", data={"code": code, "csrf_token": match.group(1)},
                       environ_base={"REMOTE_ADDR": OFFICE})


def test_each_kiosk_is_limited_by_its_device_never_by_the_office_address(limited):
    app = limited()
    desks = [Tablet(app) for _ in range(4)]
    assert [desk.send().status_code for desk in desks for _ in range(3)] == [200] * 12
    flooded = desks[0].send()
    assert flooded.status_code == 429
    assert flooded.get_json()["status"] == 429  # the outbox keeps it and tries later
    assert int(flooded.headers["Retry-After"]) >= 1
    # The other desks of the office are not touched by one desk's flood.
    newcomer = Tablet(app)
    assert [newcomer.send().status_code for _ in range(3)] == [200] * 3


def test_a_fleet_enrols_from_one_office_and_a_code_has_its_own_limit(limited):
    app = limited()
    with app.app_context():
        point = make_service_point(db.session)
        fleet = kiosks.create_fleet(db.session, None, point, count=8)
        db.session.commit()
        db.session.remove()
    assert [enrol(app.test_client(), code).status_code for _kiosk, code in fleet] == [302] * 8
    guesses = [enrol(app.test_client(), "WRONG234").status_code for _ in range(4)]
    assert guesses == [200, 200, 200, 429]  # the form again with its error, then refused


def test_log_in_attempts_are_limited_per_account_and_per_address(limited, app):
    app_limited = limited(LOGIN_ADDRESS_RATE_LIMIT="8 per minute")
    client = app_limited.test_client()

    def attempt(email: str) -> int:
        page = client.get("/login").get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match
        return client.post("/login", data={"email": email, "password": "wrong", "csrf_token": match.group(1)},
                           environ_base={"REMOTE_ADDR": OFFICE}).status_code

    assert [attempt("a@example.gov.vn") for _ in range(4)] == [401, 401, 401, 429]
    assert [attempt(f"{n}@example.gov.vn") for n in range(5)] == [401, 401, 401, 401, 429]


def test_every_api_write_is_limited(limited):
    app = limited(WTF_CSRF_ENABLED=False)
    writes = [rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and not rule.arguments
              and {"POST", "PUT", "PATCH", "DELETE"} & set(rule.methods or ())]
    assert writes, "the API should have write routes"
    client = app.test_client()
    for rule in writes:
        statuses = [client.post(rule.rule, json={}).status_code for _ in range(4)]
        assert statuses[-1] == 429, (rule.rule, statuses)


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(limited, token):
    app = limited(ADDRESS_RATE_LIMIT="3 per minute")
    spoofed = [Phone(app, token, **{"X-Forwarded-For": f"192.0.2.{i}"}).send().status_code for i in range(4)]
    assert spoofed[-1] == 429  # a client cannot dodge the address guard by inventing addresses

    app = limited(ADDRESS_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=1)
    behind_proxy = [Phone(app, token, address="10.9.9.9", **{"X-Forwarded-For": f"192.0.2.{i}"}).send()
                    for i in range(4)]
    assert [r.status_code for r in behind_proxy] == [303] * 4  # four addresses behind one proxy


@pytest.fixture
def redis_prefix() -> Iterator[tuple[redis.Redis, str]]:
    server = redis.Redis.from_url(REDIS_URL)
    server.ping()  # `make test` needs the local Redis: a missing one is a failure, not a skip
    prefix = f"survey-test-{uuid.uuid4().hex[:12]}"
    yield server, prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def test_redis_storage_keeps_the_counts_shared_by_every_worker(limited, token, redis_prefix):
    server, prefix = redis_prefix
    app = limited(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    phone = Phone(app, token)
    assert [phone.send().status_code for _ in range(4)] == [303, 303, 303, 429]
    keys = list(server.scan_iter(f"*{prefix}*"))
    assert keys, "no rate-limit key in Redis"
    assert max(int(server.get(key) or 0) for key in keys) >= 3
    with phone.client.session_transaction() as session:
        secret = session["csrf_token"].encode()
    assert any(b"session:" in key for key in keys)
    assert not any(secret in key for key in keys)  # counted by a hash, never by the secret itself
    for key in keys:  # another worker resetting the shared count lets the client in again
        server.delete(key)
    assert phone.send().status_code == 303


def test_a_redis_outage_falls_back_to_memory_and_never_refuses_with_500(limited, token):
    app = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    phone = Phone(app, token)
    statuses = [phone.send().status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_the_429_page_reads_as_plain_vietnamese(limited, token):
    app = limited(PHONE_RATE_LIMIT="1 per minute")
    phone = Phone(app, token)
    phone.send()
    page = phone.send().get_data(as_text=True)
    assert "Các câu trả lời vẫn còn nguyên" in page
    assert "giây" in page
    assert "Too Many" not in page
