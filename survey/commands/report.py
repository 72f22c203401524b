"""``flask --app wsgi report --period …``: the quarterly, 6-month or annual report."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.commands.common import unit_by_code
from survey.extensions import db
from survey.periods import parse_period
from survey.reporting import reports, workbook
from survey.reporting.groups import Settings


@click.command("report")
@with_appcontext
@click.option("--period", "label", required=True, help="2026, 2026-H1, 2026-Q3 or 2026-07.")
@click.option("--unit", "unit_code", help="A unit code: the unit (rolled up) and its units.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "json"]), default="json",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default stdout).")
def command(label: str, unit_code: str | None, fmt: str, output: str | None) -> None:
    """Write the quarterly, 6-month or annual report."""
    try:
        period = parse_period(label)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    unit = unit_by_code(unit_code)
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
