"""``flask --app wsgi kiosks issue-codes``: one-time enrolment codes and links for a fleet of tablets."""

from __future__ import annotations

import csv
import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from survey.collection import kiosks
from survey.commands.common import BASE_HELP, links_at
from survey.extensions import db
from survey.models import ServicePoint

command = AppGroup("kiosks", help="Desk kiosks (tablets).")


@command.command("issue-codes")
@click.option("--point", "points", multiple=True, required=True, metavar="CODE",
              help="a service point's code; repeat for several desks")
@click.option("--count", default=1, show_default=True, help="kiosks to make at each desk")
@click.option("--label", default="Máy", show_default=True, help="the kiosks' names, numbered")
@click.option("--base", help=BASE_HELP)
@click.option("--format", "output", type=click.Choice(["text", "csv"]), default="text", show_default=True)
def issue_codes(points: tuple[str, ...], count: int, label: str, base: str | None, output: str) -> None:
    """Make COUNT new kiosks at each desk and print each one's one-time code and enrolment link.

    Open the link on the tablet (or type the code at /kiosk/enrol) and press "Kích hoạt". A code
    works once, within SURVEY_KIOSK_ENROLMENT_HOURS; every kiosk made is in the audit log.
    """
    desks = []
    for code in points:
        point = db.session.scalar(select(ServicePoint).filter_by(code=code))
        if point is None:
            raise click.BadParameter(f"no service point with code {code!r}", param_hint="--point")
        desks.append(point)
    with links_at(base):
        rows = []
        for point in desks:
            try:
                made = kiosks.create_fleet(db.session, None, point, count=count, label=label)
            except kiosks.FleetError as error:
                db.session.rollback()
                raise click.UsageError(f"{point.code}: {error}") from None
            for kiosk, code in made:
                link = url_for("public.kiosk_enrol", code=code, _external=True)
                rows.append((point.code, point.name, kiosk.id, kiosk.label, code, link))
            click.echo(f"{point.code}: {len(made)} kiosks", err=True)
    db.session.commit()
    hours = current_app.config["KIOSK_ENROLMENT_HOURS"]
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["service_point_code", "service_point", "kiosk_id", "label", "code", "link"])
        writer.writerows(rows)
        return
    click.echo(f"One-time codes, valid {hours} h, one tablet each:")
    for point_code, place, kiosk_id, name, code, link in rows:
        click.echo(f"  {point_code}  {place} · {name} (kiosk {kiosk_id})\n      {code}   {link}")
