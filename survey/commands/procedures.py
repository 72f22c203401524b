"""``flask --app wsgi procedures import FILE``: the procedure catalogue (TTHC)."""

from __future__ import annotations

from typing import IO

import click
from flask.cli import AppGroup

from survey.administration import procedures
from survey.commands.common import fail
from survey.csvfiles import ImportFailed
from survey.extensions import db

command = AppGroup("procedures", help="The procedure catalogue.")


@command.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def import_procedures(file: IO[str]) -> None:
    """Import the procedure catalogue CSV (code,name,sector_code,level[,unit_code])."""
    try:
        report = procedures.import_procedures(db.session, None, file)
    except ImportFailed as error:
        fail(error)
    db.session.commit()
    click.echo(f"procedures: {len(report.added)} added, {len(report.changed)} changed, "
               f"{report.unchanged} unchanged")
