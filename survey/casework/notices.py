"""What people are told about a case, written to the outbox (never sent from here).

The texts are the templates ``templates/mail/*.txt``: the first line is the subject, the rest the
body. They are Vietnamese only: they go to civil servants and to citizens of the province, and a
province edits them without a translator.

- handlers of the unit: a new case, a reminder before the deadline;
- handlers of the unit above and Sở Nội vụ: an overdue case (escalation);
- Sở Nội vụ: a case handed back for routing, a unit without handlers, the daily digest;
- the citizen: the reply, by e-mail and/or SMS, sealed in the outbox.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from survey.extensions import AnySession
from survey.messaging import outbox
from survey.models import Complaint, User


def absolute(endpoint: str, **values: Any) -> str:
    """An absolute link under ``PUBLIC_URL`` (a worker or a command has no request)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


def case_url(complaint: Complaint) -> str:
    return absolute("unit.complaint", complaint_id=complaint.id)


def status_url(complaint: Complaint) -> str:
    return absolute("public.complaint_status", ref=complaint.ref)


def handlers_of(session: AnySession, unit_id: int | None) -> list[User]:
    if unit_id is None:
        return []
    return list(session.scalars(select(User).where(
        User.unit_id == unit_id, User.handles_complaints.is_(True), User.active.is_(True)).order_by(User.id)))


def administrators(session: AnySession) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "admin", User.active.is_(True))
                                .order_by(User.id)))


def _mail(session: AnySession, template: str, to: list[User], *, event: str, about: str | None,
          dedupe: str | None, **context: Any) -> bool:
    """Write one e-mail to ``to``; False when there is nobody, or it was written before."""
    if not to:
        return False
    subject, _sep, body = render_template(f"mail/{template}.txt", **context).partition("\n")
    return outbox.email(session, to=[u.email for u in to], subject=subject.strip(), body=body.strip() + "\n",
                        event=event, about=about, dedupe_key=dedupe) is not None


def new_case(session: AnySession, complaint: Complaint) -> None:
    """Tell the unit's handlers; with none, tell Sở Nội vụ that the unit has nobody to handle it."""
    about = f"complaint:{complaint.id}"
    handlers = handlers_of(session, complaint.unit_id)
    key = f"new:{complaint.id}:{complaint.unit_id}:{complaint.routed_at.isoformat()}"
    if handlers:
        _mail(session, "new_case", handlers, event="complaint.created", about=about, dedupe=key,
              complaint=complaint, url=case_url(complaint))
    else:
        _mail(session, "no_handler", administrators(session), event="complaint.created", about=about,
              dedupe=key, complaint=complaint, url=case_url(complaint))


def reminder(session: AnySession, complaint: Complaint, days_left: int) -> bool:
    return _mail(session, "reminder", handlers_of(session, complaint.unit_id), event="complaint.reminder",
          about=f"complaint:{complaint.id}", dedupe=f"reminder:{complaint.id}:{complaint.due_on}",
          complaint=complaint, days_left=days_left, url=case_url(complaint))


def escalated(session: AnySession, complaint: Complaint, days_overdue: int) -> None:
    parent = complaint.unit.parent
    to = handlers_of(session, parent.id if parent else None) + administrators(session)
    _mail(session, "escalated", to, event="complaint.escalated", about=f"complaint:{complaint.id}",
          dedupe=f"escalated:{complaint.id}:{complaint.due_on}", complaint=complaint, parent=parent,
          days_overdue=days_overdue, url=case_url(complaint))


def transferred(session: AnySession, complaint: Complaint) -> None:
    _mail(session, "transferred", administrators(session), event="complaint.status_changed",
          about=f"complaint:{complaint.id}", dedupe=None, complaint=complaint, url=case_url(complaint))


def reply_to_citizen(session: AnySession, complaint: Complaint, *, email: str, phone: str) -> None:
    """The reply, to whichever of the citizen's addresses was left (sealed in the outbox)."""
    about = f"complaint:{complaint.id}"
    url = status_url(complaint)
    if email:
        subject, _sep, body = render_template("mail/reply.txt", complaint=complaint, url=url).partition("\n")
        outbox.email(session, to=[email], subject=subject.strip(), body=body.strip() + "\n",
                     event="complaint.reply", about=about, dedupe_key=f"reply-email:{complaint.id}",
                     private=True)
    if phone:
        text = render_template("mail/reply_sms.txt", complaint=complaint, url=url).strip()
        outbox.sms(session, to=phone, text=text, event="complaint.reply", about=about,
                   dedupe_key=f"reply-sms:{complaint.id}")


def digest(session: AnySession, day: Any, summary: Any) -> None:
    _mail(session, "digest", administrators(session), event="complaint.digest", about=None,
          dedupe=f"digest:{day.isoformat()}", day=day, summary=summary,
          url=absolute("unit.complaints"))
