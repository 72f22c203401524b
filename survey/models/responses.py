"""Responses and their answers. Append-only: the application never updates an answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, and_, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.instruments import Instrument
from survey.models.types import UtcDateTime, utcnow
from survey.models.units import Procedure

CHANNELS = ("kiosk", "qr", "link", "paper", "api")
RESPONDENT_TYPES = ("citizen", "organisation")


class Response(Base):
    """One citizen's answers to one instrument version.

    No IP address, device fingerprint or name is stored. A dossier code is kept only as a keyed
    HMAC (``dossier_hash``), unique so that one dossier counts once. ``overall`` repeats the
    answer to the ``overall`` item so that the headline rate is one scan of this table.
    """

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("channel IN ('kiosk', 'qr', 'link', 'paper', 'api')", name="channel"),
        CheckConstraint(
            "respondent_type IS NULL OR respondent_type IN ('citizen', 'organisation')",
            name="respondent_type",
        ),
        CheckConstraint("overall IS NULL OR overall BETWEEN 1 AND 5", name="overall"),
        CheckConstraint("service_step IS NULL OR service_step IN ('chosen', 'skipped')",
                        name="service_step"),
        # Exports by unit (the figures read survey.models.cells).
        Index("ix_response_unit_submitted", "unit_id", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # When the server stored it (an offline kiosk's answer arrives days after ``submitted_at``):
    # answers recorded after a published report's cut-off are shown as an addition on the next.
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    channel: Mapped[str] = mapped_column(String(10))
    respondent_type: Mapped[str | None] = mapped_column(String(20))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"))
    overall: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    dossier_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set by integrity checks (burst of top ratings, outside opening hours …); an administrator
    # may exclude a flagged response from the indices, reversibly and with an audit entry.
    flag: Mapped[str | None] = mapped_column(String(40))
    excluded: Mapped[bool] = mapped_column(default=False)
    # A kiosk response that ended idle after ``overall`` was answered (SPEC §6): counted like any
    # other, marked so that analysts can tell it apart (the ``partial`` column of SPEC §3).
    partial: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The kiosk's "what did you come for" step, where it was offered (no desk session): the
    # citizen ``chosen`` a service or ``skipped`` it; NULL where the step was not shown.
    service_step: Mapped[str | None] = mapped_column(String(10))

    instrument: Mapped[Instrument] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response")
    problems: Mapped[list[ResponseProblem]] = relationship()


commented = and_(Response.comment.is_not(None), Response.comment != literal_column("''"))
"""The responses with a comment: the condition of the index below, which a query repeats to use
it (its constant written out: a bound parameter in its place keeps both databases from it)."""
# A unit's latest comments, through the commented responses only (migration 0012).
Index("ix_response_unit_commented", Response.unit_id, Response.submitted_at,
      postgresql_where=commented, sqlite_where=commented)


class Answer(Base):
    """A rating 1–5 of one item. A skipped item has no row."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("value BETWEEN 1 AND 5", name="value"),
    )

    response_id: Mapped[str] = mapped_column(ForeignKey("response.id"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseProblem(Base):
    """One "what went wrong" choice, asked after a rating of 1 or 2."""

    __tablename__ = "response_problem"

    response_id: Mapped[str] = mapped_column(ForeignKey("response.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
