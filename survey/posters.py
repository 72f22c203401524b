"""QR codes for posters and receipts: issued per unit, desk or procedure at a desk; revocable.

Each code's signed payload names its :class:`~survey.models.QrCode` row (``qr_id``), so revoking
the row retires every printed copy at once. The QR is drawn by segno as SVG, which prints sharp at
any size and is embedded as markup (no inline style, so the CSP holds).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from flask import url_for
from markupsafe import Markup, escape

from survey import audit
from survey.extensions import AnySession
from survey.models import Procedure, QrCode, ServicePoint, Unit, User
from survey.signing import SurveyPayload, sign_payload

QR_FIELDS = ("instrument_key", "unit_id", "service_point_id", "procedure_id", "revoked_at")
INSTRUMENT_KEYS = ("sipas-full", "sipas-short", "health-short", "education-short")


class QrError(ValueError):
    """The desk or procedure does not belong with the unit, or the instrument is unknown."""


def issue_qr_code(
    session: AnySession,
    actor: User | None,
    *,
    unit: Unit,
    service_point: ServicePoint | None = None,
    procedure: Procedure | None = None,
    instrument_key: str = "sipas-full",
) -> QrCode:
    """A new revocable QR code. A procedure code needs a desk (SPEC: per procedure at a desk)."""
    if service_point is not None and service_point.unit_id != unit.id:
        raise QrError("the service point belongs to another unit")
    if procedure is not None and service_point is None:
        raise QrError("a procedure QR code needs a service point")
    if instrument_key not in INSTRUMENT_KEYS:
        raise QrError(f"unknown instrument {instrument_key!r}")
    qr = QrCode(unit=unit, service_point=service_point, procedure=procedure, instrument_key=instrument_key)
    session.add(qr)
    session.flush()
    audit.record(session, actor, "qr_code.create", "qr_code", qr.id, None, audit.snapshot(qr, QR_FIELDS))
    return qr


def revoke_qr_code(session: AnySession, actor: User | None, qr: QrCode) -> None:
    if qr.revoked_at is not None:
        return
    before = audit.snapshot(qr, QR_FIELDS)
    qr.revoked_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor, "qr_code.revoke", "qr_code", qr.id, before, audit.snapshot(qr, QR_FIELDS))


def payload_for(qr: QrCode) -> SurveyPayload:
    return SurveyPayload(
        instrument=qr.instrument_key,
        unit=qr.unit.code,
        service_point=qr.service_point.code if qr.service_point else None,
        procedure=qr.procedure.code if qr.procedure else None,
        qr_id=qr.id,
    )


def survey_url(payload: SurveyPayload) -> str:
    """The absolute phone-survey URL for a payload (needs a request or SERVER_NAME)."""
    return url_for("public.phone", token=sign_payload(payload), _external=True)


def qr_svg(data: str, *, title: str) -> Markup:
    """An inline, scalable SVG of ``data`` (medium error correction, quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        border=4,
        svgclass="qr",
        lineclass=None,
        title=title,
        dark="#000",
        light="#fff",
    )
    svg = out.getvalue().decode("utf-8")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1))  # noqa: S704
