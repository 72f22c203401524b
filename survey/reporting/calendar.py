"""The reporting calendar: for each duty (quarterly, 6-month, annual report), its periods, the
day each period's draft is made and the day the report is due.

A duty's due date is day ``due_day`` of the month ``due_months_after`` months after the
period's last month (the day is cut to the month's last day). When that date falls after the
period, the draft is made the day after the period ends; when it falls inside the period (the
annual report due 15/12), ``lead_days`` before it, with the data to that day, and the report
says that its period is not over. The rows are seeded by migration 0009 from the plans'
rhythm and edited on the calendar page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import ReportingDuty, ReportIssue, User
from survey.periods import Period, label_for, parse_period, previous

KINDS = {"quarter": ("Q1", "Q2", "Q3", "Q4"), "half": ("H1", "H2"), "year": ("",)}
DUTY_FIELDS = ("name", "due_months_after", "due_day", "lead_days", "recipient", "active")


def _month_day(year: int, month: int, day: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day, last))


def due_date(duty: ReportingDuty, period: Period) -> date:
    return _month_day(period.end.year, period.end.month + duty.due_months_after, duty.due_day)


def draft_day(duty: ReportingDuty, period: Period) -> date:
    due = due_date(duty, period)
    if due > period.end:
        return period.end + timedelta(days=1)
    return max(period.start, due - timedelta(days=duty.lead_days))


def periods_of(duty: ReportingDuty, year: int) -> list[Period]:
    return [parse_period(f"{year}-{part}" if part else str(year)) for part in KINDS[duty.cadence]]


def current(duty: ReportingDuty, today: date) -> Period:
    return parse_period(label_for(today, duty.cadence))


def duties(session: AnySession, *, active_only: bool = False) -> list[ReportingDuty]:
    query = select(ReportingDuty).order_by(ReportingDuty.id)
    if active_only:
        query = query.where(ReportingDuty.active.is_(True))
    return list(session.scalars(query))


@dataclass(frozen=True)
class Slot:
    """One duty's report for one period, as the calendar shows it."""

    duty: ReportingDuty
    period: Period
    draft_on: date
    due: date
    issue: ReportIssue | None

    def state(self, today: date) -> str:
        """``published``, ``draft``, ``late`` (due passed, not published), ``waiting`` (not yet drafted)."""
        if self.issue is not None and self.issue.status == "published":
            return "published"
        if today > self.due:
            return "late"
        return "draft" if self.issue is not None else "waiting"


def year_slots(session: AnySession, year: int) -> list[tuple[ReportingDuty, list[Slot]]]:
    """Every duty with its periods of ``year`` and their issues, in the calendar's order."""
    issues = {(i.duty_id, i.period_label): i for i in session.scalars(select(ReportIssue))}
    out = []
    for duty in duties(session):
        slots = [Slot(duty, p, draft_day(duty, p), due_date(duty, p), issues.get((duty.id, p.label)))
                 for p in periods_of(duty, year)]
        out.append((duty, slots))
    return out


def to_draft(duty: ReportingDuty, today: date) -> list[Period]:
    """The periods whose draft day has come: the current period and the one before it (a server
    installed mid-year does not draft the whole past)."""
    now = current(duty, today)
    return [p for p in (previous(now), now) if draft_day(duty, p) <= today]


def update_duty(session: AnySession, actor: User | None, duty: ReportingDuty,
                values: dict[str, object]) -> ReportingDuty:
    """Change a duty's name, due rule, recipient or whether it is in use; audited; flush only."""
    before = audit.snapshot(duty, DUTY_FIELDS)
    for name in DUTY_FIELDS:
        if name in values:
            setattr(duty, name, values[name])
    session.flush()
    audit.record(session, actor=actor, action="reporting_duty.update", object_type="reporting_duty",
                 object_id=duty.id, before=before, after=audit.snapshot(duty, DUTY_FIELDS))
    return duty
