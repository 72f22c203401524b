"""Fixtures shared by every test.

The database is built by migrating (never ``create_all``), once per run, on SQLite by default or
on the server named by ``SURVEY_TEST_DATABASE_URL`` (``.ci/run`` sets it to the local PostgreSQL).
Each test then runs inside a transaction that is rolled back, so tests cannot see each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker

from survey.collection import instruments
from survey.extensions import db
from tests import factories
from tests.fuzzing import CASES
from tests.helpers import database_url, make_app, reset_database
from tests.stack import RunningStack, new_certificate, running_stack


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(database_url(tmp_path_factory, "db"))
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory):
    """The run's TLS certificate: nginx serves it, Chromium trusts exactly its key."""
    return new_certificate(tmp_path_factory)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, tls_certificate) -> Iterator[RunningStack]:
    """nginx over HTTPS → gunicorn (2 workers, production settings) → the suite's database, Redis."""
    with running_stack(tmp_path_factory, tls_certificate) as running:
        yield running


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll back everything a test wrote (tests that use ``app`` only)."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    # No app context stays pushed during the test: each request must get its own, as in
    # production (otherwise ``g`` and the chosen locale would leak from one request to the next).
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        instruments.forget()  # a version published inside the test is gone with the rollback


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def csrf(app: Flask) -> Iterator[None]:
    """CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login(client: FlaskClient, app: Flask):
    """``login(role="admin")`` creates a user of that role (and ``overrides``, e.g. the per-person
    ``reads_comments``) and logs the client in as them."""

    def _login(role: str = "admin", unit=None, **overrides):
        with app.app_context():
            user = factories.make_user(db.session, role=role, unit=unit, **overrides)
            db.session.commit()
            who = SimpleNamespace(id=user.id, email=user.email, role=user.role,
                                  unit_id=user.unit_id)
        with client.session_transaction() as session:
            session["_user_id"] = str(who.id)
            session["_fresh"] = True
        return who

    return _login


@pytest.fixture(scope="module", autouse=True)
def _fuzz_report() -> Iterator[None]:
    """Append the number of cases tried to ``SURVEY_FUZZ_REPORT`` (read by bench/fuzz_count.py)."""
    yield
    path = os.environ.get("SURVEY_FUZZ_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as report:
            for name, count in sorted(CASES.items()):
                report.write(f"{name}\t{count}\n")
    CASES.clear()  # each module reports its own cases
