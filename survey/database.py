"""Engine settings that differ by backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import event

from survey.extensions import AnySession, db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


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
    cursor.close()


# GET views that write (the kiosk page records the tablet's last contact).
WRITING_GETS = {"public.kiosk"}


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
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


@contextmanager
def reading_first(session: AnySession) -> Iterator[None]:
    """Run the reads that come before a write in a transaction of their own, ended on leaving.

    On SQLite a writing request takes the database's one write lock when its transaction begins
    (see ``_sqlite_begin``). A submission first looks up its kiosk or QR code and validates the
    form; doing that in a deferred transaction, and beginning the write only afterwards, holds
    the lock for the inserts alone, so that concurrent submissions wait less for each other.
    Rows loaded inside are expired on leaving: take plain values out, not ORM objects.
    """
    g.reading_first = True
    try:
        yield
    finally:
        g.reading_first = False
    session.rollback()  # nothing was written; the next statement begins the write transaction
