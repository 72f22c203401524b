"""What the commands share: looking a unit up by code, reporting an import's bad rows, and the
public address that printed links start with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from flask import current_app
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


BASE_HELP = "the public https:// address the links start with (default: SURVEY_PUBLIC_URL)"


@contextmanager
def links_at(base: str | None) -> Iterator[str]:
    """A request context at the public address, so that ``url_for(..., _external=True)`` names it."""
    base = (base or current_app.config["PUBLIC_URL"]).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise click.UsageError("give --base https://… or set SURVEY_PUBLIC_URL (the address citizens use)")
    with current_app.test_request_context("/", base_url=base):
        yield base
