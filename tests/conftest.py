"""Fixtures shared by every test.

The database is built by migrating (never ``create_all``), once per run, on SQLite by default or
on the server named by ``SURVEY_TEST_DATABASE_URL`` (``.ci/run`` sets it to the local PostgreSQL).
Each test then runs inside a transaction that is rolled back, so tests cannot see each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from survey import create_app
from survey.collection import instruments
from survey.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("SURVEY_TEST_DATABASE_URL")


def database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.sqlite3'}"


def scratch_database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A database of its own for tests that need committed data or drop the schema.

    On SQLite a new file; on PostgreSQL a database ``<test database>_<name>`` on the same server,
    created if missing.
    """
    if not TEST_DATABASE_URL:
        return database_url(tmp_path_factory, name)
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DATABASE_URL)
    scratch = f"{url.database}_{name}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": scratch}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    engine.dispose()
    return url.set(database=scratch).render_as_string(hide_password=False)


def make_app(url: str, **overrides: object) -> Flask:
    config = {
        "ENV": "testing",
        "SECRET_KEY": "test-secret",
        "DOSSIER_KEY": "test-dossier-key",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "KIOSK_IDLE_SECONDS": 2,
        "KIOSK_THANKS_SECONDS": 1,
    }
    config.update(overrides)
    return create_app(config)


def reset_database(app: Flask) -> None:
    """An empty database, migrated to head."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()


@contextmanager
def committed_app(url: str) -> Iterator[Flask]:
    """An app on a database of its own, migrated, with the instruments, whose commits are real."""
    app = make_app(url)
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(database_url(tmp_path_factory, "db"))
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        db.session.commit()
        db.session.remove()
    return app


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


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``, as a browser would read it."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient, app: Flask):
    """``login(role="admin")`` creates a user of that role and logs the client in as them."""

    def _login(role: str = "admin", unit=None):
        with app.app_context():
            user = factories.make_user(db.session, role=role, unit=unit)
            db.session.commit()
            who = SimpleNamespace(id=user.id, email=user.email, role=user.role,
                                  unit_id=user.unit_id)
        with client.session_transaction() as session:
            session["_user_id"] = str(who.id)
            session["_fresh"] = True
        return who

    return _login


ROOT = Path(__file__).resolve().parent.parent
