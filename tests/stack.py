"""The production-shaped stack for the tests: ``deploy.stack.Stack`` on the suite's database.

nginx over HTTPS (a certificate made for the run) → gunicorn with 2 workers in production
settings (``SURVEY_ENV=production``, CSRF strict, secure cookies, HSTS, the CSP, rate limits at
their defaults counted in Redis under a key prefix of the run's own) → the suite's database
(SQLite, or PostgreSQL under ``SURVEY_TEST_DATABASE_URL``). The test process reaches the same
database through an app of its own with the same secrets, to make kiosks and signed links and to
count what was stored.

Used by the ``stack`` fixture (tests/conftest.py), and by the browser suite when
``SURVEY_TEST_SERVER=proxy`` (``.ci/run`` runs the Chromium tests once more that way).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask

from deploy.stack import Stack
from deploy.tls import Certificate, make_certificate
from survey.extensions import db
from tests import factories
from tests.helpers import make_app, reset_database, scratch_database_url

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROXY_MODE = os.environ.get("SURVEY_TEST_SERVER") == "proxy"
# What the browser tests need of the kiosk's timers; everything else is left at production values.
SETTINGS = {"KIOSK_IDLE_SECONDS": 2, "KIOSK_THANKS_SECONDS": 1, "KIOSK_OUTBOX_WARN_SECONDS": 2}


@dataclass(frozen=True)
class RunningStack:
    app: Flask  # the test process's own app on the stack's database, with the stack's secrets
    url: str  # https://127.0.0.1:<port>
    stack: Stack
    certificate: Certificate

    def session(self) -> requests.Session:
        """An HTTP client that trusts the stack's certificate and sends a Referer, as a browser does."""
        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the certificate below
        http.verify = str(self.certificate.cert)
        http.headers["Referer"] = f"{self.url}/"
        return http


@contextmanager
def running_stack(tmp_path_factory: pytest.TempPathFactory, certificate: Certificate,
                  **settings: object) -> Iterator[RunningStack]:
    secret, dossier = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    url = scratch_database_url(tmp_path_factory, "stack")
    app = make_app(url, SECRET_KEY=secret, DOSSIER_KEY=dossier)
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        db.session.commit()
        db.session.remove()
    # Not under pytest's own temporary folder (owner-only): nginx's workers run unprivileged.
    run_dir = Path(tempfile.mkdtemp(prefix="survey-stack-"))
    prefix = f"survey-stack-{secrets.token_hex(6)}"
    stack = Stack(database_url=url, redis_url=REDIS_URL, secret_key=secret, dossier_key=dossier,
                  run_dir=run_dir, certificate=certificate,
                  settings={"RATELIMIT_KEY_PREFIX": prefix, **SETTINGS, **settings})
    try:
        with stack:
            yield RunningStack(app=app, url=stack.url, stack=stack, certificate=certificate)
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(run_dir, ignore_errors=True)
        counters = redis.Redis.from_url(REDIS_URL)
        for key in counters.scan_iter(f"*{prefix}*"):
            counters.delete(key)
        counters.close()


def new_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))
