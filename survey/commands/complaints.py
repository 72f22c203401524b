"""``flask --app wsgi complaints check|digest|purge|import``: the timed jobs of phản ánh, kiến nghị,
and the 1022 import. Each is safe to run twice.

A systemd timer (or cron) runs ``check`` hourly, ``digest`` each morning and ``purge`` nightly;
``outbox run`` then sends what they wrote.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO

import click
from flask import current_app
from flask.cli import AppGroup

from survey.casework import contacts, intake, routine
from survey.commands.common import fail
from survey.csvfiles import ImportFailed
from survey.extensions import db

command = AppGroup("complaints", help="Phản ánh, kiến nghị: deadlines, digest, retention, 1022 import.")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@command.command("check")
@click.option("--today", "on", type=click.DateTime(["%Y-%m-%d"]), help="Check as of this local day.")
def check_command(on: datetime | None) -> None:
    """Escalate overdue cases, remind before deadlines, close long-answered cases."""
    done = routine.check(db.session, today=_day(on))
    db.session.commit()
    click.echo(f"complaints: {done.escalated} escalated, {done.reminded} reminders, {done.closed} closed")


@command.command("digest")
@click.option("--day", "on", type=click.DateTime(["%Y-%m-%d"]),
              help="The day summarised (default yesterday).")
def digest_command(on: datetime | None) -> None:
    """Write Sở Nội vụ's daily digest to the outbox (once per day)."""
    found = routine.digest(db.session, day=_day(on))
    db.session.commit()
    click.echo(f"digest of {found.day}: {len(found.received)} received, {found.open_count} open, "
               f"{len(found.overdue)} overdue")


@command.command("purge")
def purge_command() -> None:
    """Delete the contact details of cases closed longer ago than CONTACT_RETENTION_DAYS."""
    days = int(current_app.config["CONTACT_RETENTION_DAYS"])
    count = contacts.purge(db.session, retention_days=days)
    db.session.commit()
    click.echo(f"complaints: contact details of {count} closed cases deleted (retention {days} days)")


@command.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_command(file: IO[str]) -> None:
    """Import 1022 tickets from a CSV file; all or nothing; tickets stored before are left."""
    try:
        report = intake.import_tickets(db.session, None, file)
    except ImportFailed as error:
        fail(error)
    db.session.commit()
    click.echo(f"1022: {report.stored} stored, {report.already} already there")
