"""``flask --app wsgi …`` commands. Each group lives beside the code it drives."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey import demo, exporting, instruments, kiosks
from survey.extensions import db
from survey.models import Kiosk, QrCode, ServicePoint, Unit
from survey.signing import SurveyPayload, dossier_hash, sign_payload
from survey.tree import subtree_ids

instruments_cli = AppGroup("instruments", help="Questionnaires.")
demo_cli = AppGroup("demo", help="Demo data for the merged Cần Thơ city.")
responses_cli = AppGroup("responses", help="Citizens' responses.")


@instruments_cli.command("load")
def load_instruments() -> None:
    """Publish the built-in instruments that are not in the database yet."""
    added = instruments.load_built_in(db.session)
    db.session.commit()
    click.echo(f"published: {', '.join(added) or 'nothing new'}")


@demo_cli.command("seed")
@click.option("--responses", default=20_000, show_default=True)
def seed_demo(responses: int) -> None:
    """Fill an empty database with the demo (does nothing if units exist)."""
    if demo.is_seeded(db.session):
        click.echo("demo: database already has units; left as it is")
        return
    seeded = demo.seed(db.session, responses=responses)
    db.session.commit()
    click.echo(f"demo: {seeded.units} units, {seeded.procedures} procedures, "
               f"{seeded.responses} responses")


@demo_cli.command("urls")
@click.option("--base", default="http://127.0.0.1:5000", show_default=True)
def demo_urls(base: str) -> None:
    """Print where to start: a fresh kiosk enrolment link, QR survey links, and the log-ins."""
    point = db.session.scalar(select(ServicePoint).filter_by(code=demo.DEMO_KIOSK_POINT))
    kiosk = db.session.scalar(select(Kiosk).filter_by(service_point=point))
    qr = db.session.scalar(select(QrCode).filter_by(service_point=point))
    if point is None or kiosk is None or qr is None:
        raise click.ClickException("no demo data: run `flask --app wsgi demo seed` first")
    code = kiosks.issue_enrolment_code(db.session, kiosk)
    db.session.commit()
    poster = SurveyPayload(instrument=qr.instrument_key, unit=point.unit.code,
                           service_point=point.code, qr_id=qr.id)
    receipt = SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                            service_point=point.code, procedure="1.001193",
                            dossier_hash=dossier_hash("000.00.28.H10-251123-0001"))
    hours = current_app.config["KIOSK_ENROLMENT_HOURS"]
    click.echo(f"""
  Hài lòng is running at {base}/

  Kiosk (desk tablet) — open on the tablet, valid {hours} h, one use:
      {base}/kiosk/enrol?code={code}      (code {code})
  Phone survey from a poster QR code ({point.name}):
      {base}/s/{sign_payload(poster)}
  Phone survey from a receipt QR code (dossier 000.00.28.H10-251123-0001, counts once):
      {base}/s/{sign_payload(receipt)}

  Staff log-in at {base}/login, password "{demo.DEMO_PASSWORD}" for every demo account:""")
    for email, name, role, _unit in demo.DEMO_USERS:
        click.echo(f"      {email:<34} {role:<13} {name}")
    click.echo("")


@responses_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First local day.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last local day.")
@click.option("--unit", "unit_code", help="A unit code; its whole subtree is exported.")
@click.option("--comments/--no-comments", default=False, help="Include the comment column.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
def export_responses(fmt: str, start, end, unit_code: str | None, comments: bool, output) -> None:  # type: ignore[no-untyped-def]
    """Write responses as the response CSV of SPEC §3."""
    unit_ids = None
    if unit_code:
        unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
        if unit is None:
            raise click.BadParameter(f"no unit with code {unit_code!r}", param_hint="--unit")
        unit_ids = subtree_ids(unit)
    query = exporting.response_query(
        start=_day(start), end=_day(end), unit_ids=unit_ids
    )
    count = exporting.write_csv(db.session, output, query, with_comments=comments)
    click.echo(f"{count} responses", err=True)


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    for group in (instruments_cli, demo_cli, responses_cli):
        app.cli.add_command(group)
    from survey.reporting import commands as reporting_commands  # the report and volumes commands

    reporting_commands.init_app(app)
    from survey import admin_commands  # users, audit, targets, procedures, responses import

    admin_commands.init_app(app)
    from survey.backup import backup_command  # flask --app wsgi backup

    app.cli.add_command(backup_command)
    from survey.integrity import integrity_cli  # flask --app wsgi integrity scan

    app.cli.add_command(integrity_cli)
