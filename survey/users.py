"""Staff accounts, and the one place that says who may see or manage which unit.

``admin`` (Sở Nội vụ) may do everything. ``unit_manager`` manages the service points, kiosks and
QR codes of their unit's subtree; ``unit_viewer`` only reads it. Every staff view asks
:func:`can_view` or :func:`can_manage` about the unit an object belongs to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from survey import audit
from survey.extensions import AnySession
from survey.models import Unit, User
from survey.models.staff import ROLES
from survey.tree import subtree_ids

MIN_PASSWORD = 10
USER_FIELDS = ("email", "name", "role", "unit_id", "active")


class UserError(ValueError):
    """The account breaks a rule (duplicate e-mail, short password, unit role without a unit)."""


def visible_unit_ids(user: Any) -> list[int] | None:
    """The ids of the units ``user`` may see; None means every unit (administrators)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.role == "admin":
        return None
    return subtree_ids(user.unit) if user.unit is not None else []


def can_view(user: Any, unit: Unit | None) -> bool:
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    ids = visible_unit_ids(user)
    return ids is None or unit.id in ids


def can_manage(user: Any, unit: Unit | None) -> bool:
    """Administrators manage everything; unit managers their unit's subtree; viewers nothing."""
    if not can_view(user, unit):
        return False
    return bool(user.role in ("admin", "unit_manager"))


def create_user(
    session: AnySession,
    actor: User | None,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    unit: Unit | None = None,
) -> User:
    """A new staff account with a scrypt password hash; audited. Flushes, never commits."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}")
    if role != "admin" and unit is None:
        raise UserError("a unit role needs a unit")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if "@" not in email or not name.strip():
        raise UserError("an e-mail address and a name are needed")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise UserError(f"{email} already has an account")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        unit=unit if role != "admin" else None,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None, audit.snapshot(user, USER_FIELDS))
    return user


def update_user(
    session: AnySession,
    actor: User | None,
    user: User,
    *,
    name: str,
    role: str,
    unit: Unit | None,
    active: bool,
    password: str | None = None,
) -> None:
    """Change an account (a new password only if given); audited, the hash never logged."""
    if role not in ROLES or (role != "admin" and unit is None):
        raise UserError("a unit role needs a unit")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    before = audit.snapshot(user, USER_FIELDS)
    user.name, user.role, user.active = name.strip(), role, active
    user.unit = unit if role != "admin" else None
    if password:
        user.password_hash = generate_password_hash(password)
    session.flush()
    after = {**audit.snapshot(user, USER_FIELDS), "password_changed": bool(password)}
    audit.record(session, actor, "user.update", "user", user.id, before, after)
