"""``flask --app wsgi keys new|rotate``: the Fernet keys that seal contact details and secrets.

To rotate: ``keys new`` prints a key; put it first in ``SURVEY_CONTACT_KEYS`` (keeping the old
one after it), restart, run ``keys rotate``, then remove the old key and restart again.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey import sealing
from survey.administration import audit
from survey.casework import contacts
from survey.extensions import db
from survey.messaging import outbox, webhooks

command = AppGroup("keys", help="Encryption keys of contact details and webhook secrets.")


@command.command("new")
def new_command() -> None:
    """Print a new Fernet key."""
    click.echo(sealing.new_key())


@command.command("rotate")
def rotate_command() -> None:
    """Re-encrypt every sealed value with the first key of SURVEY_CONTACT_KEYS."""
    counts = {"contacts": contacts.reseal_all(db.session), "webhook secrets": webhooks.reseal_all(db.session),
              "outbox messages": outbox.reseal_all(db.session)}
    audit.record(db.session, actor=None, action="keys.rotate", object_type="keys", after=counts)
    db.session.commit()
    click.echo(", ".join(f"{name}: {n} re-encrypted" for name, n in counts.items()))
