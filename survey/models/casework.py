"""Phản ánh, kiến nghị (complaints and petitions) and the citizen's contact details, kept apart.

A complaint is never linked to a survey response: filed from a comment, it copies the comment's
text and the place it was about, not the response's id, so a handler who sees the contact details
can never look up that citizen's ratings. The contact details live in a table of their own,
encrypted (:mod:`survey.sealing`), and are deleted once the case is closed and its retention
period has passed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow
from survey.models.units import Procedure, Sector, ServicePoint, Unit

KINDS = ("phan_anh", "kien_nghi")
STATUSES = ("received", "in_progress", "transferred", "answered", "closed")
OPEN_STATUSES = ("received", "in_progress", "transferred")
# How it reached us: the survey on a phone or a kiosk, the desk, a letter, the 1022 line, another system.
CHANNELS = ("phone", "kiosk", "desk", "letter", "hotline", "api")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Complaint(Base):
    """One phản ánh or kiến nghị, from receipt to its closing.

    ``ref`` is the public reference code the citizen looks the case up with. ``due_on`` is the
    last working day for the reply (:mod:`survey.casework.deadlines`); it is set again when Sở
    Nội vụ routes the case to another unit. ``source``/``external_id`` identify a ticket imported
    from another system (the 1022 line), so an import run twice stores it once.
    """

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        UniqueConstraint("source", "external_id"),
        Index("ix_complaint_unit_status", "unit_id", "status"),
        Index("ix_complaint_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(80))
    # A citizen's resend of the same form stores one case.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    routed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_on: Mapped[date]
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Why a unit handed the case back for routing (chuyển đơn vị khác).
    transfer_note: Mapped[str | None] = mapped_column(Text)
    # The citizen agreed that the reply be published (without personal data) …
    publish_consent: Mapped[bool] = mapped_column(default=False)
    # … and the handler checked the anonymised wording and published it.
    published: Mapped[bool] = mapped_column(default=False)
    public_text: Mapped[str | None] = mapped_column(Text)
    public_reply: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    contact: Mapped[ComplaintContact | None] = relationship(
        back_populates="complaint", cascade="all, delete-orphan", uselist=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintContact(Base):
    """How to reach the citizen for the reply: name, phone, e-mail, sealed in one token.

    ``sealed`` is a Fernet token (:func:`survey.sealing.seal`) of a small JSON object; nothing
    in clear. ``has_email``/``has_phone`` say which way a reply can go without opening it.
    """

    __tablename__ = "complaint_contact"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), primary_key=True)
    sealed: Mapped[str] = mapped_column(Text)
    has_email: Mapped[bool] = mapped_column(default=False)
    has_phone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="contact")
