"""``flask --app wsgi qr export --unit CODE``: every poster's short link and survey link, to print or send."""

from __future__ import annotations

import csv
import sys

import click
from flask.cli import AppGroup

from survey.collection import qrcodes
from survey.commands.common import BASE_HELP, links_at, unit_by_code
from survey.extensions import db

command = AppGroup("qr", help="QR codes and posters.")


@command.command("export")
@click.option("--unit", "unit_code", required=True, metavar="CODE", help="the unit whose codes to list")
@click.option("--base", help=BASE_HELP)
@click.option("--format", "output", type=click.Choice(["text", "csv"]), default="text", show_default=True)
def export(unit_code: str, base: str | None, output: str) -> None:
    """Print each QR code of the unit still in use: its place, short link and full survey link.

    The short link (/q/<code>) is the one printed under the QR on the poster; send it by Zalo or
    SMS, or type it into a browser. Revoked codes are left out.
    """
    unit = unit_by_code(unit_code)
    if unit is None:  # the option is required: not reached
        raise click.UsageError("--unit is required")
    with links_at(base):
        rows = []
        for qr in qrcodes.unit_codes(db.session, unit):
            place = qr.service_point.name if qr.service_point else qr.unit.name
            rows.append((qr.id, qr.service_point.code if qr.service_point else "",
                         qr.procedure.code if qr.procedure else "", place, qr.instrument_key,
                         qrcodes.short_url(qr), qrcodes.survey_url(qrcodes.payload_for(qr))))
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["qr_id", "service_point_code", "procedure_code", "place", "instrument",
                         "short_link", "survey_link"])
        writer.writerows(rows)
        return
    if not rows:
        click.echo(f"{unit.code}: no QR code in use (make them at /admin/qr)")
    for qr_id, _point, procedure, place, _instrument, short, _full in rows:
        suffix = f" · {procedure}" if procedure else ""
        click.echo(f"  {qr_id:>5}  {place}{suffix}\n         {short}")
