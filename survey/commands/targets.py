"""``flask --app wsgi targets load``: the statutory targets of the provincial plans."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.administration import targets
from survey.extensions import db

command = AppGroup("targets", help="Statutory targets.")


@command.command("load")
def load_targets() -> None:
    """Load the statutory targets seed (rows already present are left as edited)."""
    added, present = targets.load_seed(db.session)
    db.session.commit()
    click.echo(f"targets: {added} added, {present} already present")
