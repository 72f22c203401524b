"""Scheduled work (one row per job and due moment) and the record of outside indices.

See :mod:`survey.operations`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow

JOB_STATUSES = ("running", "done", "failed")
OUTSIDE_INDICES = ("SIPAS", "PAR_INDEX", "PAPI", "PCI")


class JobRun(Base):
    """One run of a scheduled job for one due moment (``due_key``: "2026-12-02", "2026-12-02T14",
    "2026-11"). The unique pair makes a job run once per moment however often the timer fires;
    a failed run is tried again on the same row until ``attempts`` reaches the cap."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job", "due_key"),
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    due_key: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="running")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class OutsideIndex(Base):
    """An index other bodies publish about the city for a year (SIPAS, PAR INDEX, PAPI, PCI):
    its score, the city's rank, and the plans' goal as a rank ("top 15" is ``goal_rank`` 15)."""

    __tablename__ = "outside_index"
    __table_args__ = (
        UniqueConstraint("index_code", "year"),
        CheckConstraint("index_code IN ('SIPAS', 'PAR_INDEX', 'PAPI', 'PCI')", name="index_code"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank"),
        CheckConstraint("goal_rank IS NULL OR goal_rank >= 1", name="goal_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    index_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    goal_rank: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
