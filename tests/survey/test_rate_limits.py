"""Rate limits on submission, log-in and the API, in memory and in Redis; 429 is a friendly page.

Flask-Limiter's ``limiter`` is one object shared by every app of the process; each test here makes
an app with limits on and then puts the shared object back as it was, so that the rest of the
suite (limits off) is not disturbed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db, limiter
from survey.models import Response
from tests.factories import make_service_point
from tests.helpers import make_app

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMITS = {"SUBMIT_RATE_LIMIT": "3 per minute", "LOGIN_RATE_LIMIT": "3 per minute",
          "API_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def limited(app: Flask) -> Iterator[Callable[..., Flask]]:
    """``limited(**config)``: an app on the test database with rate limits on (3 a minute)."""
    saved = dict(vars(limiter))

    def _make(**overrides: object) -> Flask:
        # Settings that Flask-Limiter keeps from the first app it was joined to.
        limiter._swallow_errors = None
        limiter._key_prefix = ""
        limiter._strategy = None
        return make_app(app.config["DATABASE_URL"], RATELIMIT_ENABLED=True, **{**LIMITS, **overrides})

    yield _make
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        point = make_service_point(db.session)
        signed = sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code))
        db.session.commit()
    return signed


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def submit(client, token: str, address: str = "10.0.0.1", **headers: str):
    return client.post(f"/s/{token}", data={"idempotency_key": uuid.uuid4().hex, "q_overall": "5"},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_submissions_past_the_limit_get_a_friendly_429_and_are_not_stored(limited, token):
    app = limited()
    client = app.test_client()
    with app.app_context():
        before = stored()
    statuses = [submit(client, token).status_code for _ in range(5)]
    refused = submit(client, token)
    assert statuses == [303, 303, 303, 429, 429]
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60  # the minute window ends within a minute
    with app.app_context():
        assert stored() - before == 3
    other_citizen = submit(client, token, address="10.0.0.2")
    assert other_citizen.status_code == 303


def test_kiosk_and_api_callers_get_429_as_json(limited, token):
    app = limited()
    client = app.test_client()
    for _ in range(3):
        submit(client, token, Accept="application/json")
    refused = submit(client, token, Accept="application/json")
    assert refused.status_code == 429
    assert refused.get_json()["status"] == 429


def test_log_in_attempts_are_limited(limited):
    app = limited()
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "a@example.gov.vn", "password": "wrong"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_every_api_write_is_limited(limited):
    app = limited()
    writes = [rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and not rule.arguments
              and {"POST", "PUT", "PATCH", "DELETE"} & set(rule.methods or ())]
    assert writes, "the API should have write routes"
    client = app.test_client()
    for rule in writes:
        statuses = [client.post(rule.rule, json={}).status_code for _ in range(4)]
        assert statuses[-1] == 429, (rule.rule, statuses)


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(limited, token):
    app = limited()
    client = app.test_client()
    spoofed = [submit(client, token, **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code for i in range(4)]
    assert spoofed[-1] == 429  # a client cannot dodge the limit by inventing addresses

    app = limited(TRUSTED_PROXIES=1)
    client = app.test_client()
    behind_proxy = [submit(client, token, address="10.9.9.9", **{"X-Forwarded-For": f"192.0.2.{i}"})
                    for i in range(4)]
    assert [r.status_code for r in behind_proxy] == [303] * 4  # four citizens behind one proxy


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
    client = app.test_client()
    assert [submit(client, token).status_code for _ in range(4)] == [303, 303, 303, 429]
    keys = list(server.scan_iter(f"*{prefix}*"))
    assert keys, "no rate-limit key in Redis"
    assert max(int(server.get(key) or 0) for key in keys) >= 3
    for key in keys:  # another worker resetting the shared count lets the client in again
        server.delete(key)
    assert submit(client, token).status_code == 303


def test_a_redis_outage_falls_back_to_memory_and_never_refuses_with_500(limited, token):
    app = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    statuses = [submit(client, token).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
