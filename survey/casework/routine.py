"""The timed jobs of casework, each safe to run twice (a second run finds nothing left to do).

- :func:`check` (``flask complaints check``, hourly or nightly): escalates every open case past
  its deadline to the unit above and to Sở Nội vụ (once per deadline), reminds the handlers
  ``COMPLAINT_WARNING_DAYS`` working days before a deadline (once), and closes cases answered
  ``COMPLAINT_AUTOCLOSE_DAYS`` days ago;
- :func:`digest` (``flask complaints digest``, each morning): Sở Nội vụ's summary of yesterday;
- :func:`~survey.casework.contacts.purge` (``flask complaints purge``, nightly): the retention rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from survey.administration import audit
from survey.casework import cases, notices
from survey.casework.deadlines import Calendar
from survey.extensions import AnySession
from survey.messaging.events import notify
from survey.models import Complaint, OutboxMessage, Unit
from survey.models.casework import OPEN_STATUSES
from survey.periods import LOCAL, local_bounds


@dataclass
class Checked:
    escalated: int = 0
    reminded: int = 0
    closed: int = 0


def check(session: AnySession, *, today: date | None = None) -> Checked:
    config = current_app.config
    today = today or datetime.now(LOCAL).date()
    calendar = Calendar.from_config(config)
    done = Checked()
    open_cases = list(session.scalars(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))
                                      .order_by(Complaint.id)))
    for complaint in open_cases:
        if complaint.due_on < today and complaint.escalated_at is None:
            escalate(session, complaint, days_overdue=calendar.working_days_between(complaint.due_on, today))
            done.escalated += 1
        elif complaint.due_on >= today and complaint.status != "transferred":
            left = calendar.working_days_between(today, complaint.due_on)
            if left <= int(config["COMPLAINT_WARNING_DAYS"]):
                done.reminded += notices.reminder(session, complaint, left)
    cutoff = datetime.now(UTC) - timedelta(days=int(config["COMPLAINT_AUTOCLOSE_DAYS"]))
    for complaint in session.scalars(select(Complaint).where(Complaint.status == "answered",
                                                             Complaint.answered_at < cutoff)):
        cases.close(session, None, complaint)
        done.closed += 1
    return done


def escalate(session: AnySession, complaint: Complaint, *, days_overdue: int) -> None:
    before = audit.snapshot(complaint, cases.CASE_FIELDS)
    complaint.escalated_at = datetime.now(UTC)
    session.flush()
    parent = complaint.unit.parent
    audit.record(session, actor=None, action="complaint.escalate", object_type="complaint",
                 object_id=complaint.id, before=before,
                 after={**audit.snapshot(complaint, cases.CASE_FIELDS),
                        "parent_unit_id": parent.id if parent else None, "days_overdue": days_overdue})
    notify(session, "complaint.escalated",
           cases.payload(complaint, parent_code=parent.code if parent else None, days_overdue=days_overdue),
           about=f"complaint:{complaint.id}")
    notices.escalated(session, complaint, days_overdue)


@dataclass
class Summary:
    day: date
    received: list[Complaint] = field(default_factory=list)
    overdue: list[Complaint] = field(default_factory=list)
    waiting: list[Complaint] = field(default_factory=list)
    open_count: int = 0
    units_without_handlers: list[Unit] = field(default_factory=list)
    failed_messages: int = 0


def summary(session: AnySession, day: date) -> Summary:
    lower, upper = local_bounds(day, day)
    out = Summary(day)
    out.received = list(session.scalars(select(Complaint).where(
        Complaint.received_at >= lower, Complaint.received_at < upper).order_by(Complaint.id)))
    open_cases = list(session.scalars(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))
                                      .order_by(Complaint.due_on, Complaint.id)))
    out.open_count = len(open_cases)
    out.overdue = [c for c in open_cases if c.due_on <= day]
    out.waiting = [c for c in open_cases if c.status == "transferred"]
    units = {c.unit_id: c.unit for c in open_cases}
    out.units_without_handlers = [u for uid, u in sorted(units.items())
                                  if not notices.handlers_of(session, uid)]
    out.failed_messages = session.scalar(select(func.count()).select_from(OutboxMessage)
                                         .where(OutboxMessage.status == "failed")) or 0
    return out


def digest(session: AnySession, *, day: date | None = None) -> Summary:
    """Write Sở Nội vụ's digest of ``day`` (yesterday by default) to the outbox, once per day."""
    day = day or datetime.now(LOCAL).date() - timedelta(days=1)
    found = summary(session, day)
    notices.digest(session, day, found)
    return found
