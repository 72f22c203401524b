"""Statutory targets and the dossier volumes that weight the estimates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.units import Unit

TARGET_OBJECTS = ("agency_service", "procedures", "public_health_education", "procedure_results")


class Target(Base):
    """A row of a provincial plan, e.g. "tối thiểu 90 % by 2025" (operator ``>=``)."""

    __tablename__ = "target"
    __table_args__ = (
        CheckConstraint("operator IN ('>', '>=')", name="operator"),
        CheckConstraint("threshold > 0 AND threshold < 1", name="threshold"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    source_document: Mapped[str] = mapped_column(Text)
    source_clause: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date]
    period_end: Mapped[date]
    object: Mapped[str] = mapped_column(String(40))
    sector_group: Mapped[str | None] = mapped_column(String(120))
    # Levels of government the row is about, joined by '+' ("department+commune"); None: every level.
    levels: Mapped[str | None] = mapped_column(String(60))
    population: Mapped[str] = mapped_column(String(120), default="")
    operator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    # True where the plan's text leaves the operator ambiguous, until an administrator confirms.
    needs_confirmation: Mapped[bool] = mapped_column(default=False)


class DossierVolume(Base):
    """Dossiers a unit handled in a period (§3 period syntax), for post-stratification and QĐ 766."""

    __tablename__ = "dossier_volume"
    __table_args__ = (
        UniqueConstraint("unit_id", "period"),
        CheckConstraint("dossiers >= 0", name="dossiers"),
        CheckConstraint(
            "dossiers_unsatisfied IS NULL OR dossiers_unsatisfied BETWEEN 0 AND dossiers",
            name="unsatisfied",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    period: Mapped[str] = mapped_column(String(10))
    dossiers: Mapped[int]
    dossiers_unsatisfied: Mapped[int | None]

    unit: Mapped[Unit] = relationship()
