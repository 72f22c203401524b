"""The phone survey behind a QR code or a per-dossier link, and the landing page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Gone
from werkzeug.wrappers import Response

from survey.administration import access
from survey.collection import instruments
from survey.collection.complaints import offer_token
from survey.collection.responses import Context, SubmissionError, record_response
from survey.collection.signing import InvalidPayload, SurveyPayload, load_payload
from survey.database import reading_first
from survey.extensions import db
from survey.models import Procedure, QrCode, ServicePoint, Unit
from survey.public import bp, limits
from survey.public.forms import survey_form

THANKS = {
    "recorded": "recorded",
    "duplicate": "recorded",
    "dossier_used": "dossier_used",
}


def _bad_code() -> BadRequest:
    error = BadRequest()
    error.survey_message = _(  # type: ignore[attr-defined]
        "Mã QR này không hợp lệ hoặc không phải của hệ thống. Vui lòng quét mã dán tại nơi làm "
        "thủ tục, hoặc hỏi cán bộ một cửa."
    )
    return error


@dataclass(frozen=True)
class Opened:
    """A survey opened from a signed token: what to record, and the place to name on the page."""

    context: Context
    place: str
    procedure: str | None


def resolve(token: str) -> Opened:
    """Turn a signed token into a response context, or raise a 400/410 with a clear message."""
    try:
        payload = load_payload(token)
    except InvalidPayload:
        raise _bad_code() from None
    if payload.qr_id is not None:
        qr = db.session.get(QrCode, payload.qr_id)
        if qr is None or qr.revoked_at is not None:
            raise Gone()
    return _context(payload)


def _context(payload: SurveyPayload) -> Opened:
    instrument = instruments.current(db.session, payload.instrument)
    unit = db.session.scalar(select(Unit).filter_by(code=payload.unit))
    if instrument is None or unit is None:
        raise _bad_code()
    point = procedure = None
    if payload.service_point:
        point = db.session.scalar(select(ServicePoint).filter_by(code=payload.service_point))
    if payload.procedure:
        procedure = db.session.scalar(select(Procedure).filter_by(code=payload.procedure))
    if (payload.service_point and point is None) or (payload.procedure and procedure is None):
        raise _bad_code()
    if not access.desk_in_reach(access.reach(db.session, unit), point):
        raise _bad_code()  # signed by us, but naming another unit's desk: never answered
    channel = payload.channel if payload.channel in ("qr", "link") else "qr"
    context = Context.of(
        instrument, unit, channel, service_point=point, procedure=procedure,
        dossier_hash=payload.dossier_hash,
    )
    return Opened(context, point.name if point else unit.name, procedure.name if procedure else None)


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


@bp.route("/s/<token>", methods=["GET", "POST"])
@limits.phone_limits
def phone(token: str) -> Response | str | tuple[str, int]:
    with reading_first(db.session):
        opened = resolve(token)
    context = opened.context
    form = survey_form(context.instrument)
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
    elif form.validate_on_submit():
        try:
            outcome = record_response(db.session, context, form.to_submission())
        except SubmissionError:
            abort(400)
        db.session.commit()
        offer: dict[str, Any] = {"from": offer_token(form.idempotency_key.data)}  # collection.complaints
        return redirect(url_for("public.thanks", result=THANKS[outcome], **offer), code=303)
    else:
        page = render_template("public/phone.html", form=form, opened=opened, token=token)
        return page, 400
    return render_template("public/phone.html", form=form, opened=opened, token=token)


@bp.get("/thanks")
def thanks() -> str:
    return render_template("public/thanks.html", result=request.args.get("result", "recorded"),
                           offer=request.args.get("from", "")[:500])
