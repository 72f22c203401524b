"""Kiosks: created by staff, bound to a tablet by a one-time code, revocable; the tablet's look-up.

Creating a kiosk, issuing it a new code and revoking it are audited here, whoever asks (a
page, a command).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, bindparam, func, select, update

from survey.administration import audit
from survey.collection.signing import normalise_dossier_code
from survey.extensions import AnySession
from survey.models import Kiosk, ServicePoint, User
from survey.security import hash_secret, new_code, new_secret

COOKIE = "kiosk"
TOUCH_EVERY = timedelta(minutes=1)
CLOCK_SKEW = timedelta(minutes=5)  # a tablet clock this far ahead is taken as right, and as now
KIOSKS: Table = Kiosk.__table__  # type: ignore[assignment]
POINTS: Table = ServicePoint.__table__  # type: ignore[assignment]
FIELDS = ("label", "service_point_id", "instrument_key", "enrolled_at", "revoked_at")
FLEET_MAX = 200  # kiosks made at one desk in one go


class EnrolmentError(ValueError):
    """The code is unknown, used or expired."""


class FleetError(ValueError):
    """Kiosks cannot be made at this desk (closed), or not that many at once."""


def _audit(session: AnySession, actor: User | None, action: str, kiosk: Kiosk,
           before: dict[str, object] | None) -> None:
    audit.record(session, actor=actor, action=f"kiosk.{action}", object_type="kiosk", object_id=kiosk.id,
                 before=before, after=audit.snapshot(kiosk, FIELDS))


def create_kiosk(session: AnySession, actor: User | None, service_point: ServicePoint, *, label: str,
                 instrument_key: str = "sipas-short") -> tuple[Kiosk, str]:
    """A new kiosk and its one-time enrolment code (shown once, stored only as a hash). Audited."""
    kiosk = Kiosk(service_point=service_point, label=label, instrument_key=instrument_key)
    session.add(kiosk)
    code = _new_code(session, kiosk)
    _audit(session, actor, "create", kiosk, None)
    return kiosk, code


def create_fleet(session: AnySession, actor: User | None, service_point: ServicePoint, *, count: int,
                 label: str = "Máy", instrument_key: str = "sipas-short") -> list[tuple[Kiosk, str]]:
    """``count`` new kiosks at a desk, numbered after its existing ones, each with its one-time code.

    For enrolling a fleet of tablets (``flask kiosks issue-codes``). Each kiosk is audited as
    :func:`create_kiosk` audits it.
    """
    if not 1 <= count <= FLEET_MAX:
        raise FleetError(_l("Số máy phải từ 1 đến %(max)s.", max=FLEET_MAX))
    if service_point.valid_to is not None:
        raise FleetError(_l("Điểm phục vụ %(code)s đã đóng.", code=service_point.code))
    have = session.scalar(
        select(func.count()).select_from(Kiosk).filter_by(service_point_id=service_point.id)
    )
    return [create_kiosk(session, actor, service_point, label=f"{label} {(have or 0) + n}",
                         instrument_key=instrument_key) for n in range(1, count + 1)]


def issue_enrolment_code(session: AnySession, actor: User | None, kiosk: Kiosk) -> str:
    """A fresh one-time code; enrolling with it moves the kiosk to a new tablet. Audited."""
    before = audit.snapshot(kiosk, FIELDS)
    code = _new_code(session, kiosk)
    _audit(session, actor, "code", kiosk, before)
    return code


def _new_code(session: AnySession, kiosk: Kiosk) -> str:
    code = new_code(8)
    hours = current_app.config["KIOSK_ENROLMENT_HOURS"]
    kiosk.enrolment_code_hash = hash_secret(code)
    kiosk.enrolment_expires_at = datetime.now(UTC) + timedelta(hours=hours)
    kiosk.revoked_at = None
    session.flush()
    return code


def enrol_kiosk(session: AnySession, code: str) -> tuple[Kiosk, str]:
    """Consume an enrolment code. Returns the kiosk and the device secret for the tablet's cookie."""
    code_hash = hash_secret(normalise_dossier_code(code))
    kiosk = session.scalar(select(Kiosk).filter_by(enrolment_code_hash=code_hash))
    now = datetime.now(UTC)
    if kiosk is None or kiosk.enrolment_expires_at is None or kiosk.enrolment_expires_at < now:
        raise EnrolmentError("unknown or expired code")
    secret = new_secret()
    kiosk.enrolment_code_hash = None
    kiosk.enrolment_expires_at = None
    kiosk.device_secret_hash = hash_secret(secret)
    kiosk.enrolled_at = now
    kiosk.last_seen_at = now
    session.flush()
    return kiosk, secret


