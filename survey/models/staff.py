"""Staff accounts, API tokens for one-stop software, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow
from survey.models.units import Unit

ROLES = ("admin", "unit_manager", "unit_viewer", "sector_viewer")
SECTOR_SCOPES = ("health", "education")  # survey/reporting/sectors.py says what each one reaches


class User(UserMixin, Base):
    """A member of staff. ``admin`` is Sở Nội vụ; the unit roles see their unit's subtree only;
    ``sector_viewer`` (Sở Y tế, Sở GD&ĐT) sees one sector's answers across every unit."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'unit_manager', 'unit_viewer', 'sector_viewer')",
                        name="role"),
        CheckConstraint("role IN ('admin', 'sector_viewer') OR unit_id IS NOT NULL",
                        name="unit_role_has_unit"),
        CheckConstraint("(role = 'sector_viewer' AND sector IS NOT NULL) OR "
                        "(role <> 'sector_viewer' AND sector IS NULL)", name="sector_role"),
        CheckConstraint("sector IS NULL OR sector IN ('health', 'education')", name="sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    sector: Mapped[str | None] = mapped_column(String(20))  # of a sector_viewer only
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Granted per person by an administrator (SPEC §6), never by a role: reading citizens' raw
    # comments, and handling the unit's phản ánh, kiến nghị (seeing the citizen's contact).
    reads_comments: Mapped[bool] = mapped_column(default=False, server_default=false())
    handles_complaints: Mapped[bool] = mapped_column(default=False, server_default=false())

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class ApiToken(Base):
    """A token that lets a unit's one-stop software ask for per-dossier survey links. Stored hashed."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship()


class AuditEntry(Base):
    """Who changed what, when, before and after. Append-only and hash-chained."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    user: Mapped[User | None] = relationship()
