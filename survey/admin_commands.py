"""``flask --app wsgi users|audit|targets|procedures …`` and ``responses import``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from survey import audit, importing, targets, users
from survey.extensions import db
from survey.models import Unit

users_cli = AppGroup("users", help="Staff accounts.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")
targets_cli = AppGroup("targets", help="Statutory targets.")
procedures_cli = AppGroup("procedures", help="The procedure catalogue.")


@users_cli.command("create-admin")
@click.option("--email", prompt="E-mail")
@click.option("--name", prompt="Name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create a Sở Nội vụ administrator (the first account)."""
    _create(email, name, password, "admin", None)


@users_cli.command("create")
@click.option("--email", prompt="E-mail")
@click.option("--name", prompt="Name")
@click.option("--role", type=click.Choice(["admin", "unit_manager", "unit_viewer"]), prompt=True)
@click.option("--unit", "unit_code", default="", help="The unit code (unit roles).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, name: str, role: str, unit_code: str, password: str) -> None:
    """Create a staff account of any role."""
    unit = db.session.scalar(select(Unit).filter_by(code=unit_code)) if unit_code else None
    if unit_code and unit is None:
        raise click.BadParameter(f"no unit with code {unit_code!r}", param_hint="--unit")
    _create(email, name, password, role, unit)


def _create(email: str, name: str, password: str, role: str, unit: Unit | None) -> None:
    try:
        user = users.create_user(
            db.session, None, email=email, name=name, password=password, role=role, unit=unit
        )
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@audit_cli.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="HASH",
              help="A head hash kept elsewhere (printed on a report); it must still be in the chain.")
def verify_audit(anchors: tuple[str, ...]) -> None:
    """Check the hash chain; exit status 1 naming each edited or missing entry."""
    result = audit.verify(db.session, anchors)
    for problem in result.problems:
        click.echo(problem, err=True)
    if not result.ok:
        raise SystemExit(1)
    click.echo(f"audit log intact: {result.entries} entries, head {result.head}")


@targets_cli.command("load")
def load_targets() -> None:
    """Load the statutory targets seed (rows already present are left as edited)."""
    added, present = targets.load_seed(db.session)
    if added:
        audit.record(
            db.session, None, "target.seed", "target", None, None, {"added": added, "present": present}
        )
    db.session.commit()
    click.echo(f"targets: {added} added, {present} already present")


@procedures_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_procedures(file) -> None:  # type: ignore[no-untyped-def]
    """Import the procedure catalogue CSV (code,name,sector_code,level[,unit_code])."""
    try:
        report = importing.import_procedures(db.session, None, file)
    except importing.ImportFailed as error:
        _fail(error)
    db.session.commit()
    click.echo(
        f"procedures: {len(report.added)} added, {len(report.changed)} changed, {report.unchanged} unchanged"
    )


@click.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_responses(file) -> None:  # type: ignore[no-untyped-def]
    """Import responses from a SPEC §3 CSV (paper surveys, other systems); all or nothing."""
    try:
        report = importing.import_responses(db.session, file)
    except importing.ImportFailed as error:
        _fail(error)
    audit.record(db.session, None, "responses.import", "response", None, None, vars(report))
    db.session.commit()
    click.echo(
        f"responses: {report.recorded} recorded, {report.duplicates} already there, "
        f"{report.dossier_used} for a dossier already answered"
    )


def _fail(error: importing.ImportFailed) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    raise SystemExit(2)


def init_app(app: Flask) -> None:
    from survey.cli import responses_cli

    if "import" not in responses_cli.commands:
        responses_cli.add_command(import_responses)
    for group in (users_cli, audit_cli, targets_cli, procedures_cli):
        app.cli.add_command(group)
