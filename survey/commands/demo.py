"""``flask --app wsgi demo seed|urls``: the demo data of the merged Cần Thơ city, and where to start."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey import demo
from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Kiosk, QrCode, ServicePoint

command = AppGroup("demo", help="Demo data for the merged Cần Thơ city.")


@command.command("seed")
@click.option("--responses", default=20_000, show_default=True)
def seed_demo(responses: int) -> None:
    """Fill an empty database with the demo (does nothing if units exist)."""
    if demo.is_seeded(db.session):
        click.echo("demo: database already has units; left as it is")
        return
    seeded = demo.seed(db.session, responses=responses)
    db.session.commit()
    click.echo(f"demo: {seeded.units} units, {seeded.procedures} procedures, {seeded.responses} responses")


@command.command("urls")
@click.option("--base", default="http://127.0.0.1:5000", show_default=True)
def demo_urls(base: str) -> None:
    """Print where to start: a fresh kiosk enrolment link, QR survey links, and the log-ins."""
    point = db.session.scalar(select(ServicePoint).filter_by(code=demo.DEMO_KIOSK_POINT))
    kiosk = db.session.scalar(select(Kiosk).filter_by(service_point=point))
    qr = db.session.scalar(select(QrCode).filter_by(service_point=point))
    if point is None or kiosk is None or qr is None:
        raise click.ClickException("no demo data: run `flask --app wsgi demo seed` first")
    code = kiosks.issue_enrolment_code(db.session, None, kiosk)
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
  Phone survey from a poster QR code ({point.name}), and its short link:
      {base}/s/{sign_payload(poster)}
      {base}/q/{qr.short_code}
  Phone survey from a receipt QR code (dossier 000.00.28.H10-251123-0001, counts once):
      {base}/s/{sign_payload(receipt)}

  Staff log-in at {base}/login, password "{demo.DEMO_PASSWORD}" for every demo account:""")
    for email, name, role, _unit in demo.DEMO_USERS:
        click.echo(f"      {email:<34} {role:<13} {name}")
    click.echo(f"""
  Sector departments (sector_viewer) see one sector in every unit of the city:
      {base}/unit/sector                  (as Sở Y tế or Sở GD&ĐT)
      {base}/unit/sector?sector=health    (as Sở Nội vụ; sector=education for schools)
""")
