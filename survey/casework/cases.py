"""The life of a case: received, routed, in progress, answered, closed (or handed back for routing).

Every function takes the session first, checks who acts and from which status, records an audit
entry, raises ``complaint.*`` events (:func:`survey.messaging.events.notify`), writes the e-mails
and SMS to the outbox (:mod:`survey.casework.notices`), flushes and never commits.

Statuses and who moves a case (``TRANSITIONS``)::

    received (tiếp nhận) ──start──▶ in_progress (đang xử lý) ──reply──▶ answered (đã trả lời)
        │  └───────────────reply──────────────────────────────────────▲        │ close
        └──transfer──▶ transferred (chuyển đơn vị khác) ◀──transfer──┘        ▼
                           │ route (Sở Nội vụ, to another unit)            closed (đã đóng)
                           ▼
                        received, at the new unit, with a new deadline

The unit's handlers start, reply, transfer and close; Sở Nội vụ routes a case to any unit at any
time before it is answered, and may close any case (a duplicate, a message that is not a
complaint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.administration import access, audit
from survey.casework import contacts, deadlines, notices
from survey.casework.publication import redact
from survey.extensions import AnySession
from survey.messaging.events import notify
from survey.models import Complaint, Unit, User
from survey.models.casework import CHANNELS, KINDS
from survey.periods import LOCAL
from survey.security import new_code

MAX_TEXT = 4000
CASE_FIELDS = ("ref", "kind", "channel", "unit_id", "status", "due_on", "source", "external_id",
               "escalated_at", "published")
TRANSITIONS = {
    "start": ("received",),
    "reply": ("received", "in_progress"),
    "transfer": ("received", "in_progress"),
    "close": ("answered",),
    "route": ("received", "in_progress", "transferred"),
}


class CaseError(ValueError):
    """The change breaks a rule (wrong status, not the case's handler, empty reply …)."""


@dataclass
class Intake:
    """A case as received, from any channel."""

    unit_id: int
    kind: str
    channel: str
    text: str
    service_point_id: int | None = None
    procedure_id: int | None = None
    sector_id: int | None = None
    contact: contacts.Contact = field(default_factory=contacts.Contact)
    publish_consent: bool = False
    received_at: datetime | None = None
    source: str | None = None
    external_id: str | None = None
    idempotency_key: str | None = None


def new_ref() -> str:
    """``PA-XXXX-XXXX``: 31⁸ ≈ 8.5 × 10¹¹ codes, no 0/O or 1/I/L, so it is typed without doubt."""
    code = new_code(8)
    return f"PA-{code[:4]}-{code[4:]}"


def normalise_ref(text: str) -> str:
    letters = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    letters = letters.removeprefix("PA")
    return f"PA-{letters[:4]}-{letters[4:8]}" if len(letters) == 8 else ""


def _check(session: AnySession, intake: Intake) -> Unit:
    if intake.kind not in KINDS:
        raise CaseError(_l("Không có loại %(kind)s.", kind=intake.kind))
    if intake.channel not in CHANNELS:
        raise CaseError(_l("Không có kênh %(channel)s.", channel=intake.channel))
    if not intake.text.strip():
        raise CaseError(_l("Cần ghi nội dung phản ánh, kiến nghị."))
    if len(intake.text) > MAX_TEXT:
        raise CaseError(_l("Nội dung dài quá %(n)s ký tự.", n=MAX_TEXT))
    unit = session.get(Unit, intake.unit_id)
    if unit is None:
        raise CaseError(_l("Không có đơn vị này."))
    if intake.received_at is not None and intake.received_at.tzinfo is None:
        raise CaseError(_l("Thời điểm tiếp nhận cần có múi giờ."))
    if intake.received_at is not None and intake.received_at > datetime.now(UTC) + timedelta(hours=1):
        raise CaseError(_l("Ngày nhận không thể ở tương lai."))
    return unit


def _existing(session: AnySession, intake: Intake) -> Complaint | None:
    if intake.idempotency_key:
        found = session.scalar(select(Complaint).filter_by(idempotency_key=intake.idempotency_key))
        if found is not None:
            return found
    if intake.source and intake.external_id:
        return session.scalar(select(Complaint).filter_by(source=intake.source,
                                                          external_id=intake.external_id))
    return None


def receive(session: AnySession, actor: User | None, intake: Intake) -> tuple[Complaint, bool]:
    """Store a new case (its deadline counted in working days) and tell its handlers.

    Returns (case, True), or (the case already stored, False) for a resend of the same form or
    a ticket imported before: both are unique constraints, so two racing requests store one.
    """
    _check(session, intake)
    found = _existing(session, intake)
    if found is not None:
        return found, False
    received = intake.received_at or datetime.now(UTC)
    complaint = Complaint(
        ref=new_ref(), kind=intake.kind, channel=intake.channel, source=intake.source,
        external_id=intake.external_id, idempotency_key=intake.idempotency_key, unit_id=intake.unit_id,
        service_point_id=intake.service_point_id, procedure_id=intake.procedure_id,
        sector_id=intake.sector_id, text=intake.text.strip(), status="received", received_at=received,
        routed_at=received, publish_consent=intake.publish_consent,
        due_on=deadlines.deadline(current_app.config, intake.kind, received.astimezone(LOCAL).date()))
    try:
        with session.begin_nested():
            session.add(complaint)
    except IntegrityError:
        found = _existing(session, intake)
        if found is None:
            raise
        return found, False
    contacts.attach(session, complaint, intake.contact)
    audit.record(session, actor=actor, action="complaint.receive", object_type="complaint",
                 object_id=complaint.id, after={**audit.snapshot(complaint, CASE_FIELDS),
                                                "contact_left": not intake.contact.empty})
    notify(session, "complaint.created", payload(complaint), about=f"complaint:{complaint.id}")
    notices.new_case(session, complaint)
    return complaint, True


def payload(complaint: Complaint, **extra: Any) -> dict[str, Any]:
    """What a webhook receiver is told about a case (never its text or the citizen's contact)."""
    return {
        "ref": complaint.ref, "kind": complaint.kind, "channel": complaint.channel,
        "unit_code": complaint.unit.code, "unit_name": complaint.unit.name,
        "sector_code": complaint.sector.code if complaint.sector else None,
        "procedure_code": complaint.procedure.code if complaint.procedure else None,
        "status": complaint.status,
        "received_on": complaint.received_at.astimezone(LOCAL).date().isoformat(),
        "due_on": complaint.due_on.isoformat(), "url": notices.status_url(complaint), **extra,
    }


def _move(session: AnySession, actor: User | None, complaint: Complaint, action: str, to: str, *,
          allowed: tuple[str, ...] | None = None, **changes: Any) -> None:
    if complaint.status not in (allowed or TRANSITIONS[action]):
        raise CaseError(_l("Không thể làm việc này khi hồ sơ đang ở trạng thái hiện tại."))
    before = audit.snapshot(complaint, CASE_FIELDS)
    previous = complaint.status
    complaint.status = to
    for name, value in changes.items():
        setattr(complaint, name, value)
    session.flush()
    audit.record(session, actor=actor, action=f"complaint.{action}", object_type="complaint",
                 object_id=complaint.id, before=before, after=audit.snapshot(complaint, CASE_FIELDS))
    on_time = (complaint.answered_at.astimezone(LOCAL).date() <= complaint.due_on
               if to == "answered" and complaint.answered_at else None)
    notify(session, "complaint.status_changed",
           payload(complaint, **{"from": previous, "to": to, "on_time": on_time}),
           about=f"complaint:{complaint.id}")


def _handler(actor: User | None, complaint: Complaint) -> None:
    if actor is None or not access.handles_complaint(actor, complaint):
        raise CaseError(_l("Chỉ cán bộ xử lý phản ánh của đơn vị được làm việc này."))


def start(session: AnySession, actor: User, complaint: Complaint) -> None:
    _handler(actor, complaint)
    _move(session, actor, complaint, "start", "in_progress")


def reply(session: AnySession, actor: User, complaint: Complaint, text: str) -> None:
    """Answer the case; the reply goes to the citizen's e-mail and/or phone, if they left one."""
    _handler(actor, complaint)
    text = (text or "").strip()
    if not text:
        raise CaseError(_l("Cần viết nội dung trả lời."))
    if len(text) > MAX_TEXT:
        raise CaseError(_l("Nội dung dài quá %(n)s ký tự.", n=MAX_TEXT))
    public: dict[str, Any] = {"public_text": redact(complaint.text), "public_reply": redact(text)} \
        if complaint.publish_consent else {}
    _move(session, actor, complaint, "reply", "answered", reply=text, replied_by_id=actor.id,
          answered_at=datetime.now(UTC), **public)
    contact = contacts.open_contact(complaint)
    if contact is not None:
        notices.reply_to_citizen(session, complaint, email=contact.email, phone=contact.phone)


def transfer(session: AnySession, actor: User, complaint: Complaint, note: str) -> None:
    """Hand the case back to Sở Nội vụ: it belongs to another unit (chuyển đơn vị khác)."""
    _handler(actor, complaint)
    if not (note or "").strip():
        raise CaseError(_l("Cần ghi lý do và đơn vị nên nhận."))
    _move(session, actor, complaint, "transfer", "transferred", transfer_note=note.strip()[:1000])
    notices.transferred(session, complaint)


def route(session: AnySession, actor: User | None, complaint: Complaint, unit: Unit) -> None:
    """Sở Nội vụ gives the case to ``unit``; its deadline counts again from today."""
    if actor is not None and not access.may_route_complaints(actor):
        raise CaseError(_l("Chỉ Sở Nội vụ chuyển phản ánh sang đơn vị khác."))
    if unit.valid_to is not None:
        raise CaseError(_l("Đơn vị %(name)s đã ngừng hoạt động.", name=unit.name))
    now = datetime.now(UTC)
    _move(session, actor, complaint, "route", "received", unit_id=unit.id, unit=unit, routed_at=now,
          escalated_at=None, transfer_note=None,
          due_on=deadlines.deadline(current_app.config, complaint.kind, now.astimezone(LOCAL).date()))
    notices.new_case(session, complaint)


def close(session: AnySession, actor: User | None, complaint: Complaint) -> None:
    """Close an answered case (its handlers, or the daily routine); Sở Nội vụ may close any case."""
    if actor is not None and access.may_route_complaints(actor):
        allowed = (*TRANSITIONS["route"], "answered")
    else:
        if actor is not None:
            _handler(actor, complaint)
        allowed = TRANSITIONS["close"]
    _move(session, actor, complaint, "close", "closed", allowed=allowed, closed_at=datetime.now(UTC))


def publish(session: AnySession, actor: User, complaint: Complaint, *, public_text: str,
            public_reply: str, published: bool) -> None:
    """Publish (or withdraw) the anonymised question and reply; only with the citizen's consent."""
    _handler(actor, complaint)
    if not complaint.publish_consent:
        raise CaseError(_l("Người gửi không đồng ý công khai."))
    if complaint.status not in ("answered", "closed"):
        raise CaseError(_l("Chỉ công khai được sau khi đã trả lời."))
    before = audit.snapshot(complaint, CASE_FIELDS)
    complaint.public_text = redact(public_text.strip())[:MAX_TEXT]
    complaint.public_reply = redact(public_reply.strip())[:MAX_TEXT]
    complaint.published = published and bool(complaint.public_text and complaint.public_reply)
    session.flush()
    audit.record(session, actor=actor, action="complaint.publish", object_type="complaint",
                 object_id=complaint.id, before=before, after=audit.snapshot(complaint, CASE_FIELDS))
