"""``flask --app wsgi responses export|import|partitions|purge``: the response CSV of SPEC §3, the
month partitions of the responses on PostgreSQL, and the deletion of responses past their keeping
time."""

from __future__ import annotations

from datetime import date, datetime
from typing import IO

import click
from flask import current_app
from flask.cli import AppGroup

from survey.administration import access
from survey.collection import exporting, importing, partitions, retention
from survey.commands.common import fail, unit_by_code
from survey.csvfiles import ImportFailed
from survey.extensions import db
from survey.periods import today

command = AppGroup("responses", help="Citizens' responses.")


@command.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First local day.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last local day.")
@click.option("--unit", "unit_code", help="A unit code: its roll-up (subtree and merged predecessors).")
@click.option("--comments/--no-comments", default=False, help="Include the comment column.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
def export_responses(fmt: str, start: datetime | None, end: datetime | None, unit_code: str | None,
                     comments: bool, output: IO[str]) -> None:
    """Write responses as the response CSV of SPEC §3."""
    unit = unit_by_code(unit_code)
    unit_ids = None if unit is None else access.reach(db.session, unit)
    query = exporting.response_query(start=_day(start), end=_day(end), unit_ids=unit_ids)
    count = exporting.write_csv(db.session, output, query, with_comments=comments)
    click.echo(f"{count} responses", err=True)


@command.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_responses(file: IO[str]) -> None:
    """Import responses from a SPEC §3 CSV (paper surveys, other systems); all or nothing."""
    try:
        report = importing.import_responses(db.session, None, file)
    except ImportFailed as error:
        fail(error)
    db.session.commit()
    click.echo(f"responses: {report.recorded} recorded, {report.duplicates} already there, "
               f"{report.dossier_used} for a dossier already answered")


@command.command("partitions")
@click.option("--ahead", type=click.IntRange(0, 36), default=3, show_default=True,
              help="Months after this one to create partitions for.")
@click.option("--from", "since", type=click.DateTime(["%Y-%m"]),
              help="Also every month from this one (YYYY-MM), e.g. before a paper import of old years.")
def partitions_command(ahead: int, since: datetime | None) -> None:
    """Create the missing month partitions of response, answer and response_problem (PostgreSQL),
    and move into them the rows their months have in the default partitions. Idempotent."""
    if not partitions.partitioned(db.session):
        click.echo("Cơ sở dữ liệu không phân vùng theo tháng (SQLite): không có gì để làm.")
        return
    created = partitions.ensure(db.session, ahead=ahead, since=_day(since))
    db.session.commit()
    for done in created:
        moved = ", ".join(f"{table} {count}" for table, count in done.moved.items() if count)
        click.echo(f"Đã tạo phân vùng tháng {done.month:%m/%Y}"
                   + (f", chuyển từ phân vùng mặc định: {moved}" if moved else ""))
    have = partitions.months(db.session)["response"]
    click.echo(f"{len(created)} tháng mới; đã có phân vùng {min(have):%m/%Y} – {max(have):%m/%Y}."
               if have else "Chưa có phân vùng tháng nào.")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@command.command("purge")
@click.option("--before", type=click.DateTime(["%Y-%m"]),
              help="Delete the responses of every month before this one (YYYY-MM). Default: "
                   "RESPONSE_RETENTION_MONTHS months before this month.")
def purge_command(before: datetime | None) -> None:
    """Delete the responses past their keeping time, with their answers and reporting cells."""
    months = current_app.config["RESPONSE_RETENTION_MONTHS"]
    if before is None and not months:
        click.echo("responses: no RESPONSE_RETENTION_MONTHS set, every response is kept")
        return
    try:
        month = before.date() if before else retention.cut(today(), int(months))
        done = retention.purge(db.session, month)
    except retention.RetentionError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"responses: {done.responses} answered before {month:%Y-%m} deleted, "
               f"with {done.cells} reporting cells")
