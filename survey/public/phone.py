"""The phone survey behind a QR code or a per-dossier link, and the landing page.

A poster's or receipt's survey keeps the poster's promise: an instrument with a ``short`` part
(``sipas-full``) shows those six questions first, and the thanks page offers the rest
(``/s/<token>/them``), added to the same response. A receipt whose dossier was already answered
opens a thank-you page, not the form; this browser's earlier answer is remembered
(:mod:`survey.public.repeats`) so the back button never records a second response; an untouched
form is not stored (422, asking for the first answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Gone
from werkzeug.wrappers import Response

from survey.administration import access
from survey.collection import instruments
from survey.collection.complaints import offer_token, offered_key
from survey.collection.responses import Context, SubmissionError, add_answers, record_response
from survey.collection.signing import InvalidPayload, SurveyPayload, load_payload
from survey.database import reading_first
from survey.extensions import db
from survey.models import Procedure, QrCode, ServicePoint, Unit
from survey.models import Response as StoredResponse
from survey.public import bp, limits, repeats
from survey.public.forms import SurveyFormBase, survey_form

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


def _short(opened: Opened) -> tuple[str, ...] | None:
    short = opened.context.instrument.definition.get("short")
    return tuple(short) if short else None


def _fresh(page: str, status: int) -> Response:
    """Never kept by the browser: the back button asks again, and is told it has answered."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(form: SurveyFormBase, opened: Opened, token: str, status: int = 200) -> Response:
    return _fresh(render_template("public/phone.html", form=form, opened=opened, token=token), status)


def _answered(opened: Opened, why: str, status: int = 200) -> Response:
    return _fresh(render_template("public/answered.html", opened=opened, why=why), status)


@bp.route("/s/<token>", methods=["GET", "POST"])
@limits.phone_limits
def phone(token: str) -> Response:
    with reading_first(db.session):
        opened = resolve(token)
        dossier = opened.context.dossier_hash
        if dossier and db.session.scalar(select(StoredResponse.id).filter_by(dossier_hash=dossier)):
            return _answered(opened, "dossier")
    form = survey_form(opened.context.instrument, _short(opened))
    if request.method == "GET":
        if repeats.answered_recently(token):
            return _answered(opened, "browser")
        form.idempotency_key.data = repeats.key_for(token)
        return _page(form, opened, token)
    if not form.validate_on_submit():
        return _page(form, opened, token, 400)
    if form.is_empty():
        form.empty = True
        return _page(form, opened, token, 422)
    if repeats.answered_recently(token, form.idempotency_key.data):
        return _answered(opened, "browser", 409)
    try:
        outcome = record_response(db.session, opened.context, form.to_submission())
    except SubmissionError:
        abort(400)
    db.session.commit()
    repeats.remember(token, form.idempotency_key.data)
    offer: dict[str, Any] = {"from": offer_token(form.idempotency_key.data)}  # collection.complaints
    if outcome == "recorded" and _short(opened):
        offer["more"] = token
    return redirect(url_for("public.thanks", result=THANKS[outcome], **offer), code=303)


@bp.route("/s/<token>/them", methods=["GET", "POST"])
@limits.phone_limits
def phone_more(token: str) -> Response | str | tuple[str, int]:
    """The rest of a survey whose short part was answered: added to the same response."""
    with reading_first(db.session):
        opened = resolve(token)
    short, offer = _short(opened), request.args.get("from", "")[:500]
    key = offered_key(offer)
    if not short or key is None:
        abort(404)
    rest = tuple(k for k in opened.context.instrument.item_keys if k not in short)
    form = survey_form(opened.context.instrument, rest)
    if request.method == "POST" and form.validate_on_submit() and form.idempotency_key.data == key:
        try:
            add_answers(db.session, opened.context, form.to_submission())
        except SubmissionError:
            abort(404)
        db.session.commit()
        back: dict[str, Any] = {"from": offer}
        return redirect(url_for("public.thanks", result="recorded", **back), code=303)
    form.idempotency_key.data = key
    page = render_template("public/phone_more.html", form=form, opened=opened, token=token, offer=offer)
    return page, 200 if request.method == "GET" else 400


@bp.get("/thanks")
def thanks() -> str:
    return render_template("public/thanks.html", result=request.args.get("result", "recorded"),
                           offer=request.args.get("from", "")[:500], more=request.args.get("more", "")[:1000])
