"""``flask --app wsgi users create-admin|create``: staff accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.administration import users
from survey.commands.common import unit_by_code
from survey.extensions import db
from survey.models import Unit
from survey.models.staff import ROLES

command = AppGroup("users", help="Staff accounts.")


@command.command("create-admin")
@click.option("--email", prompt="E-mail")
@click.option("--name", prompt="Name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create a Sở Nội vụ administrator (the first account)."""
    _create(email, name, password, "admin", None)


@command.command("create")
@click.option("--email", prompt="E-mail")
@click.option("--name", prompt="Name")
@click.option("--role", type=click.Choice(ROLES), prompt=True)
@click.option("--unit", "unit_code", default="", help="The unit code (unit roles).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, name: str, role: str, unit_code: str, password: str) -> None:
    """Create a staff account of any role."""
    _create(email, name, password, role, unit_by_code(unit_code))


def _create(email: str, name: str, password: str, role: str, unit: Unit | None) -> None:
    try:
        user = users.create_user(db.session, None, email=email, name=name, password=password, role=role,
                                 unit=unit)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")
