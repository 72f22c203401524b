"""``POST /api/v1/complaints``: a 1022 ticket (or another system's case) sent as it is received.

Idempotent on ``ticket_id``: a second call with the same id stores nothing and answers 200 with
the case already stored (201 the first time). The unit must be within the token's reach.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response

from survey.administration import access
from survey.administration import api_tokens as tokens
from survey.api import bp
from survey.api.links import _bearer, _error, unauthorized
from survey.casework import cases, intake, notices
from survey.extensions import csrf, db, limiter

LIMITS = {"ticket_id": 80, "received_at": 40, "unit_code": 40, "kind": 20, "text": cases.MAX_TEXT,
          "name": 120, "phone": 30, "email": 200, "sector_code": 40, "procedure_code": 40}


def _fields(body: object) -> dict[str, Any] | tuple[Response, int]:
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The body must be a JSON object.")
    known = (*LIMITS, "publish_consent")
    problems = {str(k)[:60]: "unknown field" for k in list(body)[:20] if k not in known}
    values: dict[str, Any] = {}
    for name, limit in LIMITS.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > limit:
            problems[name] = f"a string of at most {limit} characters"
        else:
            values[name] = value.strip()
    if not isinstance(body.get("publish_consent", False), bool):
        problems["publish_consent"] = "a boolean"
    values["publish_consent"] = "1" if body.get("publish_consent") is True else ""
    if problems:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.", fields=problems)
    return values


@bp.post("/complaints")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])
def complaint_ticket() -> tuple[Response, int]:
    token = _bearer()
    if token is None:
        return unauthorized()
    fields = _fields(request.get_json(silent=True))
    if isinstance(fields, tuple):
        return fields
    allowed = access.reach(db.session, token.unit)
    ticket, problems = intake.ticket_intake(fields, intake.Codes(db.session), allowed, 1)
    if ticket is None:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.",
                      fields={p.column: str(p.message) for p in problems})
    try:
        case, created = cases.receive(db.session, None, ticket)
    except cases.CaseError as error:
        db.session.rollback()
        return _error(422, "invalid_fields", str(error))
    tokens.touch(db.session, token)
    db.session.commit()
    return jsonify(ref=case.ref, status=case.status, unit_code=case.unit.code,
                   due_on=case.due_on.isoformat(), url=notices.status_url(case),
                   created=created), 201 if created else 200
