"""Responses and their answers, and the keys each response is stored once under.

Append-only: the application never updates an answer. On PostgreSQL the three tables of a
response (``response``, ``answer``, ``response_problem``) are partitioned by the local month of
``submitted_at`` (:mod:`survey.collection.partitions`), so every key and unique rule of theirs
includes ``submitted_at``; what must be unique for all time (the idempotency key, the dossier
HMAC) is kept in ``response_key``. SQLite keeps the same tables unpartitioned.

An answer and a "what went wrong" choice name their response by (``response_id``,
``submitted_at``) without a foreign key: PostgreSQL 15 checks a key that refers to a partitioned
table by a query per row, which nearly doubled the database's time per submission (ten answers:
0.8 ms against 0.45 ms a transaction, measured with pgbench). They are written only with their
response, in its transaction (:mod:`survey.collection.responses`), and never deleted apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    and_,
    event,
    literal_column,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship
from sqlalchemy.schema import DDL

from survey.extensions import Base
from survey.models.instruments import Instrument
from survey.models.types import UtcDateTime, utcnow
from survey.models.units import Procedure

CHANNELS = ("kiosk", "qr", "link", "paper", "api")
RESPONDENT_TYPES = ("citizen", "organisation")
# The three tables of a response, by the month of ``submitted_at`` (PostgreSQL only; SQLite
# ignores the option).
BY_MONTH = {"postgresql_partition_by": "RANGE (submitted_at)"}


class Response(Base):
    """One citizen's answers to one instrument version.

    No IP address, device fingerprint or name is stored. A dossier code is kept only as a keyed
    HMAC (``dossier_hash``); it and the idempotency key are unique through :class:`ResponseKey`,
    so that a resend is stored once and one dossier counts once. ``overall`` repeats the answer
    to the ``overall`` item so that the headline rate is one scan of this table. The primary key
    includes ``submitted_at``, the month it is partitioned by.
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
        BY_MONTH,
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, primary_key=True,
                                                   index=True)
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
    # Both unique in ``response_key``, where they are looked up.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    dossier_hash: Mapped[str | None] = mapped_column(String(64))
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
    answers: Mapped[list[Answer]] = relationship(back_populates="response",
                                                 primaryjoin=lambda: of_response(Answer))
    problems: Mapped[list[ResponseProblem]] = relationship(primaryjoin=lambda: of_response(ResponseProblem))


commented = and_(Response.comment.is_not(None), Response.comment != literal_column("''"))
"""The responses with a comment: the condition of the index below, which a query repeats to use
it (its constant written out: a bound parameter in its place keeps both databases from it)."""
# A unit's latest comments, through the commented responses only (migration 0012).
Index("ix_response_unit_commented", Response.unit_id, Response.submitted_at,
      postgresql_where=commented, sqlite_where=commented)


class ResponseKey(Base):
    """What is unique about a response for all time: its idempotency key and its dossier HMAC.

    :func:`~survey.collection.responses.record_response` inserts this row first, with ``ON
    CONFLICT DO NOTHING``: a conflict on the key is a resend, on ``dossier_hash`` a dossier
    already answered. ``response_id`` and ``submitted_at`` find the response in its month's
    partition. No foreign key to ``response``, as for the answers (above), and a response moves
    between partitions as a delete and an insert (:mod:`survey.collection.partitions`), which
    such a key would refuse.
    """

    __tablename__ = "response_key"

    idempotency_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    response_id: Mapped[str] = mapped_column(String(36))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dossier_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class Answer(Base):
    """A rating 1–5 of one item. A skipped item has no row. ``submitted_at`` is the response's,
    for its key and its month's partition."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("value BETWEEN 1 AND 5", name="value"),
        BY_MONTH,
    )

    response_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers",
                                              primaryjoin=lambda: of_response(Answer))


class ResponseProblem(Base):
    """One "what went wrong" choice, asked after a rating of 1 or 2."""

    __tablename__ = "response_problem"
    __table_args__ = (BY_MONTH,)

    response_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


def of_response(child: type[Answer] | type[ResponseProblem]) -> ColumnElement[bool]:
    """An answer's or a choice's response, by its id and month (no foreign key: see above): the
    relationships' join, and a query's (its month lets PostgreSQL read one partition)."""
    return and_(Response.id == foreign(child.response_id),
                Response.submitted_at == foreign(child.submitted_at))


# A table made from the models rather than by migrating still takes every row on PostgreSQL:
# the month partitions are added by survey.collection.partitions.
for _name in ("response", "answer", "response_problem"):
    event.listen(Base.metadata.tables[_name], "after_create", DDL(
        f"CREATE TABLE {_name}_default PARTITION OF {_name} DEFAULT"
    ).execute_if(dialect="postgresql"))
