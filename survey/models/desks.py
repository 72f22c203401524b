"""Desk sessions: the one-stop software tells a desk which dossier it has just served.

The desk's enrolled kiosk picks the newest live session up, greets the citizen with the
procedure's name, and its answer carries the procedure, the sector and the dossier HMAC
(:mod:`survey.collection.desks`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow
from survey.models.units import Procedure, ServicePoint


class DeskSession(Base):
    """One dossier served at one desk; live until ``expires_at`` or until its kiosk answer."""

    __tablename__ = "desk_session"
    __table_args__ = (
        UniqueConstraint("service_point_id", "dossier_hash"),  # a resend is the same session
        Index("ix_desk_session_live", "service_point_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the tablet is told and sends back with the answer (not the row id: not guessable).
    key: Mapped[str] = mapped_column(String(32), unique=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    dossier_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    service_point: Mapped[ServicePoint] = relationship()
    procedure: Mapped[Procedure] = relationship()
