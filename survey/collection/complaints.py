"""A citizen files a phản ánh, kiến nghị from a survey channel (the phone now, the kiosk next).

After a phone survey, the thanks page offers to turn the comment into a case
(``/phan-anh/moi?from=<offer>``). The offer is the response's idempotency key, encrypted and
dated (Fernet under a key derived from ``SECRET_KEY``, valid for :data:`OFFER_HOURS` hours), so
its URL reveals nothing in a log and cannot be forged into another citizen's comment. The page
reads the comment and the place from the response to fill the form in; the case stores a copy of
the text and the place, **never the response**: a handler who sees the citizen's contact can
never reach their ratings.

A kiosk step calls :func:`file_from_survey` with the kiosk's :class:`~survey.collection.responses.Context`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l

from survey.casework import cases
from survey.casework.contacts import Contact
from survey.collection.responses import IDEMPOTENCY_KEY, Context, by_key
from survey.extensions import AnySession
from survey.models import Complaint, ServicePoint, Unit

OFFER_HOURS = 2
CHANNEL_OF = {"kiosk": "kiosk", "qr": "phone", "link": "phone", "paper": "desk", "api": "api"}


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hailong complaint offer v1")
    key = derive.derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def offer_token(idempotency_key: str) -> str:
    """The ``from`` of the link on the thanks page, for the response with this key."""
    return _fernet().encrypt(json.dumps({"k": idempotency_key}).encode()).decode()


@dataclass(frozen=True)
class Offer:
    """What the form is filled in with: the place the citizen rated and their comment."""

    unit_id: int
    place: str
    channel: str
    comment: str
    service_point_id: int | None = None
    procedure_id: int | None = None
    sector_id: int | None = None


def offered_key(token: str | None) -> str | None:
    """The idempotency key behind a ``from`` token; None for a missing, expired or forged one.

    Also what lets the phone's "say more" page add to the response it belongs to."""
    if not token or len(token) > 500:
        return None
    try:
        key = json.loads(_fernet().decrypt(token.encode(), ttl=OFFER_HOURS * 3600))["k"]
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.match(key):
        return None
    return key


def read_offer(session: AnySession, token: str | None) -> Offer | None:
    """The offer behind a ``from`` token; None for a missing, expired, forged or unknown one."""
    key = offered_key(token)
    if key is None:
        return None
    response = by_key(session, key)
    if response is None:
        return None
    unit = session.get_one(Unit, response.unit_id)
    point = session.get(ServicePoint, response.service_point_id) if response.service_point_id else None
    return Offer(unit_id=unit.id, place=point.name if point else unit.name,
                 channel=CHANNEL_OF.get(response.channel, "phone"), comment=response.comment or "",
                 service_point_id=response.service_point_id, procedure_id=response.procedure_id,
                 sector_id=response.sector_id)


def file_complaint(session: AnySession, *, unit_id: int, channel: str, text: str, kind: str,
                   contact: Contact, contact_consent: bool, publish_consent: bool,
                   idempotency_key: str, service_point_id: int | None = None,
                   procedure_id: int | None = None, sector_id: int | None = None) -> tuple[Complaint, bool]:
    """A citizen's own case. A contact is kept only with their consent; a resend stores one case.

    Returns (case, created). Raises :class:`~survey.casework.cases.CaseError` with a message for
    the citizen. Flushes, never commits.
    """
    if not contact.empty and not contact_consent:
        raise cases.CaseError(_l("Vui lòng đánh dấu ô đồng ý để cơ quan dùng số điện thoại hoặc "
                                 "thư điện tử này trả lời Ông/Bà, hoặc xóa chúng đi."))
    if not IDEMPOTENCY_KEY.match(idempotency_key or ""):
        raise cases.CaseError(_l("Mã chống gửi trùng phải gồm 16–64 chữ, số, - hoặc _."))
    return cases.receive(session, None, cases.Intake(
        unit_id=unit_id, kind=kind, channel=channel, text=text, service_point_id=service_point_id,
        procedure_id=procedure_id, sector_id=sector_id, contact=contact,
        publish_consent=publish_consent, idempotency_key=idempotency_key))


def file_from_survey(session: AnySession, context: Context, *, text: str, kind: str = "phan_anh",
                     phone: str = "", email: str = "", name: str = "", contact_consent: bool = False,
                     publish_consent: bool = False, idempotency_key: str) -> tuple[Complaint, bool]:
    """For a survey step (the kiosk): the case about the place of ``context``.

    ``phone``/``email`` are cleaned and checked (:class:`~survey.casework.contacts.ContactError`
    names what is wrong); ``idempotency_key`` must differ from the response's own.
    """
    contact = Contact.clean(name=name, phone=phone, email=email)
    return file_complaint(
        session, unit_id=context.unit_id, channel=CHANNEL_OF.get(context.channel, "phone"), text=text,
        kind=kind, contact=contact, contact_consent=contact_consent, publish_consent=publish_consent,
        idempotency_key=idempotency_key, service_point_id=context.service_point_id,
        procedure_id=context.procedure_id, sector_id=context.sector_id)
