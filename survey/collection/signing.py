"""Signed survey payloads (QR codes, per-dossier links) and the dossier HMAC."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

QR_SALT = "survey-qr-v1"


@dataclass(frozen=True)
class SurveyPayload:
    """What a QR code or a per-dossier link says: which survey, for whom, where."""

    instrument: str
    unit: str
    service_point: str | None = None
    procedure: str | None = None
    qr_id: int | None = None
    dossier_hash: str | None = None
    channel: str = "qr"

    def to_wire(self) -> dict[str, object]:
        wire = {
            "i": self.instrument,
            "u": self.unit,
            "s": self.service_point,
            "p": self.procedure,
            "q": self.qr_id,
            "d": self.dossier_hash,
            "c": self.channel,
        }
        return {k: v for k, v in wire.items() if v is not None}


class InvalidPayload(ValueError):
    """The token was tampered with, signed by another installation, or is malformed."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=QR_SALT)


def sign_payload(payload: SurveyPayload) -> str:
    return str(_serializer().dumps(payload.to_wire()))


def load_payload(token: str) -> SurveyPayload:
    """Verify and decode a token. Raises :class:`InvalidPayload` for anything not signed by us."""
    if len(token) > 1000:
        raise InvalidPayload("token too long")
    try:
        wire = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError) as error:
        raise InvalidPayload(str(error)) from error
    if not isinstance(wire, dict) or not isinstance(wire.get("i"), str) or "u" not in wire:
        raise InvalidPayload("incomplete payload")
    fields = {"i", "u", "s", "p", "q", "d", "c"}
    if set(wire) - fields:
        raise InvalidPayload("unknown fields")
    return SurveyPayload(
        instrument=wire["i"],
        unit=wire["u"],
        service_point=wire.get("s"),
        procedure=wire.get("p"),
        qr_id=wire.get("q"),
        dossier_hash=wire.get("d"),
        channel=wire.get("c", "qr"),
    )


def normalise_dossier_code(code: str) -> str:
    return "".join(code.split()).upper()


def dossier_hash(code: str) -> str:
    """The keyed HMAC-SHA256 of a dossier code: the only form in which a dossier code is stored."""
    key = current_app.config["DOSSIER_KEY"].encode()
    return hmac.new(key, normalise_dossier_code(code).encode(), hashlib.sha256).hexdigest()
