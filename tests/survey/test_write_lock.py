"""On SQLite a submission holds the database's one write lock for its inserts only.

A writing request begins ``BEGIN IMMEDIATE``, which takes the lock at once (survey/database.py).
The kiosk and phone submissions first look their kiosk or QR code up and validate the form in a
deferred read transaction, so that two concurrent submissions wait for each other only while
inserting. A tablet's later answers in the same process are validated first, with the
questionnaire it asked last, and their write transaction begins with the kiosk's own look-up (one
read by its key) instead of a read transaction of its own. These tests read the statements the
app sends to a committed SQLite database (the per-test transaction of the other tests would hide
the BEGINs).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import factories
from tests.helpers import committed_app


@pytest.fixture
def sqlite_app(tmp_path) -> Iterator[Flask]:
    with committed_app(f"sqlite:///{tmp_path / 'lock.sqlite3'}") as app:
        yield app


@pytest.fixture
def statements(sqlite_app: Flask) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()[:3]))

    with sqlite_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def places(app: Flask) -> tuple[str, str]:
    """A kiosk's device secret and a poster token for the same desk."""
    with app.app_context():
        point = factories.make_service_point(db.session)
        _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy 1")
        _kiosk, secret = kiosks.enrol_kiosk(db.session, code)
        token = sign_payload(SurveyPayload("sipas-short", point.unit.code, point.code))
        db.session.commit()
    return secret, token


def transactions(sent: list[str]) -> list[list[str]]:
    """The statements grouped by the transaction they ran in."""
    grouped: list[list[str]] = []
    for statement in sent:
        if statement.startswith("BEGIN"):
            grouped.append([])
        if grouped:
            grouped[-1].append(statement)
    return grouped


def answers() -> dict[str, str]:
    return {"idempotency_key": uuid.uuid4().hex, "q_overall": "4", "q_staff__courteous": "2"}


def assert_reads_then_writes(sent: list[str]) -> None:
    grouped = transactions(sent)
    assert len(grouped) == 2, grouped
    reads, writes = grouped
    assert reads[0] == "BEGIN", reads
    assert all(s.startswith("SELECT") for s in reads[1:]), reads
    assert writes[0] == "BEGIN IMMEDIATE", writes
    assert writes[1].startswith("INSERT INTO response"), writes
    assert not any(s.startswith("SELECT") for s in writes), writes


def test_a_kiosk_submission_takes_the_write_lock_only_to_insert(sqlite_app, statements):
    secret, _token = places(sqlite_app)
    client = sqlite_app.test_client()
    client.set_cookie(kiosks.COOKIE, secret)
    statements.clear()
    reply = client.post("/kiosk", data=answers(), headers={"Accept": "application/json"})
    assert reply.get_json() == {"status": "recorded"}
    assert_reads_then_writes(statements)


def test_a_phone_submission_takes_the_write_lock_only_to_insert(sqlite_app, statements):
    _secret, token = places(sqlite_app)
    client = sqlite_app.test_client()
    statements.clear()
    assert client.post(f"/s/{token}", data=answers()).status_code == 303
    assert_reads_then_writes(statements)


def test_a_resend_is_found_without_a_savepoint_and_stores_nothing(sqlite_app, statements):
    secret, _token = places(sqlite_app)
    client = sqlite_app.test_client()
    client.set_cookie(kiosks.COOKIE, secret)
    data = answers()
    assert client.post("/kiosk", data=data, headers={"Accept": "application/json"}).status_code == 200
    statements.clear()
    reply = client.post("/kiosk", data=data, headers={"Accept": "application/json"})
    assert reply.get_json() == {"status": "duplicate"}
    writes = transactions(statements)[-1]
    assert not any(s.startswith(("SAVEPOINT", "INSERT INTO answer")) for s in writes), writes


def test_a_tablets_next_answer_reads_only_its_kiosk_under_the_lock(sqlite_app, statements):
    secret, _token = places(sqlite_app)
    client = sqlite_app.test_client()
    client.set_cookie(kiosks.COOKIE, secret)
    assert client.post("/kiosk", data=answers(), headers={"Accept": "application/json"}).status_code == 200
    statements.clear()
    reply = client.post("/kiosk", data=answers(), headers={"Accept": "application/json"})
    assert reply.get_json() == {"status": "recorded"}
    [writes] = transactions(statements)
    assert writes[0] == "BEGIN IMMEDIATE", writes
    assert writes[1].startswith("SELECT kiosk.id"), writes
    assert writes[2].startswith("INSERT INTO response"), writes
    assert not any(s.startswith("SELECT") for s in writes[2:]), writes


