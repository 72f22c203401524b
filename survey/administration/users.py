"""Staff accounts: created and changed by administrators (or the first one by a command), audited.

Who may see which unit is not decided here but in :mod:`survey.administration.access`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import Unit, User
from survey.models.staff import ROLES, SECTOR_SCOPES

MIN_PASSWORD = 10
USER_FIELDS = ("email", "name", "role", "unit_id", "sector", "active", "reads_comments",
               "handles_complaints")
NEEDS_UNIT = _l("Vai trò của đơn vị cần chọn một đơn vị.")
NEEDS_SECTOR = _l("Vai trò sở chuyên ngành cần chọn một ngành (y tế hoặc giáo dục).")
UNITLESS = ("admin", "sector_viewer")
BOTH_PERMISSIONS = _l("Một người không thể vừa đọc ý kiến của người dân vừa xử lý phản ánh: người xem được "
                      "liên hệ của người dân không được đọc ý kiến kèm đánh giá.")
SHORT_PASSWORD = _l("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_PASSWORD)


class UserError(ValueError):
    """The account breaks a rule (duplicate e-mail, short password, unit role without a unit)."""


def create_user(
    session: AnySession,
    actor: User | None,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    sector: str | None = None,
    reads_comments: bool = False,
    handles_complaints: bool = False,
) -> User:
    """A new staff account with a scrypt password hash; audited. Flushes, never commits."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(_l("Không có vai trò %(role)s.", role=role))
    _check_scope(role, unit, sector)
    if len(password) < MIN_PASSWORD:
        raise UserError(SHORT_PASSWORD)
    if reads_comments and handles_complaints:
        raise UserError(BOTH_PERMISSIONS)
    if "@" not in email or not name.strip():
        raise UserError(_l("Cần có địa chỉ thư điện tử và họ tên."))
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise UserError(_l("%(email)s đã có tài khoản.", email=email))
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        unit=unit if role not in UNITLESS else None,
        sector=sector if role == "sector_viewer" else None,
        password_hash=generate_password_hash(password),
        reads_comments=reads_comments and role not in UNITLESS,
        handles_complaints=handles_complaints and role not in UNITLESS,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", object_type="user", object_id=user.id,
                 after=audit.snapshot(user, USER_FIELDS))
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
    sector: str | None = None,
    reads_comments: bool | None = None,
    handles_complaints: bool | None = None,
) -> None:
    """Change an account (a new password only if given); audited, the hash never logged.

    ``reads_comments`` and ``handles_complaints`` are the per-person permissions of SPEC §6 and
    of casework (None leaves them as they are); an administrator has both by role.
    """
    if role not in ROLES:
        raise UserError(NEEDS_UNIT)
    _check_scope(role, unit, sector)
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(SHORT_PASSWORD)
    reads = user.reads_comments if reads_comments is None else reads_comments
    handles = user.handles_complaints if handles_complaints is None else handles_complaints
    if reads and handles and role != "admin":
        raise UserError(BOTH_PERMISSIONS)
    before = audit.snapshot(user, USER_FIELDS)
    user.name, user.role, user.active = name.strip(), role, active
    user.unit = unit if role not in UNITLESS else None
    user.sector = sector if role == "sector_viewer" else None
    if reads_comments is not None:
        user.reads_comments = reads_comments and role not in UNITLESS
    if handles_complaints is not None:
        user.handles_complaints = handles_complaints and role not in UNITLESS
    if password:
        user.password_hash = generate_password_hash(password)
    session.flush()
    after = {**audit.snapshot(user, USER_FIELDS), "password_changed": bool(password)}
    audit.record(session, actor=actor, action="user.update", object_type="user", object_id=user.id,
                 before=before, after=after)


def _check_scope(role: str, unit: Unit | None, sector: str | None) -> None:
    """A unit role names a unit; a sector department names its sector (and no unit is needed)."""
    if role == "sector_viewer" and sector not in SECTOR_SCOPES:
        raise UserError(NEEDS_SECTOR)
    if role not in UNITLESS and unit is None:
        raise UserError(NEEDS_UNIT)
