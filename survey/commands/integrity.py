"""``flask --app wsgi integrity scan [--days N]``: flag suspicious responses (for a nightly timer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from survey.collection import integrity
from survey.extensions import db

command = AppGroup("integrity", help="Gaming detection.")


@command.command("scan")
@click.option("--days", type=int, default=None, help="Only responses of the last DAYS days (default: all).")
def scan_command(days: int | None) -> None:
    """Flag suspicious responses; prints how many each check flagged."""
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    counts = integrity.scan(db.session, integrity.Rules.from_config(current_app.config), since=since)
    db.session.commit()
    click.echo(", ".join(f"{flag}: {n}" for flag, n in counts.items()))
