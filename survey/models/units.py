"""The dated unit tree, service points, sectors, procedures, kiosks and QR codes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow
from survey.security import new_code

SHORT_CODE_LENGTH = 7  # 31**7 ≈ 2.8e10 codes: a collision is retried (survey/collection/qrcodes.py)


def new_short_code() -> str:
    return new_code(SHORT_CODE_LENGTH)

UNIT_LEVELS = ("city", "department", "commune")
SERVICE_POINT_KINDS = ("one_stop", "centre_counter", "hospital", "school")


class Unit(Base):
    """An agency in a dated tree: city, then department or commune/ward.

    A unit is never deleted: it is closed on a date (``valid_to``) and may name a
    ``successor`` when units merge, so responses keep the unit they were given to.
    """

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("level IN ('city', 'department', 'commune')", name="level"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(40), default="can_tho")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date] = mapped_column(default=date(2025, 7, 1))
    valid_to: Mapped[date | None]

    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Unit]] = relationship(
        foreign_keys=[parent_id], back_populates="parent"
    )
    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="unit")

    def is_open_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class ServicePoint(Base):
    """Where the citizen was served: a one-stop desk, a centre counter, a hospital or a school."""

    __tablename__ = "service_point"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('one_stop', 'centre_counter', 'hospital', 'school')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="one_stop")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    valid_from: Mapped[date] = mapped_column(default=date(2025, 7, 1))
    valid_to: Mapped[date | None]

    unit: Mapped[Unit] = relationship(back_populates="service_points")


sector_group_member = Table(
    "sector_group_member",
    Base.metadata,
    Column("sector_group_id", ForeignKey("sector_group.id"), primary_key=True),
    Column("sector_id", ForeignKey("sector.id"), primary_key=True),
)


class Sector(Base):
    """A field of administration (lĩnh vực): đất đai, xây dựng, hộ tịch, y tế …"""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class SectorGroup(Base):
    """Sectors that a target names together, e.g. ``land+construction+investment``."""

    __tablename__ = "sector_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sectors: Mapped[list[Sector]] = relationship(secondary=sector_group_member)


class Procedure(Base):
    """An administrative procedure (TTHC), identified by its national code such as ``1.004227``."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20), default="commune")
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    sector: Mapped[Sector] = relationship()
    unit: Mapped[Unit | None] = relationship()


class Kiosk(Base):
    """A tablet at a service point, bound to it by a one-time enrolment code.

    Only hashes are stored: of the enrolment code until it is used, then of the device
    secret that the tablet keeps in a cookie.
    """

    __tablename__ = "kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(60), default="sipas-short")
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # What the tablet last said of its outbox: answers not yet delivered, and when the oldest was
    # given. An administrator's "discard" sets the last column; the tablet then drops the answers
    # the server refused for good that were given before it (nothing else is ever dropped).
    outbox_waiting: Mapped[int] = mapped_column(default=0, server_default="0")
    outbox_oldest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outbox_discard_before: Mapped[datetime | None] = mapped_column(UtcDateTime)

    service_point: Mapped[ServicePoint] = relationship()


class QrCode(Base):
    """A printed QR code (poster) whose signed payload names this row, so it can be revoked."""

    __tablename__ = "qr_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(60), default="sipas-full")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The poster's short link, /q/<short_code>, to type or to send by Zalo or SMS.
    short_code: Mapped[str] = mapped_column(String(12), unique=True, default=new_short_code)

    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
