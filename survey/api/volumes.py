"""``PUT /api/v1/volumes/<unit_code>/<period>``: the dossiers a unit handled in a period.

The row of the volumes CSV sent by one-stop software, checked and stored by the same service
(:func:`survey.administration.volumes.put_volume`): a PUT replaces the earlier volume, so sending
it again changes nothing; every call is audited. A unit outside the token's reach is answered
404, as an unknown one.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from analysis.tool.volumes import VolumesError
from survey.administration import access, volumes
from survey.administration import api_tokens as tokens
from survey.api import bp
from survey.api.links import _bearer, _error, unauthorized
from survey.extensions import csrf, db, limiter
from survey.models import Unit

MAX_COUNT = 2**31 - 1  # the column is a 32-bit integer
MESSAGES = {
    "bad_period": "{value!r} is not a period: write 2026, 2026-H1, 2026-Q3 or 2026-07.",
    "unsatisfied_above_dossiers": "dossiers_unsatisfied is more than dossiers.",
}


def _counts(body: object) -> dict[str, int | None] | tuple[Response, int]:
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The body must be a JSON object.")
    problems = {str(k)[:60]: "unknown field" for k in list(body)[:20]
                if k not in ("dossiers", "dossiers_unsatisfied")}
    counts: dict[str, int | None] = {"dossiers_unsatisfied": None}
    for name in ("dossiers", "dossiers_unsatisfied"):
        value = body.get(name)
        if value is None and name == "dossiers_unsatisfied":
            continue
        if type(value) is not int or not 0 <= value <= MAX_COUNT:
            required = "required: " if name == "dossiers" else ""
            problems[name] = f"{required}a whole number from 0 to {MAX_COUNT}"
        else:
            counts[name] = value
    if problems:
        return _error(422, "invalid_fields", "Some fields are missing or wrong.", fields=problems)
    return counts


@bp.put("/volumes/<unit_code>/<period>")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])
def put_volume(unit_code: str, period: str) -> tuple[Response, int]:
    token = _bearer()
    if token is None:
        return unauthorized()
    unit = db.session.scalar(select(Unit).filter_by(code=unit_code[:40]))
    if unit is None or unit.id not in access.reach(db.session, token.unit):
        return _error(404, "unknown_unit", "No unit with this code is within the token's unit.")
    counts = _counts(request.get_json(silent=True))
    if isinstance(counts, tuple):
        return counts
    try:
        row = volumes.check_volume(unit.code, period[:20], counts["dossiers"] or 0,
                                   counts["dossiers_unsatisfied"])
    except VolumesError as error:
        name = error.column or "period"
        message = MESSAGES.get(error.reason, "{value!r} is not valid.").format(value=period[:20])
        return _error(422, "invalid_fields", message, fields={name: message})
    created = volumes.put_volume(db.session, unit, row, api_token=token.label)
    tokens.touch(db.session, token)
    db.session.commit()
    return jsonify(unit_code=unit.code, period=row.period, dossiers=row.dossiers,
                   dossiers_unsatisfied=row.dossiers_unsatisfied,
                   created=created), 201 if created else 200
