"""Helpers shared by the tests (plain functions, no fixtures: those are in ``conftest.py``).

- databases: the test database URL, scratch databases, a PostgreSQL database whatever the suite
  runs on, an app on a database, a migrated reset, an app whose commits are real;
- HTTP: the CSRF token of a form, logging a test client in;
- a small world of units for the staff-route tests (unit A with a child ward and a merged
  predecessor, unit B, each with a desk, a kiosk and a QR code);
- crafted responses for the reporting tests.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey import create_app
from survey.administration import api_tokens
from survey.casework import cases
from survey.collection import instruments, integrity, kiosks
from survey.collection.responses import Context, Submission, record_response
from survey.extensions import db
from survey.messaging import webhooks
from survey.models import Instrument, ReportingDuty, ReportIssue, Response, SectorGroup, Target, Unit
from tests import factories
from tests.factories import make_qr_code, make_service_point, make_unit, make_user

ROOT = Path(__file__).resolve().parent.parent

# --- databases -------------------------------------------------------------------------------

TEST_DATABASE_URL = os.environ.get("SURVEY_TEST_DATABASE_URL")
TEST_CONTACT_KEY = "O-WuLn4Gs26vhhc7ZYp9rOXOkbfyBD-BexnYtx2sUjg="  # a Fernet key for tests only


def database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    if TEST_DATABASE_URL:
        return _postgres_database(TEST_DATABASE_URL, None)
    return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.sqlite3'}"


def scratch_database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A database of its own for tests that need committed data or drop the schema.

    On SQLite a new file; on PostgreSQL a database ``<test database>_<name>`` on the same server,
    created if missing.
    """
    if not TEST_DATABASE_URL:
        return database_url(tmp_path_factory, name)
    return _postgres_database(TEST_DATABASE_URL, name)


def postgres_database_url(name: str) -> str:
    """A database of its own on PostgreSQL whatever the suite runs on, for the tests of what only
    PostgreSQL has (the month partitions): ``<test database>_<name>`` on the suite's server on
    PostgreSQL runs; on SQLite runs, on the machine's server (127.0.0.1:5432, as ``.ci/run``
    starts it), named for the checkout so that checkouts side by side keep apart."""
    if TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"):
        return _postgres_database(TEST_DATABASE_URL, name)
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    return _postgres_database("postgresql+psycopg://postgres@127.0.0.1:5432/test", f"{name}_{checkout}")


def _postgres_database(base: str, suffix: str | None) -> str:
    """The URL of ``base``'s database (or ``<database>_<suffix>``), created on the server if missing,
    so that several checkouts can each run the suite on a database of their own."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{url.database}_{suffix}" if suffix else str(url.database)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


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
        "CONTACT_KEYS": TEST_CONTACT_KEY,
        "PUBLIC_URL": "http://hailong.test",
        "MAIL_DRIVER": "log",
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


# --- HTTP ------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``, as a browser would read it."""
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


# --- the staff-route world -------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Ids only: the objects would be detached once the building app context ends."""

    a: int
    a_child: int
    a_old: int  # a ward merged into a_child on 2025-07-01: its history is A's
    b: int
    point_a: int
    point_b: int
    point_old: int
    kiosk_a: int
    kiosk_b: int
    kiosk_old: int
    qr_a: int
    qr_b: int
    qr_old: int
    token_a: int
    user_a: int
    target: int
    instrument: int
    group: int
    complaint: int  # a phản ánh at a_child
    endpoint: int  # a webhook endpoint
    duty: int  # the quarterly reporting duty (seeded by migration)
    report_issue: int  # its draft for 2026-Q2


