"""``flask --app wsgi jobs run-due|list``: the scheduled work, for a systemd timer or cron.

``run-due`` runs every job that falls due (see :mod:`survey.operations.jobs`) and commits after
each one, so one failing job neither undoes nor blocks the others. Two runners started at once
cannot both record a job for the same due key: the second one's insert breaks the unique
constraint (on PostgreSQL, once the first commits) and its work is rolled back.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.operations import jobs
from survey.reporting import documents, publication
from survey.reporting.groups import Settings

command = AppGroup("jobs", help="Scheduled work: scans, alerts, digests, reminders, retention, "
                                "report drafts and their PDFs.")


def _now(value: datetime | None) -> datetime:
    return value.replace(tzinfo=UTC) if value is not None else datetime.now(UTC)


@command.command("run-due")
@click.option("--now", "at", type=click.DateTime(["%Y-%m-%dT%H:%M"]), help="Run as of this UTC time (tests).")
def run_due_command(at: datetime | None) -> None:
    """Run every job that is due now, or due a retry; prints one line per job run."""
    now = _now(at)
    failed = 0
    for job, key in jobs.due(db.session, now):
        try:
            row = jobs.run(db.session, current_app.config, job, key, now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            click.echo(f"{job.name} {key}: already run by another process")
            continue
        failed += row.status == "failed"
        counts = ", ".join(f"{k}: {v}" for k, v in (row.counts or {}).items())
        detail = row.error if row.status == "failed" else counts
        click.echo(f"{job.name} {key}: {row.status} (attempt {row.attempts}) {detail}")
    failed += _render_pdfs(now)
    if failed:
        raise SystemExit(1)


def _render_pdfs(now: datetime) -> int:
    """Print the PDF of each report published since the last call (see survey.reporting.publication)."""
    settings = Settings.from_config(current_app.config)
    done = publication.render_pending(
        db.session, chromium=current_app.config["CHROMIUM"],
        html_of=lambda issue: documents.pdf_html(documents.of_issue(db.session, issue, settings, now)))
    db.session.commit()
    for rendered in done:
        state = "done" if rendered.ok else f"failed (attempt {rendered.issue.pdf_attempts})"
        click.echo(f"report_pdf {rendered.issue.number}: {state} {rendered.detail}")
    return sum(not rendered.ok for rendered in done)


@command.command("list")
@click.option("--now", "at", type=click.DateTime(["%Y-%m-%dT%H:%M"]), help="As of this UTC time.")
def list_command(at: datetime | None) -> None:
    """Each job: its schedule, its last run and when it falls due next."""
    now = _now(at)
    for job in jobs.JOBS:
        row = jobs.latest(db.session, job)
        last = f"{row.due_key} {row.status} (attempt {row.attempts})" if row else "never run"
        click.echo(f"{job.name:18} {job.schedule.cadence:8} last: {last}; "
                   f"next due {job.schedule.next_moment(now).isoformat(timespec='minutes')}")
