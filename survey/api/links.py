"""``POST /api/v1/dossier-links``: a signed survey link and QR for one dossier's receipt."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey.administration import access
from survey.administration import api_tokens as tokens
from survey.administration.api_tokens import token_for_secret
from survey.api import bp
from survey.api.openapi import document
from survey.collection import instruments, qrcodes
from survey.collection.signing import SurveyPayload, dossier_hash
from survey.extensions import csrf, db, limiter
from survey.models import ApiToken, Procedure, ServicePoint

FIELDS = {"dossier_code": 60, "procedure_code": 40, "service_point_code": 40}
INSTRUMENT = "sipas-full"


def _error(status: int, error: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify(error=error, message=message, status=status, **extra), status


def _bearer() -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return token_for_secret(db.session, secret.strip())


def unauthorized() -> tuple[Response, int]:
    """The one 401 every endpoint gives without a valid token."""
    return _error(401, "unauthorized", "Send a valid API token: 'Authorization: Bearer <token>'.")


def token_desk(token: ApiToken, code: str) -> ServicePoint | None:
    """The service point ``code`` if it is in the token's unit's reach (the one access rule), else None."""
    point = db.session.scalar(select(ServicePoint).filter_by(code=code))
    if point is None or not access.desk_in_reach(access.reach(db.session, token.unit), point):
        return None
    return point


def _fields(body: object) -> dict[str, str] | tuple[Response, int]:
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The body must be a JSON object.")
    values, problems = {}, {}
    for name, limit in FIELDS.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            problems[name] = "required: a non-empty string"
        elif len(value) > limit:
            problems[name] = f"at most {limit} characters"
        else:
            values[name] = value.strip()
    unknown = sorted(set(body) - set(FIELDS))
    for name in unknown[:10]:
        problems[str(name)[:60]] = "unknown field"
    if problems:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.", fields=problems)
    return values


@bp.post("/dossier-links")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])
def dossier_link() -> tuple[Response, int]:
    token = _bearer()
    if token is None:
        return unauthorized()
    fields = _fields(request.get_json(silent=True))
    if isinstance(fields, tuple):
        return fields
    point = token_desk(token, fields["service_point_code"])
    if point is None:
        return _error(
            422, "unknown_service_point", "No service point with this code belongs to the token's unit."
        )
    procedure = db.session.scalar(select(Procedure).filter_by(code=fields["procedure_code"]))
    if procedure is None:
        return _error(422, "unknown_procedure", "No procedure has this code.")
    if instruments.current(db.session, INSTRUMENT) is None:
        abort(503)
    payload = SurveyPayload(
        instrument=INSTRUMENT,
        unit=point.unit.code,
        service_point=point.code,
        procedure=procedure.code,
        dossier_hash=dossier_hash(fields["dossier_code"]),
        channel="link",
    )
    url = qrcodes.survey_url(payload)
    tokens.touch(db.session, token)
    db.session.commit()
    return jsonify(
        url=url,
        qr_svg=str(qrcodes.qr_svg(url, title="Khảo sát sự hài lòng")),
        unit_code=point.unit.code,
        service_point_code=point.code,
        procedure_code=procedure.code,
    ), 201


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
