"""Dashboards, reports and the public results read a real streaming replica; every write goes to the primary.

The module starts a hot standby of the machine's PostgreSQL (tests/replica.py: ``pg_basebackup
-R``, then ``pg_ctl`` on a free port) and an app with ``DATABASE_URL`` on the primary and
``REPORTING_DATABASE_URL`` on the replica, both naming a database of the run's own
(``<test database>_replica`` on PostgreSQL runs, ``test_replica_<checkout>`` on SQLite ones).
Answers are posted by an enrolled kiosk through the test client. While the replica's replay is
paused, a new answer is stored on the primary but the pages still show the old figures: they
were read from the replica, which shows the answer once replay resumes and catches up.

If the server cannot serve a replica (a setting, a ``pg_hba.conf`` rule), the tests fail saying
what is missing; ``.ci/allow-replication`` adds the rule (a reload, no restart).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import InternalError

from survey import config
from survey.collection import kiosks
from survey.database import ReadingSession, ReadOnlyError, reporting_engine, reporting_session
from survey.extensions import db
from survey.models import Response, Unit
from tests import factories
from tests.helpers import ROOT, TEST_DATABASE_URL, _postgres_database, make_app, reset_database
from tests.replica import Replica, refusal, streaming_replica

# The server the suite runs on if that is PostgreSQL, else the machine's (.ci/run starts it).
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))
SERVER = TEST_DATABASE_URL if ON_POSTGRES else "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# On SQLite runs, checkouts side by side each get a database of their own on the shared server.
CHECKOUT = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
ITEMS = ("q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
         "q_result__as_promised", "q_feedback__easy")


@dataclass
class Setup:
    app: Flask
    replica: Replica
    primary: Engine
    unit_code: str
    unit_name: str
    kiosk_secret: str
    admin_id: int


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    why = refusal(make_url(SERVER))
    if why:
        pytest.fail(f"no streaming replica can be made on this machine: {why}", pytrace=False)
    primary_url = _postgres_database(SERVER, "replica" if ON_POSTGRES else f"replica_{CHECKOUT}")
    migrating = make_app(primary_url)
    reset_database(migrating)
    with streaming_replica(primary_url) as replica:
        name = make_url(primary_url).database
        app = make_app(primary_url, REPORTING_DATABASE_URL=replica.url(str(name)), MIN_N=1)
        with app.app_context():
            factories.load_instruments()
            unit = factories.make_unit(db.session, level="department", name="Sở Thử Bản Sao")
            point = factories.make_service_point(db.session, unit, kind="hospital")
            _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy bản sao")
            _kiosk, secret = kiosks.enrol_kiosk(db.session, code)
            admin = factories.make_user(db.session, role="admin")
            found = Setup(app, replica, create_engine(primary_url), unit.code, unit.name, secret,
                          admin.id)
            db.session.commit()
        try:
            yield found
        finally:
            with app.app_context():
                db.engine.dispose()
                reporting = reporting_engine()
                assert reporting is not None
                reporting.dispose()
            found.primary.dispose()
            drop(primary_url)


def drop(url: str) -> None:
    """The database is the run's own: dropped at the end (the replica copies the whole server)."""
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    engine.dispose()


def kiosk_answer(client: FlaskClient, secret: str) -> None:
    """One answer as an enrolled tablet sends it (the real write path)."""
    client.set_cookie(kiosks.COOKIE, secret)
    data = {"idempotency_key": uuid.uuid4().hex, **dict.fromkeys(ITEMS, "5")}
    reply = client.post("/kiosk", data=data, headers={"Accept": "application/json"})
    assert reply.get_json() == {"status": "recorded"}, reply.get_data(as_text=True)


def staff(setup: Setup) -> FlaskClient:
    client = setup.app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(setup.admin_id)
        session["_fresh"] = True
    return client


