"""``flask --app wsgi audit verify [--anchor HASH]``: check the hash-chained audit log."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.administration import audit
from survey.extensions import db

command = AppGroup("audit", help="The hash-chained audit log.")


@command.command("verify")
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
