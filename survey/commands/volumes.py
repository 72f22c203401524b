"""``flask --app wsgi volumes import FILE``: dossier volumes per unit and period."""

from __future__ import annotations

from typing import IO

import click
from flask.cli import AppGroup

from survey.administration import volumes
from survey.extensions import db

command = AppGroup("volumes", help="Dossier volumes per unit and period.")


@command.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_volumes(file: IO[str]) -> None:
    """Load ``unit_code,period,dossiers[,dossiers_unsatisfied]`` rows (replacing earlier ones)."""
    try:
        count = volumes.import_volumes(db.session, None, file)
    except volumes.VolumeError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{count} volumes imported")
