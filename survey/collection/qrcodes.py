"""QR codes for posters and receipts: issued per unit, desk or procedure at a desk; revocable.

Each code's signed payload names its :class:`~survey.models.QrCode` row (``qr_id``), so revoking
the row retires every printed copy at once. Each row also has a short code: the poster prints its
short link (``/q/<short_code>``) under the QR, for a camera that cannot read the QR and for an
officer sending the link by Zalo or SMS; the link redirects to the signed survey URL.

The QR is drawn by segno as SVG, which prints sharp at any size and is embedded as markup (no
inline style, so the CSP holds).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from survey.administration import audit
from survey.collection import instruments
from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import AnySession
from survey.models import Procedure, QrCode, ServicePoint, Unit, User
from survey.models.units import new_short_code

QR_FIELDS = ("instrument_key", "unit_id", "service_point_id", "procedure_id", "revoked_at")


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
        raise QrError(_l("Điểm phục vụ này thuộc đơn vị khác."))
    if procedure is not None and service_point is None:
        raise QrError(_l("Mã QR cho một thủ tục cần chọn điểm phục vụ."))
    if instrument_key not in instruments.BUILT_IN:
        raise QrError(_l("Không có bộ câu hỏi %(key)s.", key=instrument_key))
    qr = QrCode(unit=unit, service_point=service_point, procedure=procedure, instrument_key=instrument_key,
                short_code=_unused_short_code(session))
    session.add(qr)
    session.flush()
    audit.record(session, actor=actor, action="qr_code.create", object_type="qr_code", object_id=qr.id,
                 after=audit.snapshot(qr, QR_FIELDS))
    return qr


def _unused_short_code(session: AnySession) -> str:
    while True:
        code = new_short_code()
        if session.scalar(select(QrCode.id).filter_by(short_code=code)) is None:
            return code


def by_short_code(session: AnySession, code: str) -> QrCode | None:
    """The QR code whose short link is ``code``, as typed: any case, spaces and dashes ignored."""
    typed = "".join(ch for ch in code.upper() if ch.isalnum())
    if not typed or len(typed) > 12:
        return None
    return session.scalar(select(QrCode).filter_by(short_code=typed))


def unit_codes(session: AnySession, unit: Unit) -> list[QrCode]:
    """The unit's QR codes still in use: the unit's own first, then each desk's, oldest first."""
    query = (
        select(QrCode)
        .where(QrCode.unit_id == unit.id, QrCode.revoked_at.is_(None))
        .order_by(QrCode.service_point_id.is_not(None), QrCode.service_point_id, QrCode.id)
    )
    return list(session.scalars(query))


def revoke_qr_code(session: AnySession, actor: User | None, qr: QrCode) -> None:
    if qr.revoked_at is not None:
        return
    before = audit.snapshot(qr, QR_FIELDS)
    qr.revoked_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor=actor, action="qr_code.revoke", object_type="qr_code", object_id=qr.id,
                 before=before, after=audit.snapshot(qr, QR_FIELDS))


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


def short_url(qr: QrCode) -> str:
    """The poster's short link, absolute (needs a request or SERVER_NAME)."""
    return url_for("public.short_link", code=qr.short_code, _external=True)


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
