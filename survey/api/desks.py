"""``POST /api/v1/desks/<service_point_code>/sessions``: the dossier a desk has just served.

Idempotent on (desk, dossier): 201 when the session is opened, 200 when that dossier was told to
this desk before. A desk outside the token's unit is answered 404, as an unknown one.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from survey.administration import api_tokens as tokens
from survey.api import bp
from survey.api.links import _bearer, _error, token_desk, unauthorized
from survey.collection import desks
from survey.extensions import csrf, db, limiter
from survey.models import Procedure

FIELDS = {"dossier_code": 60, "procedure_code": 40}


def _fields(body: object) -> dict[str, str] | tuple[Response, int]:
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The body must be a JSON object.")
    problems = {str(k)[:60]: "unknown field" for k in list(body)[:20] if k not in FIELDS}
    values = {}
    for name, limit in FIELDS.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            problems[name] = f"required: a non-empty string of at most {limit} characters"
        else:
            values[name] = value.strip()
    if problems:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.", fields=problems)
    return values


@bp.post("/desks/<service_point_code>/sessions")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])
def desk_session(service_point_code: str) -> tuple[Response, int]:
    token = _bearer()
    if token is None:
        return unauthorized()
    point = token_desk(token, service_point_code[:40])
    if point is None:
        return _error(404, "unknown_service_point",
                      "No service point with this code belongs to the token's unit.")
    fields = _fields(request.get_json(silent=True))
    if isinstance(fields, tuple):
        return fields
    procedure = db.session.scalar(select(Procedure).filter_by(code=fields["procedure_code"]))
    if procedure is None:
        return _error(422, "unknown_procedure", "No procedure has this code.")
    try:
        row, created = desks.open_session(db.session, point, procedure, fields["dossier_code"])
    except desks.SessionConflict:
        db.session.rollback()
        return _error(409, "dossier_conflict",
                      "This dossier was told to this desk with another procedure.")
    tokens.touch(db.session, token)
    db.session.commit()
    return jsonify(service_point_code=point.code, procedure_code=procedure.code,
                   procedure_name=procedure.name, expires_at=row.expires_at.isoformat(),
                   answered=desks.answered(db.session, row), created=created), 201 if created else 200