def test_a_post_from_a_browser_that_is_no_tablet_never_takes_the_lock(sqlite_app, statements):
    places(sqlite_app)
    client = sqlite_app.test_client()
    client.set_cookie(kiosks.COOKIE, "not-a-device-secret")
    for _ in range(2):
        statements.clear()
        assert client.post("/kiosk", data=answers()).status_code == 403
        assert [group[0] for group in transactions(statements)] == ["BEGIN"], statements


def test_the_kiosk_token_request_that_writes_takes_the_lock_first(sqlite_app, statements):
    """It stores what the tablet's outbox holds: begun deferred, it failed with "database is
    locked" (a 503) whenever another answer was committed between its read and its write."""
    secret, _token = places(sqlite_app)
    client = sqlite_app.test_client()
    client.set_cookie(kiosks.COOKIE, secret)
    statements.clear()
    assert client.get("/kiosk/token?waiting=2&oldest=1").status_code == 200
    [only] = transactions(statements)
    assert only[0] == "BEGIN IMMEDIATE", only
    assert any(s.startswith("UPDATE kiosk") for s in only), only


def test_writers_queue_for_the_lock_and_leave_it_at_commit(sqlite_app, tmp_path):
    """A second writer waits in the writers' queue (not in SQLite's sleeping busy handler) while
    the first holds the write lock, and goes in once the first commits."""
    import threading
    import time

    from sqlalchemy import text

    with sqlite_app.app_context():
        engine = db.engine
    entered, left, begun = threading.Event(), [], []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN") and threading.current_thread().name == "second":
            begun.append(time.monotonic())

    event.listen(engine, "before_cursor_execute", record)

    def second() -> None:
        with engine.begin() as connection:  # a thread outside a request: a writer
            left.append(time.monotonic())
            connection.execute(text("UPDATE unit SET name = name WHERE id = -1"))

    with engine.begin() as first:
        first.execute(text("UPDATE unit SET name = name WHERE id = -1"))
        held = first.connection.dbapi_connection
        assert held._holding
        assert (tmp_path / "lock.sqlite3-writers").exists()
        waiter = threading.Thread(target=second, name="second")
        waiter.start()
        entered.wait(0.2)
        assert not begun, "the second writer asked SQLite for the lock while the first held it"
        released = time.monotonic()
    waiter.join(5)
    event.remove(engine, "before_cursor_execute", record)
    assert begun
    assert left
    assert begun[0] >= released
    assert not held._holding


def test_a_second_connection_in_the_same_thread_does_not_wait_forever(sqlite_app):
    """A thread that holds the queue and writes through another connection gets SQLite's own
    "database is locked" after its busy timeout, never a wait without end."""
    from sqlalchemy import exc, text

    with sqlite_app.app_context():
        engine = db.engine
    with engine.begin() as first:
        first.execute(text("UPDATE unit SET name = name WHERE id = -1"))
        other = engine.connect()
        other.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
        with pytest.raises(exc.OperationalError, match="locked"):
            other.begin()
        other.invalidate()
        other.close()


def test_a_connection_committed_in_another_thread_leaves_the_queue_to_this_one(tmp_path):
    """The queue's one-per-thread rule follows the lock, not the thread that last took it."""
    import sqlite3
    import threading

    from survey.database import QueuedConnection

    path = str(tmp_path / "queue.sqlite3")
    first = sqlite3.connect(path, factory=QueuedConnection, check_same_thread=False)
    second = sqlite3.connect(path, factory=QueuedConnection)
    try:
        first.queue()
        assert first._holding
        committer = threading.Thread(target=first.commit)
        committer.start()
        committer.join(5)
        assert not first._holding
        second.queue()  # this thread's former holder has left: this one queues, and holds
        assert second._holding
        second.commit()
        assert not second._holding
    finally:
        first.close()
        second.close()