@dataclass(frozen=True)
class EnrolledKiosk:
    """What a request from a tablet needs to know about its kiosk (read on every answer)."""

    id: int
    service_point_id: int
    unit_id: int
    place: str
    instrument_key: str
    last_seen_at: datetime | None
    outbox_discard_before: datetime | None  # an administrator's word (``kiosk_outbox``)


# Core, built once: this runs on every submission, and ORM loading would cost several times more.
_BY_SECRET = (
    select(KIOSKS.c.id, KIOSKS.c.service_point_id, POINTS.c.unit_id, POINTS.c.name,
           KIOSKS.c.instrument_key, KIOSKS.c.last_seen_at, KIOSKS.c.outbox_discard_before)
    .join_from(KIOSKS, POINTS, KIOSKS.c.service_point_id == POINTS.c.id)
    .where(KIOSKS.c.device_secret_hash == bindparam("secret_hash"), KIOSKS.c.revoked_at.is_(None))
)


def kiosk_for_secret(session: AnySession, secret: str | None) -> EnrolledKiosk | None:
    """The enrolled, unrevoked kiosk that holds ``secret``, if any."""
    if not secret or len(secret) > 100:
        return None
    secret_hash = hash_secret(secret)
    row = session.connection().execute(_BY_SECRET, {"secret_hash": secret_hash}).first()
    if row is None:
        _questionnaires.pop(secret_hash, None)
        return None
    kiosk = EnrolledKiosk(*row)
    if len(_questionnaires) >= QUESTIONNAIRES_KEPT:
        _questionnaires.clear()
    _questionnaires[secret_hash] = kiosk.instrument_key
    return kiosk


# Device secret hash → the instrument key its kiosk had when last looked up in this process.
_questionnaires: dict[str, str] = {}
QUESTIONNAIRES_KEPT = 10_000


def last_questionnaire(secret: str | None) -> str | None:
    """Which questionnaire the tablet holding ``secret`` asked when this process last looked it
    up, without a query: what an answer is parsed with before its kiosk is looked up in the
    transaction that records it. Only a guess, never who is asking: the look-up decides that.
    """
    if not secret or len(secret) > 100:
        return None
    return _questionnaires.get(hash_secret(secret))


def touch(session: AnySession, kiosk: EnrolledKiosk) -> None:
    """Record the kiosk's last contact, at most once a minute to spare the database."""
    now = datetime.now(UTC)
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at > TOUCH_EVERY:
        session.connection().execute(
            update(KIOSKS).where(KIOSKS.c.id == kiosk.id).values(last_seen_at=now)
        )


def answered_at(tablet_ms: int | None, now: datetime, late: timedelta) -> datetime:
    """When the citizen answered, by the tablet's clock where it can be believed; else ``now``.

    An answer given while the network was down waits in the tablet's outbox and arrives later,
    perhaps the next day. Dated on arrival, it would move to another day or quarter, and a
    flush of many would look like a burst of ratings. The tablet's time is believed from
    ``late`` before ``now`` up to ``CLOCK_SKEW`` after it (taken as ``now``); a tablet clock
    outside that range is wrong, and the answer is dated on arrival.
    """
    if tablet_ms is None:
        return now
    try:
        told = datetime.fromtimestamp(tablet_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    if now - late <= told <= now + CLOCK_SKEW:
        return min(told, now)
    return now


def revoke_kiosk(session: AnySession, actor: User | None, kiosk: Kiosk) -> None:
    """The tablet's secret stops working at once; it shows the "not enrolled" screen. Audited."""
    before = audit.snapshot(kiosk, FIELDS)
    kiosk.revoked_at = datetime.now(UTC)
    kiosk.device_secret_hash = None
    kiosk.enrolment_code_hash = None
    session.flush()
    _audit(session, actor, "revoke", kiosk, before)
