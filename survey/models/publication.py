"""The reporting calendar and the reports issued from it.

See :mod:`survey.reporting.publication`. A :class:`ReportingDuty` is a report the plans ask for
(quarterly, 6-month, annual) with the rule that sets each period's due date; a
:class:`ReportIssue` is that report for one period, first a draft (live figures), then, once
published, frozen: its figures, method note, data cut-off and audit head are stored on the
row, and its PDF and XLSX as :class:`ReportFile` blobs with their SHA-256.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow

CADENCES = ("quarter", "half", "year")
ISSUE_STATUSES = ("draft", "published")
FILE_KINDS = ("pdf", "xlsx")


class ReportingDuty(Base):
    """A report due every period of a cadence. Its period's due date is day ``due_day`` of the
    month ``due_months_after`` months after the period's last month (0: in that month, so due
    before the period ends, as the annual report due 15/12). The draft is made the day after the
    period ends, or ``lead_days`` before the due date when that comes first."""

    __tablename__ = "reporting_duty"
    __table_args__ = (
        CheckConstraint("cadence IN ('quarter', 'half', 'year')", name="cadence"),
        CheckConstraint("due_day BETWEEN 1 AND 31", name="due_day"),
        CheckConstraint("due_months_after BETWEEN 0 AND 12", name="due_months_after"),
        CheckConstraint("lead_days BETWEEN 0 AND 60", name="lead_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(10))
    due_months_after: Mapped[int] = mapped_column(Integer, default=1)
    due_day: Mapped[int] = mapped_column(Integer, default=15)
    lead_days: Mapped[int] = mapped_column(Integer, default=10)
    recipient: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReportIssue(Base):
    """One duty's report for one period (the whole city). Published means frozen: nothing on
    the row or its files changes afterwards (:func:`survey.reporting.publication.publish`)."""

    __tablename__ = "report_issue"
    __table_args__ = (
        UniqueConstraint("duty_id", "period_label"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("reporting_duty.id"))
    period_label: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    drafted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    number: Mapped[str | None] = mapped_column(String(40))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cutoff_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    audit_head: Mapped[str | None] = mapped_column(String(64))
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    method_note: Mapped[list[str] | None] = mapped_column(JSON)
    pdf_error: Mapped[str | None] = mapped_column(Text)
    pdf_attempts: Mapped[int] = mapped_column(Integer, default=0)

    duty: Mapped[ReportingDuty] = relationship()
    files: Mapped[list[ReportFile]] = relationship(order_by="ReportFile.kind")


class ReportFile(Base):
    """A published report's file, kept as it was issued, with the SHA-256 of its bytes."""

    __tablename__ = "report_file"
    __table_args__ = (
        UniqueConstraint("issue_id", "kind"),
        CheckConstraint("kind IN ('pdf', 'xlsx')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("report_issue.id"))
    kind: Mapped[str] = mapped_column(String(4))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


FROZEN = ("duty_id", "period_label", "status", "number", "published_at", "published_by", "cutoff_at",
          "audit_head", "figures", "method_note")


class FrozenReport(RuntimeError):
    """Something tried to change a published report or one of its files."""


@event.listens_for(ReportIssue, "before_update")
def _keep_published(mapper: Any, connection: Any, issue: ReportIssue) -> None:
    state = inspect(issue)
    was = state.attrs.status.history.deleted or [issue.status]
    if was[0] != "published":
        return
    changed = [name for name in FROZEN if state.attrs[name].history.has_changes()]
    if changed:
        raise FrozenReport(f"report_issue {issue.id} is published: {', '.join(changed)} cannot change")


@event.listens_for(ReportIssue, "before_delete")
def _keep_issue(mapper: Any, connection: Any, issue: ReportIssue) -> None:
    if issue.status == "published" or inspect(issue).attrs.status.history.deleted:
        raise FrozenReport(f"report_issue {issue.id} is published and cannot be deleted")


@event.listens_for(ReportFile, "before_update")
@event.listens_for(ReportFile, "before_delete")
def _keep_file(mapper: Any, connection: Any, kept: ReportFile) -> None:
    raise FrozenReport(f"report_file {kept.id} of an issued report cannot change")
