"""``flask --app wsgi backup [--output PATH]``: a consistent copy of a SQLite database."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.administration.backup import BackupError, backup_sqlite, default_output, sqlite_path


@click.command("backup")
@with_appcontext
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy (default: instance/backups/survey-<UTC time>.sqlite3).")
def command(output: Path | None) -> None:
    """A consistent copy of the SQLite database, taken while the app keeps serving."""
    try:
        source = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
        output = output or default_output()
        responses = backup_sqlite(source, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written: {output} ({responses} responses)")
