"""Reporting cells: additive sums of the responses, kept current with every write.

Every figure a dashboard or report shows is a sum of these rows (:mod:`survey.collection.cells`
writes them, :mod:`survey.reporting.queries` reads them). The grain is the local calendar month:
every reporting period (SPEC §3: year, half, quarter, month) is a union of months, so nothing
finer is ever read. A row's ``key`` names its dimensions in one string, so that one unique
column serves ``INSERT … ON CONFLICT`` on SQLite and PostgreSQL alike (a unique constraint over
the nullable columns would treat two NULLs as different). The dimension columns are not foreign
keys: a cell is derived data, rebuilt from the responses by ``flask reporting rebuild``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Base


class CountCell(Base):
    """Responses, answers to ``overall`` and satisfied ones (4 or 5), per month and every dimension."""

    __tablename__ = "cell_count"
    __table_args__ = (Index("ix_cell_count_month_unit", "month", "unit_id"),)

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # the first local day of the month
    unit_id: Mapped[int]
    instrument_id: Mapped[int]
    service_point_id: Mapped[int | None]
    procedure_id: Mapped[int | None]
    sector_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(10))
    respondent_type: Mapped[str | None] = mapped_column(String(20))
    responses: Mapped[int] = mapped_column(default=0)
    n: Mapped[int] = mapped_column(default=0)
    s: Mapped[int] = mapped_column(default=0)


class _CoarseGrain:
    """The dimensions of :class:`ItemCell` and :class:`ProblemCell`."""

    month: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int]
    instrument_id: Mapped[int]
    service_point_id: Mapped[int | None]
    sector_id: Mapped[int | None]
    with_procedure: Mapped[bool]


class ItemCell(_CoarseGrain, Base):
    """Per month, unit, instrument, service point, sector and whether a procedure was named (the
    dimensions the composite indices are ever filtered or grouped by): the counts of
    :class:`CountCell` on this coarser grain, which the headline figures read (a busy desk's
    month is a handful of rows), and the component items' cross-products (``analysis.ItemStats``).

    ``stats`` holds Σ y yᵀ, Σ y aᵀ and Σ a aᵀ over the instrument's component items, sorted by
    key, as little-endian 32-bit integers (three k × k blocks); ``respondents`` counts the
    responses with at least one component answer.
    """

    __tablename__ = "cell_items"
    __table_args__ = (Index("ix_cell_items_month_unit", "month", "unit_id"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    responses: Mapped[int] = mapped_column(default=0)
    n: Mapped[int] = mapped_column(default=0)
    s: Mapped[int] = mapped_column(default=0)
    respondents: Mapped[int] = mapped_column(default=0)
    stats: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class ProblemCell(_CoarseGrain, Base):
    """How many responses chose each "what went wrong" code, on the grain of :class:`ItemCell`."""

    __tablename__ = "cell_problem"
    __table_args__ = (Index("ix_cell_problem_month_unit", "month", "unit_id"),)

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    responses: Mapped[int] = mapped_column(default=0)
