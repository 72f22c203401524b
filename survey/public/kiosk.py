"""The desk kiosk: enrolment, then an attract screen and one question per screen (kiosk.js); the
later steps' markup, fetched at the first tap."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import (
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from survey.collection import desks, dossiers, instruments, kiosk_outbox
from survey.collection.kiosks import (
    COOKIE,
    EnrolledKiosk,
    EnrolmentError,
    answered_at,
    enrol_kiosk,
    kiosk_for_secret,
    last_questionnaire,
    touch,
)
from survey.collection.responses import Context, SubmissionError
from survey.database import reading_first
from survey.extensions import db
from survey.models import Instrument
from survey.public import bp, kiosk_steps, limits
from survey.public.forms import SurveyFormBase, survey_form
from survey.security import CAMERA_ALLOWED

FIVE_YEARS = 5 * 365 * 24 * 3600


class EnrolForm(FlaskForm):
    code = StringField(validators=[DataRequired(), Length(min=4, max=20)])


def _no_store(response: Response) -> Response:
    """Kiosk pages are never cached: the back button cannot bring back a finished response."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _current_kiosk() -> EnrolledKiosk | None:
    if "kiosk" not in g:
        g.kiosk = kiosk_for_secret(db.session, request.cookies.get(COOKIE))
    return g.kiosk


def _enrolled() -> tuple[EnrolledKiosk, Instrument]:
    """The enrolled tablet asking and its questionnaire: 403 for a browser that is not one, 404
    when its questionnaire is gone."""
    current = _current_kiosk()
    if current is None:
        abort(403)
    instrument = instruments.current(db.session, current.instrument_key)
    if instrument is None:
        abort(404)
    return current, instrument