def build_world() -> World:
    session = db.session
    a = make_unit(session, level="department", name="Sở A")
    a_child = make_unit(session, parent=a, name="Phường thuộc A")
    a_old = make_unit(session, name="Phường cũ (trước 01/7/2025)", valid_from=date(2010, 1, 1),
                      valid_to=date(2025, 6, 30), successor=a_child)
    b = make_unit(session, name="Phường B")
    point_a = make_service_point(session, a_child)
    point_b = make_service_point(session, b)
    point_old = make_service_point(session, a_old, name="Bộ phận một cửa phường cũ")
    kiosk_a, _code = kiosks.create_kiosk(session, None, point_a, label="Quầy A")
    kiosk_b, _code = kiosks.create_kiosk(session, None, point_b, label="Quầy B")
    kiosk_old, _code = kiosks.create_kiosk(session, None, point_old, label="Quầy phường cũ")
    token, _secret = api_tokens.issue_token(session, a, label="một cửa A")
    target = Target(
        code="T-TEST",
        jurisdiction="can_tho",
        source_document="Kế hoạch thử",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        object="agency_service",
        operator=">=",
        threshold=0.9,
        needs_confirmation=True,
    )
    group = SectorGroup(code="test+group", name="Nhóm thử")
    session.add_all([target, group])
    session.flush()
    instrument = session.query(Instrument).filter_by(key="sipas-short").first()
    assert instrument is not None
    duty = session.query(ReportingDuty).filter_by(code="quy").one()
    issue = session.query(ReportIssue).filter_by(duty_id=duty.id, period_label="2026-Q2").first()
    if issue is None:
        issue = ReportIssue(duty_id=duty.id, period_label="2026-Q2", status="draft", pdf_attempts=0)
        session.add(issue)
        session.flush()
    world = World(
        a=a.id,
        a_child=a_child.id,
        a_old=a_old.id,
        b=b.id,
        point_a=point_a.id,
        point_b=point_b.id,
        point_old=point_old.id,
        kiosk_a=kiosk_a.id,
        kiosk_b=kiosk_b.id,
        kiosk_old=kiosk_old.id,
        qr_a=make_qr_code(session, point_a).id,
        qr_b=make_qr_code(session, point_b).id,
        qr_old=make_qr_code(session, point_old).id,
        token_a=token.id,
        user_a=make_user(session, role="unit_viewer", unit=a).id,
        target=target.id,
        instrument=instrument.id,
        group=group.id,
        complaint=cases.receive(session, None, cases.Intake(
            unit_id=a_child.id, kind="phan_anh", channel="desk", text="Phải chờ lâu"))[0].id,
        endpoint=webhooks.create_endpoint(session, None, label="IOC", url="http://127.0.0.1:9/hook",
                                          events=["complaint.created"])[0].id,
        duty=duty.id,
        report_issue=issue.id,
    )
    session.commit()
    return world


def login_as(app: Flask, client: FlaskClient, role: str, unit_id: int | None = None,
             **overrides: Any) -> int:
    """Log ``client`` in as a new user of ``role`` at unit ``unit_id``; returns the user's id."""
    with app.app_context():
        unit = db.session.get(Unit, unit_id) if unit_id else None
        user_id = make_user(db.session, role=role, unit=unit, **overrides).id
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return user_id


# --- crafted responses for the reporting tests -----------------------------------------------

MAY = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)  # 2026-Q2 in local time


def answer(session: Session, unit: Unit, ratings: dict[str, int], *, when: datetime = MAY,
           instrument: str = "sipas-short", comment: str | None = None,
           problems: tuple[str, ...] = (), excluded: bool = False, **context: Any) -> Response:
    found = instruments.current(session, instrument)
    assert found is not None
    key = uuid.uuid4().hex
    outcome = record_response(
        session,
        Context.of(found, unit, context.pop("channel", "kiosk"), **context),
        Submission(idempotency_key=key, ratings=ratings, submitted_at=when, comment=comment,
                   problems=list(problems)),
    )
    assert outcome == "recorded"
    response = session.query(Response).filter_by(idempotency_key=key).one()
    if excluded:
        integrity.mark_excluded(session, [response.id], excluded=True)
        session.refresh(response)
    return response


def many(session: Session, unit: Unit, satisfied: int, unsatisfied: int, **kwargs: Any) -> None:
    """``satisfied`` responses rating everything 5 and ``unsatisfied`` rating everything 2."""
    items = ("overall", "access.place", "procedure.as_posted", "staff.courteous",
             "result.as_promised", "feedback.easy")
    for value, count in ((5, satisfied), (2, unsatisfied)):
        for _i in range(count):
            answer(session, unit, dict.fromkeys(items, value), **kwargs)


def target(session: Session, *, code: str = "T-ADM", jurisdiction: str = "can_tho",
           object: str = "agency_service", threshold: float = 0.9, operator: str = ">=",
           sector_group: str | None = None, start: date = date(2026, 1, 1),
           end: date = date(2030, 12, 31)) -> Target:
    row = Target(code=code, jurisdiction=jurisdiction, source_document="Kế hoạch thử",
                 period_start=start, period_end=end, object=object, sector_group=sector_group,
                 operator=operator, threshold=threshold)
    session.add(row)
    session.flush()
    return row


SVG = re.compile(r"<svg[^>]*>.*?</svg>", re.S)


def decode_svg(svg: str) -> str:
    """Rasterise segno's SVG path (``M``/``m`` moves, ``h`` runs of dark modules) and decode it."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    grid = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            grid[int(y), int(x) : int(x + float(a))] = 0
            x += float(a)
    scaled = np.kron(grid, np.ones((8, 8), dtype=np.uint8))
    results = zxingcpp.read_barcodes(scaled)
    assert results, "no QR code found in the SVG"
    return str(results[0].text)


def kiosk_form(client: FlaskClient) -> dict[str, str]:
    """The enrolled kiosk's page as a tablet loads it: the idempotency key its form carries."""
    html = client.get("/kiosk").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key
    return {"idempotency_key": key.group(1)}
