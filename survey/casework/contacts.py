"""The citizen's contact details: sealed in a table of their own, opened only for the case's
handlers, deleted once the case has been closed for the retention period.

Nothing else holds them in clear: not the case, not the audit log (which records only that a
contact was left), not an outbox message (sealed too, and wiped once sent).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey import sealing
from survey.administration import audit
from survey.extensions import AnySession
from survey.messaging import outbox
from survey.models import Complaint, ComplaintContact

PHONE = re.compile(r"^(?:\+?84|0)(?:3|5|7|8|9|2[0-9])[0-9]{8}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class ContactError(ValueError):
    """A phone number or e-mail address that cannot be used for a reply."""


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def empty(self) -> bool:
        return not (self.phone or self.email)

    @classmethod
    def clean(cls, *, name: str | None = "", phone: str | None = "", email: str | None = "") -> Contact:
        """Normalised (spaces, dots and dashes out of a phone number) and checked."""
        digits = re.sub(r"[\s.\-()]", "", phone or "")
        if digits and not PHONE.match(digits):
            raise ContactError(_l("Số điện thoại chưa đúng. Ví dụ: 0912 345 678."))
        address = (email or "").strip()
        if address and (len(address) > 200 or not EMAIL.match(address)):
            raise ContactError(_l("Địa chỉ thư điện tử chưa đúng. Ví dụ: ten@gmail.com."))
        return cls(name=(name or "").strip()[:120], phone=digits, email=address.lower())


def attach(session: AnySession, complaint: Complaint, contact: Contact) -> None:
    """Seal and store ``contact`` for ``complaint`` (nothing when it is empty)."""
    if contact.empty:
        return
    sealed = sealing.seal(json.dumps({"name": contact.name, "phone": contact.phone, "email": contact.email}))
    complaint.contact = ComplaintContact(sealed=sealed, has_email=bool(contact.email),
                                         has_phone=bool(contact.phone))
    session.flush()


def open_contact(complaint: Complaint) -> Contact | None:
    """The contact in clear; callers check :func:`survey.administration.access.handles_complaint`."""
    row = complaint.contact
    if row is None:
        return None
    values = json.loads(sealing.unseal(row.sealed))
    return Contact(name=values.get("name", ""), phone=values.get("phone", ""), email=values.get("email", ""))


def purge(session: AnySession, *, retention_days: int, now: datetime | None = None) -> int:
    """Delete the contact of every case closed more than ``retention_days`` ago; audited per case."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    expired = session.scalars(
        select(Complaint).join(ComplaintContact)
        .where(Complaint.status == "closed", Complaint.closed_at < cutoff).order_by(Complaint.id))
    count = 0
    for complaint in expired:
        complaint.contact = None
        outbox.cancel_about(session, f"complaint:{complaint.id}")
        session.flush()
        audit.record(session, actor=None, action="complaint.contact_deleted", object_type="complaint",
                     object_id=complaint.id, after={"retention_days": retention_days})
        count += 1
    return count


def reseal_all(session: AnySession) -> int:
    """Re-encrypt every contact with the first key of the ring (key rotation)."""
    count = 0
    for row in session.scalars(select(ComplaintContact)):
        row.sealed = sealing.reseal(row.sealed)
        count += 1
    session.flush()
    return count
