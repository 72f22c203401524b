"""What the commands share: looking a unit up by code, and reporting an import's bad rows."""

from __future__ import annotations

from typing import NoReturn

import click
from sqlalchemy import select

from survey.csvfiles import ImportFailed
from survey.extensions import db
from survey.models import Unit


def unit_by_code(code: str | None, option: str = "--unit") -> Unit | None:
    """The unit with this code (None when no code is given); a usage error when there is none."""
    if not code:
        return None
    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        raise click.BadParameter(f"no unit with code {code!r}", param_hint=option)
    return unit


def fail(error: ImportFailed) -> NoReturn:
    """Print every bad row and column of a refused import, and end with status 2."""
    db.session.rollback()
    for problem in error.problems:
        click.echo(str(problem), err=True)
    raise SystemExit(2)
