"""A consistent copy of a SQLite database while the app keeps serving.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by page as one
snapshot, WAL included, so a backup taken during submissions holds every response that was
committed before it started, each with all its answers, and nothing half-written. The copy is
written to a temporary file, checked (``PRAGMA integrity_check``) and then renamed into place.

PostgreSQL is backed up with its own tools; this command refuses and prints them (see
docs/reliability.md):

    pg_dump --format=custom --file=survey.dump "$DATABASE_URL"
    pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" survey.dump
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

PG_ROUTE = (
    "PostgreSQL: use its own tools, which take a consistent snapshot too:\n"
    "  pg_dump --format=custom --file=survey-$(date -u +%Y%m%dT%H%M%SZ).dump \"$SURVEY_DATABASE_URL\"\n"
    "  restore: pg_restore --clean --if-exists --no-owner --dbname=\"$SURVEY_DATABASE_URL\" FILE.dump\n"
    "(drop '+psycopg' from the URL for pg_dump; see docs/reliability.md)"
)


class BackupError(RuntimeError):
    """The database cannot be backed up by this command."""


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL; :class:`BackupError` for other databases or in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_ROUTE if url.get_backend_name() == "postgresql" else
                          f"cannot back up a {url.get_backend_name()} database")
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def backup_sqlite(source: Path, output: Path) -> int:
    """Copy ``source`` to ``output`` with the online backup API; returns the responses in the copy."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        # One step: a single read transaction, so one snapshot. In WAL mode writers go on
        # meanwhile (copying in several steps would restart whenever another connection writes).
        live.backup(copy)
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed its integrity check")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        responses = copy.execute("SELECT count(*) FROM response").fetchone()[0]
    finally:
        copy.close()
        live.close()
    os.replace(partial, output)
    return int(responses)


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"survey-{stamp}.sqlite3"