def shown(setup: Setup, client: FlaskClient) -> dict[str, int]:
    """The number of answers each read-side page shows for the unit."""
    code = setup.unit_code
    report = client.get(f"/unit/report.json?unit={code}").get_json()
    dashboard = client.get(f"/unit/?unit={code}").get_data(as_text=True)
    results = client.get("/results").get_data(as_text=True)
    province = client.get("/admin/province/report.json").get_json()
    counted = {"report": next(g["n"] for g in report["groups"] if g["by"]["unit_code"] == code),
               "province": next((g["n"] for g in province["groups"] if g["by"]["unit_code"] == code), 0)}
    answers = re.search(r"trên (\d+) phiếu", dashboard)
    assert answers, dashboard
    counted["dashboard"] = int(answers.group(1))
    row = re.search(rf'<th scope="row">{setup.unit_name}</th>.*?class="num"[^>]*>(\d+)<', results)
    counted["results"] = int(row.group(1)) if row else 0
    return counted


def stored(setup: Setup) -> int:
    with setup.primary.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Response)).scalar_one())


# What differs between two servings of the same figures: the CSRF token's time, the charts' ids.
VARYING = re.compile(rb'name="csrf_token" value="[^"]*"|chart-[a-z]+\d+')


def read_side(setup: Setup, client: FlaskClient) -> dict[str, object]:
    """Every page of the read side for the unit, as served but for what dates the serving itself
    (:data:`VARYING`, an XLSX's "Lập lúc")."""
    code = setup.unit_code
    pages = [f"/unit/?unit={code}", f"/unit/report.json?unit={code}", f"/unit/report.csv?unit={code}",
             f"/unit/report.xlsx?unit={code}", f"/unit/report/print?unit={code}",
             f"/unit/responses.csv?unit={code}", "/unit/sector?sector=health", "/admin/province",
             "/admin/province/ranking",
             "/admin/province/report.json", "/results", f"/results/ban-in?unit={code}"]
    served: dict[str, object] = {}
    for page in pages:
        reply = client.get(page)
        assert reply.status_code == 200, page
        if page.startswith("/unit/report.xlsx"):
            book = load_workbook(io.BytesIO(reply.data))
            served[page] = [[row for row in sheet.values if row[0] != "Lập lúc"] for sheet in book]
        else:
            served[page] = VARYING.sub(b"", reply.data)
    return served


def test_the_read_side_reads_the_replica_and_shows_an_answer_after_the_lag(setup: Setup):
    kiosk = setup.app.test_client()
    for _ in range(3):
        kiosk_answer(kiosk, setup.kiosk_secret)
    setup.replica.catch_up(setup.primary)
    client = staff(setup)
    assert shown(setup, client) == dict.fromkeys(("report", "province", "dashboard", "results"), 3)
    before = read_side(setup, client)

    # The replica's connections are the reporting engine's (its pool keeps them open).
    assert setup.replica.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hailong-reporting'") >= 1
    assert setup.replica.scalar("SELECT pg_is_in_recovery()") is True

    setup.replica.pause()
    try:
        kiosk_answer(kiosk, setup.kiosk_secret)  # a write: to the primary, which stores it at once
        assert stored(setup) == 4
        assert shown(setup, client) == dict.fromkeys(("report", "province", "dashboard", "results"), 3)
        paused = read_side(setup, client)
        assert [page for page in before if paused[page] != before[page]] == []
    finally:
        setup.replica.resume()
    setup.replica.catch_up(setup.primary)
    assert shown(setup, client) == dict.fromkeys(("report", "province", "dashboard", "results"), 4)
    after = read_side(setup, client)
    assert [page for page in before if after[page] == before[page]] == []


def test_the_reporting_session_never_writes(setup: Setup):
    with setup.app.test_request_context():
        reading = reporting_session()
        assert isinstance(reading, ReadingSession)
        assert reading.get_bind().url.port == setup.replica.port
        assert reporting_session() is reading  # one per request
        reading.add(Unit(code="NEVER", name="Không bao giờ", level="commune"))
        with pytest.raises(ReadOnlyError):
            reading.flush()
        reading.rollback()
        with pytest.raises(InternalError, match="read-only transaction"):
            reading.execute(text("UPDATE unit SET name = name"))
        reading.rollback()
        assert db.session.get_bind().url.port != setup.replica.port  # writes: the primary


def test_without_a_replica_the_read_side_reads_the_primary(app):
    with app.test_request_context():
        assert reporting_session() is db.session


def test_a_replica_needs_a_postgresql_primary():
    with pytest.raises(config.ConfigError, match="REPORTING_DATABASE_URL"):
        make_app("sqlite://", REPORTING_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1/x")
