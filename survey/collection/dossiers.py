"""A dossier code given by the citizen at the kiosk: keyed in from the receipt, or read from it.

A receipt carries its dossier code in print (and often as a barcode of the same text), and may
carry the signed per-dossier survey link of ``POST /api/v1/dossier-links`` as a QR code. Either
is turned into the dossier HMAC (:func:`read`) and the code itself is dropped: it is never
stored, logged or sent back. A link's signed payload also names the procedure.

Whether the dossier already has its answer, on any channel (:func:`answered`), is one indexed
look-up on the unique ``response_key.dossier_hash``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from survey.collection.signing import InvalidPayload, dossier_hash, load_payload, normalise_dossier_code
from survey.extensions import AnySession
from survey.models import Procedure, ResponseKey

# What one-stop receipts print: "000.00.28.H10-251123-0001", "H10.22-231201-0001/BNV".
CODE = re.compile(r"[A-Z0-9][A-Z0-9./_-]{3,59}")
# The signed survey link of a receipt's QR code: https://<host>/s/<token>, maybe with ?lang=km.
LINK = re.compile(r"(?:https?://[^/\s]+)?/s/([A-Za-z0-9_.-]{1,1000})/?(?:\?[^#\s]*)?")


class InvalidDossier(ValueError):
    """Neither a dossier code as receipts print them nor a receipt's signed survey link."""


@dataclass(frozen=True)
class GivenDossier:
    """The HMAC of the dossier the citizen gave, and the procedure code its receipt link names."""

    hash: str
    procedure: str | None = None


def read(text: str) -> GivenDossier:
    """The dossier in ``text``: a code keyed in or scanned, or a receipt's survey link.

    Spaces are ignored and letters taken as capitals, as :func:`dossier_hash` does. Raises
    :class:`InvalidDossier` for anything else, a poster's QR link (no dossier) included.
    """
    text = text.strip()
    if len(text) > 1100:
        raise InvalidDossier("too long")
    link = LINK.fullmatch(text)
    if link:
        try:
            payload = load_payload(link.group(1))
        except InvalidPayload:
            raise InvalidDossier("not a link of ours") from None
        if not payload.dossier_hash:
            raise InvalidDossier("a survey link without a dossier")
        return GivenDossier(hash=payload.dossier_hash, procedure=payload.procedure)
    code = normalise_dossier_code(text)
    if not CODE.fullmatch(code):
        raise InvalidDossier("not a dossier code")
    return GivenDossier(hash=dossier_hash(code))


def answered(session: AnySession, digest: str) -> bool:
    """Whether a response, on any channel, already counts for the dossier of HMAC ``digest``."""
    return session.scalar(select(ResponseKey.response_id).filter_by(dossier_hash=digest)) is not None


def procedure_of(session: AnySession, code: str | None) -> tuple[int, int | None] | None:
    """(id, sector id) of the procedure a receipt link names, if it is one."""
    if not code:
        return None
    row = session.execute(select(Procedure.id, Procedure.sector_id).filter_by(code=code)).first()
    return (row[0], row[1]) if row else None
