"""``flask --app wsgi outbox run|status|retry``: the worker that sends e-mails, SMS and webhooks.

``outbox run`` is meant to run all the time (a systemd service), in as many processes as you
like; ``--once`` sends what is due and stops (a timer, or a test).
"""

from __future__ import annotations

import os
import signal
import socket
import time

import click
from flask import current_app
from flask.cli import AppGroup

from survey.extensions import db
from survey.messaging import outbox

command = AppGroup("outbox", help="E-mails, SMS and webhooks waiting to be sent.")


@command.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds to wait when nothing is due.")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (tests).")
def run_command(once: bool, batch: int, poll: float, max_seconds: float | None) -> None:
    """Send due messages, retrying failures with back-off; safe to run in several processes."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
    started = time.monotonic()
    total = outbox.Tally()
    while not stopping:
        tally = outbox.run_once(db.session, current_app.config, worker=worker, limit=batch)
        for name in ("sent", "retry", "failed"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        if tally.handled:
            click.echo(f"outbox: {tally.sent} sent, {tally.retry} to retry, {tally.failed} failed", err=True)
        if once and not tally.handled:
            break
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
        if not tally.handled:
            time.sleep(poll)
    db.session.remove()
    click.echo(f"outbox: {total.sent} sent, {total.retry} to retry, {total.failed} failed in all")


@command.command("status")
def status_command() -> None:
    """How many messages are pending, sent, failed and cancelled."""
    counts = outbox.counts(db.session)
    names = ("pending", "sent", "failed", "cancelled")
    click.echo(", ".join(f"{name}: {counts.get(name, 0)}" for name in names))


@command.command("retry")
def retry_command() -> None:
    """Put every failed message back in the queue."""
    count = outbox.retry_failed(db.session)
    db.session.commit()
    click.echo(f"outbox: {count} failed messages queued again")
