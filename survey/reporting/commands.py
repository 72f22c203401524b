"""``flask --app wsgi report …`` and ``flask --app wsgi volumes import FILE``."""

from __future__ import annotations

import csv
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit
from survey.reporting import Settings, reports, volumes, workbook
from survey.reporting.periods import parse_period

volumes_cli = AppGroup("volumes", help="Dossier volumes per unit and period.")


@click.command("report")
@with_appcontext
@click.option("--period", "label", required=True, help="2026, 2026-H1, 2026-Q3 or 2026-07.")
@click.option("--unit", "unit_code", help="A unit code: the unit (rolled up) and its units.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "json"]), default="json",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default stdout).")
def report_command(label: str, unit_code: str | None, fmt: str, output: str | None) -> None:
    """Write the quarterly, 6-month or annual report."""
    try:
        period = parse_period(label)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
        if unit is None:
            raise click.BadParameter(f"no unit with code {unit_code!r}", param_hint="--unit")
    built = reports.build(db.session, period, Settings.from_config(current_app.config), unit)
    if fmt == "xlsx":
        data = workbook.as_xlsx(built)
        if output is None and sys.stdout.isatty():
            raise click.UsageError("XLSX is binary: give --output FILE")
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
        else:
            sys.stdout.buffer.write(data)
        return
    text = reports.as_json(built) + "\n" if fmt == "json" else reports.as_csv(built)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


@volumes_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_volumes(file) -> None:  # type: ignore[no-untyped-def]
    """Load ``unit_code,period,dossiers[,dossiers_unsatisfied]`` rows (replacing earlier ones)."""
    try:
        count = volumes.import_rows(db.session, csv.reader(file))
    except volumes.VolumeError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{count} volumes imported")


def init_app(app: Flask) -> None:
    app.cli.add_command(report_command)
    app.cli.add_command(volumes_cli)
