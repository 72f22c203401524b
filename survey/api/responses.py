"""``POST /api/v1/responses``: an answer collected by one-stop software (channel ``api``).

Stored by the one write path (:func:`survey.collection.responses.record_response`) under the
rules of a form: ratings 1–5 on the instrument's items, known "what went wrong" codes, nothing
empty. Idempotent on ``idempotency_key`` (201 when stored, 200 when that key was stored before);
a dossier already answered on any channel (a receipt QR, a desk kiosk) is thanked with 200 and
not counted. The service point must be within the token's unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey.administration import api_tokens as tokens
from survey.api import bp
from survey.api.links import _bearer, _error, token_desk, unauthorized
from survey.collection import instruments
from survey.collection.responses import MAX_COMMENT, Context, Submission, SubmissionError, record_response
from survey.collection.signing import dossier_hash
from survey.extensions import csrf, db, limiter
from survey.models import Instrument, Procedure

STRINGS = {"idempotency_key": 64, "instrument": 60, "service_point_code": 40, "procedure_code": 40,
           "dossier_code": 60, "comment": MAX_COMMENT, "respondent_type": 20, "submitted_at": 40}
REQUIRED = ("idempotency_key", "instrument", "service_point_code")
KNOWN = (*STRINGS, "ratings", "problems")
MAX_KEYS = 60
STATUS = {"recorded": 201, "duplicate": 200, "dossier_used": 200}


def _fields(body: object) -> dict[str, Any] | tuple[Response, int]:
    """The body's shape (types and lengths); the rules are :func:`record_response`'s own."""
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The body must be a JSON object.")
    problems = {str(k)[:60]: "unknown field" for k in list(body)[:20] if k not in KNOWN}
    values: dict[str, Any] = {}
    for name, limit in STRINGS.items():
        value = body.get(name)
        if value is None and name not in REQUIRED:
            continue
        if not isinstance(value, str) or len(value) > limit or (name in REQUIRED and not value.strip()):
            kind = "required: a non-empty" if name in REQUIRED else "a"
            problems[name] = f"{kind} string of at most {limit} characters"
        else:
            values[name] = value.strip()
    ratings, listed = body.get("ratings", {}), body.get("problems", [])
    if not isinstance(ratings, dict) or len(ratings) > MAX_KEYS or any(len(k) > 60 for k in ratings):
        problems["ratings"] = "an object of item keys and whole numbers from 1 to 5"
    if not isinstance(listed, list) or len(listed) > MAX_KEYS or not all(
            isinstance(code, str) and len(code) <= 60 for code in listed):
        problems["problems"] = "a list of problem codes"
    if "submitted_at" in values:
        try:
            values["submitted_at"] = datetime.fromisoformat(values["submitted_at"])
            if not 2000 <= values["submitted_at"].year <= 2100:
                raise ValueError(values["submitted_at"])
        except ValueError:
            problems["submitted_at"] = "an ISO 8601 date and time from 2000 to 2100 with its offset"
    if problems:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.", fields=problems)
    return values | {"ratings": ratings, "problems": listed}


def _instrument(ref: str) -> Instrument | None:
    key, _at, version = ref.partition("@")
    if not version:
        return instruments.current(db.session, key)
    if not version.isdigit() or len(version) > 6:
        return None
    return db.session.scalar(select(Instrument).where(
        Instrument.key == key, Instrument.version == int(version), Instrument.published_at.is_not(None)))


@bp.post("/responses")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])
def response() -> tuple[Response, int]:
    token = _bearer()
    if token is None:
        return unauthorized()
    fields = _fields(request.get_json(silent=True))
    if isinstance(fields, tuple):
        return fields
    point = token_desk(token, fields["service_point_code"])
    if point is None:
        return _error(422, "unknown_service_point",
                      "No service point with this code belongs to the token's unit.")
    procedure = None
    if "procedure_code" in fields:
        procedure = db.session.scalar(select(Procedure).filter_by(code=fields["procedure_code"]))
        if procedure is None:
            return _error(422, "unknown_procedure", "No procedure has this code.")
    instrument = _instrument(fields["instrument"])
    if instrument is None:
        return _error(422, "unknown_instrument",
                      "No published instrument has this key (e.g. sipas-short or sipas-short@2).")
    if not (fields["ratings"] or fields["problems"] or fields.get("comment")):
        return _error(422, "empty_submission", "Give at least one rating, problem or comment.")
    dossier = fields.get("dossier_code")
    context = Context.of(instrument, point.unit, "api", service_point=point, procedure=procedure,
                         dossier_hash=dossier_hash(dossier) if dossier else None)
    submission = Submission(
        idempotency_key=fields["idempotency_key"], ratings=fields["ratings"],
        problems=fields["problems"], comment=fields.get("comment"),
        respondent_type=fields.get("respondent_type"), submitted_at=fields.get("submitted_at"))
    try:
        outcome = record_response(db.session, context, submission)
    except SubmissionError as error:
        db.session.rollback()
        return _error(422, "invalid_submission", str(error))
    tokens.touch(db.session, token)
    db.session.commit()
    return jsonify(status=outcome, counted=outcome == "recorded", instrument=instrument.ref,
                   unit_code=point.unit.code, service_point_code=point.code), STATUS[outcome]
