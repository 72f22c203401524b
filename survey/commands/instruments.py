"""``flask --app wsgi instruments load``: publish the built-in questionnaires."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.collection import instruments
from survey.extensions import db

command = AppGroup("instruments", help="Questionnaires.")


@command.command("load")
def load_instruments() -> None:
    """Publish the built-in instruments that are not in the database yet."""
    added = instruments.load_built_in(db.session)
    db.session.commit()
    click.echo(f"published: {', '.join(added) or 'nothing new'}")
