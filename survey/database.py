"""Engine settings that differ by backend, and the reporting session: where the read side reads.

**The primary and the replica.** Every write (answers, admin edits, the audit log, log-ins, cases,
anything that flushes) goes through ``db.session`` on ``SURVEY_DATABASE_URL``, the primary. With
``SURVEY_REPORTING_DATABASE_URL`` set to a PostgreSQL streaming replica, the views that only show
figures read them through :func:`reporting_session` instead: the unit dashboard (``/unit/``), the
report downloads (``/unit/report.<fmt>``, ``/unit/report/print``, ``/unit/responses.csv``), the
sector view (``/unit/sector``), the province view, its ranking and its report (``/admin/province``,
``/admin/province/ranking``, ``/admin/province/report.<fmt>``), and the public results
(``/results``, ``/results/ban-in``).
Unset, :func:`reporting_session` is ``db.session`` and everything reads the primary, as before.

The rule for such a view:

- it passes :func:`reporting_session` to :mod:`survey.reporting` (and to the unit tree, the
  instruments and the export it reads for the figures), and never writes through it: the
  session refuses to flush anything (:class:`ReadingSession`) and the server refuses a write on
  its connections (``default_transaction_read_only``, also when the setting names the primary);
- who may see what is still decided on the primary: the logged-in user and
  :mod:`survey.administration.access` read ``db.session``, so a changed role or unit tree counts
  at once, and so does the audit head printed on a report;
- a view that also writes (an audit entry, a draft) writes through ``db.session`` and commits
  it, as every other view does.

A replica is behind the primary by its replication lag (usually well under a second): an answer
shows on the dashboards once the replica has replayed it (docs/deployment.md).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from survey.extensions import AnySession, db

REPORTING_ENGINE = "survey.reporting_engine"  # app.extensions key of the replica's engine


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    if app.config["REPORTING_DATABASE_URL"]:
        # Its own engine, not a Flask-SQLAlchemy bind: a bind would add a metadata to ``db`` that
        # ``create_all``/``drop_all`` then expect on every app. The application name shows its
        # connections in pg_stat_activity.
        app.extensions[REPORTING_ENGINE] = create_engine(
            app.config["REPORTING_DATABASE_URL"], pool_pre_ping=True,
            connect_args={"application_name": "hailong-reporting",
                          "options": "-c default_transaction_read_only=on"})
    app.teardown_appcontext(_close_reporting_session)


class ReadOnlyError(RuntimeError):
    """Something was about to be written through the reporting session."""


class ReadingSession(Session):
    """A session on the replica that only reads: a flush with anything to write is refused."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyError("the reporting session only reads: write through db.session")
        super().flush(objects)


def reporting_session() -> AnySession:
    """Where the read-only views read their figures: the replica if one is set, else ``db.session``.

    One session per app context (a request), closed at its end; see the module's rule.
    """
    engine = reporting_engine()
    if engine is None:
        return db.session
    session = g.get("_reporting_session")
    if session is None:
        session = g._reporting_session = ReadingSession(bind=engine, autoflush=False)
    return session


def reporting_engine() -> Engine | None:
    """The replica's engine, None when ``SURVEY_REPORTING_DATABASE_URL`` is unset."""
    return current_app.extensions.get(REPORTING_ENGINE)


def _close_reporting_session(_error: BaseException | None) -> None:
    session = g.pop("_reporting_session", None)
    if session is not None:
        session.close()


SQLITE_MMAP_BYTES = 1 << 30


def _sqlite_connect(dbapi_connection, _record) -> None:
    """WAL lets readers and one writer work at once; a busy timeout queues writers instead of failing.

    The driver's own transaction handling is switched off so that SQLAlchemy's BEGIN and
    SAVEPOINT reach SQLite as written (otherwise a savepoint can silently commit); see
    SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" for pysqlite.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads through a memory map of the file: another connection's commit empties this
        # connection's page cache, and every dashboard read after an answer would copy its pages
        # back in (the reporting cells' reads took twice as long while answers flowed).
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


# GET views that write: the kiosk page records the tablet's last contact, and its token request
# what its outbox holds. Begun deferred, such a request would read, then fail at once ("database
# is locked", a 503) if another writer had committed meanwhile, instead of waiting its turn.
WRITING_GETS = {"public.kiosk", "public.kiosk_token"}


def _sqlite_begin(connection) -> None:
    """Writers take the write lock up front (IMMEDIATE) so that they queue on busy_timeout.

    A deferred transaction that reads and then writes can fail at once with "database is
    locked" when another writer committed in between; reads stay deferred so that they never
    block each other.
    """
    reading = (has_app_context() and g.get("reading_first", False)) or (
        has_request_context()
        and request.method in ("GET", "HEAD")
        and request.endpoint not in WRITING_GETS
    )
    if not reading:
        dbapi = connection.connection.dbapi_connection
        if isinstance(dbapi, QueuedConnection):
            dbapi.queue()
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


@contextmanager
def reading_first(session: AnySession) -> Iterator[None]:
    """Run the reads that come before a write in a transaction of their own, ended on leaving.

    On SQLite a writing request takes the database's one write lock when its transaction begins
    (see ``_sqlite_begin``). A submission first looks up its kiosk or QR code and validates the
    form; doing that in a deferred transaction, and beginning the write only afterwards, holds
    the lock for the inserts alone, so that concurrent submissions wait less for each other.
    Rows loaded inside are expired on leaving: take plain values out, not ORM objects. Other
    databases have no such lock, and there the reads and the write stay one transaction (a
    second one would cost a second pool checkout and round trips, and gain nothing).
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    g.reading_first = True
    try:
        yield
    finally:
        g.reading_first = False
    session.rollback()  # nothing was written; the next statement begins the write transaction


QUEUE_POLL_SECONDS = 0.0002
QUEUE_WAIT_SECONDS = 10.0  # as PRAGMA busy_timeout: past it, SQLite's own wait decides
_queued = threading.local()


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection whose writers queue on a lock file before they take the write lock.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps 1, 2,
    5, 10 ms… between tries, and Python's ``sqlite3`` (3.11) offers no other handler. A kiosk
    answer holds the lock for about a millisecond, so two gunicorn workers lost more to those
    sleeps than they gained from each other: measured with bench/submit_load.py, two workers
    recorded fewer answers a second than one. Here a writer first takes ``<database>-writers``
    with ``flock`` (tried every 0.2 ms), then ``BEGIN IMMEDIATE`` finds the database free. The
    lock is left at commit, rollback or close, and by the kernel when a process dies. A thread
    that already holds it (a second connection in one thread), or a writer that waited past the
    busy timeout, goes straight to SQLite's own wait, so nothing can wait here forever.
    No library queues SQLite's writers across processes; this is the few lines it takes.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database)
        self._fd = (os.open(f"{name}-writers", os.O_RDWR | os.O_CREAT, 0o600)
                    if name != ":memory:" and not name.startswith("file:") else None)
        self._holding = False

    def queue(self) -> None:
        holder = getattr(_queued, "holder", None)  # this thread's connection in the queue, if any
        if self._fd is None or self._holding or (holder is not None and holder._holding):
            return
        deadline = time.monotonic() + QUEUE_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(QUEUE_POLL_SECONDS)
        self._holding, _queued.holder = True, self

    def _leave(self) -> None:
        if self._holding and self._fd is not None:
            self._holding = False  # a holder left from another thread is seen as gone
            if getattr(_queued, "holder", None) is self:
                _queued.holder = None
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