@bp.route("/kiosk/enrol", methods=["GET", "POST"])
@limits.enrolment_limits
def kiosk_enrol() -> Response | str:
    form = EnrolForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            kiosk, secret = enrol_kiosk(db.session, form.code.data)
        except EnrolmentError:
            form.code.errors.append(_("Mã không đúng hoặc đã hết hạn."))
        else:
            db.session.commit()
            response = redirect(url_for("public.kiosk"))
            response.set_cookie(
                COOKIE, secret, max_age=FIVE_YEARS, httponly=True, samesite="Strict",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
            current_app.logger.info("kiosk %s enrolled", kiosk.id)
            return response
    return render_template("public/kiosk_enrol.html", form=form)


@bp.get("/kiosk")
def kiosk() -> Response:
    current = _current_kiosk()
    if current is None:
        return _no_store(current_app.make_response(render_template("public/kiosk_unenrolled.html")))
    instrument = instruments.current(db.session, current.instrument_key)
    if instrument is None:
        abort(404)
    touch(db.session, current)
    db.session.commit()
    form = survey_form(instrument, idempotency_key=uuid.uuid4().hex)
    page = render_template(
        "public/kiosk.html", form=form, kiosk=current, instrument=instrument,
        expired=request.args.get("expired") == "1", all_steps=request.args.get("steps") == "all",
        choices=kiosk_steps.service_words(desks.service_choices(db.session, current.unit_id)),
    )
    response = _no_store(current_app.make_response(page))
    response.headers["Permissions-Policy"] = CAMERA_ALLOWED  # the dossier step's scan
    return response


@bp.get("/kiosk/steps/<lang>")
def kiosk_later(lang: str) -> Response:
    """The later steps of the kiosk's form ("what went wrong", dossier code, respondent type,
    comment), in ``lang``: a fragment that kiosk.js adds to the form at the first tap, so that
    the first screen does not carry them (the 8 KB budget, bench/page_weight.py).

    The language is in the path, not the session, so that the service worker can keep one copy
    per language for a kiosk that goes offline mid-survey.
    """
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    _current, instrument = _enrolled()
    with force_locale(lang):
        page = render_template("public/kiosk_later.html", form=survey_form(instrument), instrument=instrument)
    return _no_store(current_app.make_response(page))


@bp.post("/kiosk")
@limits.kiosk_limits
def kiosk_submit() -> Response | tuple[Response, int]:
    form = _answer_form()
    current, instrument = _enrolled()  # the write transaction's first statement, unless looked up before
    if form is None or form.instrument.id != instrument.id:  # invalid, or another questionnaire now
        form = survey_form(instrument)
        if not form.validate_on_submit():
            return _rejected(form.errors)
    context = Context(
        instrument=instrument, unit_id=current.unit_id, channel="kiosk",
        service_point_id=current.service_point_id, kiosk_id=current.id,
    )
    late = timedelta(days=current_app.config["KIOSK_LATE_DAYS"])
    when = answered_at(form.answered_at.data, datetime.now(UTC), late)
    context, submission, keyed = kiosk_steps.with_extras(
        request.form, context, replace(form.to_submission(), submitted_at=when))
    try:
        outcome, left_out = kiosk_steps.record(context, submission, keyed=keyed)
    except SubmissionError as error:
        return _rejected({"form": [str(error)]})
    ref = kiosk_steps.file_comment(request.form, context, submission) if outcome == "recorded" else None
    touch(db.session, current)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        extra = ({"complaint_ref": ref} if ref else {}) | ({"dossier": "used"} if left_out else {})
        return jsonify(status=outcome, **extra)
    return redirect(url_for("public.kiosk_thanks"), code=303)


def _answer_form() -> SurveyFormBase | None:
    """The answer parsed and valid, before the kiosk is looked up in the transaction that records
    it, with the questionnaire this process last saw the tablet ask; None when it is not valid.

    The first answer of a tablet in this process (or from a browser that is no tablet) looks its
    kiosk up first, in a read of its own (:func:`reading_first`), so that a stranger's POST never
    waits for the database's write lock.
    """
    key = last_questionnaire(request.cookies.get(COOKIE))
    if key is None:
        with reading_first(db.session):
            key = _enrolled()[1].key
    instrument = instruments.current(db.session, key)
    if instrument is None:
        return None
    form = survey_form(instrument)
    return form if form.validate_on_submit() else None


def _rejected(errors: object) -> tuple[Response, int]:
    if request.accept_mimetypes.best == "application/json":
        return jsonify(status="rejected", errors=errors), 400
    page = render_template(
        "errors.html", status=400, title=_("Chưa gửi được"),
        message=_("Câu trả lời không hợp lệ. Vui lòng làm lại."),
    )
    return current_app.make_response(page), 400


@bp.get("/kiosk/session")
def kiosk_session() -> Response:
    """The desk session the tablet should greet with, if the one-stop software told of one.

    Polled every ``KIOSK_SESSION_POLL_SECONDS`` while the attract screen shows: one indexed
    read, no write.
    """
    current = _current_kiosk()
    if current is None:
        abort(403)
    live = desks.live_session(db.session, current.service_point_id)
    body = {"key": live.key, "procedure": live.procedure} if live else None
    return _no_store(jsonify(session=body))


@bp.post("/kiosk/dossier")
@limits.kiosk_limits
def kiosk_dossier() -> tuple[Response, int]:
    """Whether the dossier code keyed in (or read from the receipt) can go with this answer.

    Only its HMAC is looked up; the code is neither stored nor sent back. A dossier already
    answered, on any channel, is said kindly (409): the tablet drops the code and the answers
    are recorded without it. Anything else is a clear 400, never a 500.
    """
    if _current_kiosk() is None:
        abort(403)
    try:
        given = dossiers.read(request.form.get("code", ""))
    except dossiers.InvalidDossier:
        return jsonify(status="invalid", message=_(
            "Mã hồ sơ chưa đúng. Mã in trên giấy biên nhận, gồm chữ, số và dấu chấm, gạch ngang. "
            "Mời Ông/Bà xem lại, hoặc bấm Bỏ qua.")), 400
    if dossiers.answered(db.session, given.hash):
        return jsonify(status="used", message=_(
            "Hồ sơ này đã được đánh giá rồi, cảm ơn Ông/Bà. Câu trả lời hôm nay vẫn được ghi nhận, "
            "không kèm mã hồ sơ. Mời Ông/Bà bấm Tiếp tục.")), 409
    return jsonify(status="ok"), 200


@bp.get("/kiosk/thanks")
def kiosk_thanks() -> Response:
    page = render_template("public/kiosk_thanks.html")
    return _no_store(current_app.make_response(page))


@bp.get("/kiosk/token")
def kiosk_token() -> Response:
    """A fresh CSRF token, so that an answer given on a page left open for hours is not lost.

    The tablet asks for one before each flush of its outbox and says how many answers wait
    (``waiting``) and when the oldest was given (``oldest``, ms since the epoch); the answer also
    carries the administrator's discard time for answers refused for good (``discard_before``).
    """
    current = _current_kiosk()
    if current is None:
        abort(403)
    waiting = request.args.get("waiting", type=_count)
    if waiting is not None:
        kiosk_outbox.report(db.session, current, waiting=waiting,
                            oldest_ms=request.args.get("oldest", type=_count))
    discard = kiosk_outbox.discard_before_ms(current)
    db.session.commit()
    return _no_store(jsonify(csrf_token=generate_csrf(), discard_before=discard))


def _count(text: str) -> int:
    """A non-negative whole number in ASCII digits (``type=`` of ``request.args.get``)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 15):
        raise ValueError(text)
    return int(text)


@bp.get("/kiosk/sw.js")
def kiosk_worker() -> Response:
    """The offline service worker (static/sw.js), allowed to control ``/kiosk`` itself."""
    response = send_from_directory(current_app.static_folder or "static", "sw.min.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("public.kiosk")
    response.headers["Cache-Control"] = "no-cache"
    return response
