"""Published results (công khai): satisfaction per unit and quarter, no log-in, no comments.

Only groups with at least ``MIN_N`` answers are shown; smaller ones are listed as "not enough
answers" without any figure, so nothing about a handful of citizens can be read off the page.
"""

from __future__ import annotations

from flask import current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from survey import errors
from survey.administration import access
from survey.extensions import db
from survey.periods import current, parse_period, series
from survey.public import bp
from survey.reporting.groups import Settings, units_groups


@bp.get("/results")
def results() -> Response:
    label = request.args.get("period")
    try:
        period = parse_period(label) if label else current("quarter")
    except ValueError:
        errors.bad_period(label or "", quarters_only=True)
    if period.kind != "quarter":
        errors.bad_period(label or "", quarters_only=True)
    settings = Settings.from_config(current_app.config)
    tree = access.tree(db.session)
    units = tree.open_during(period, ("city", "department", "commune"))
    groups = [g for g in units_groups(db.session, tree, units, period, settings, components=False)
              if g.counts.n > 0]
    shown = [g for g in groups if g.counts.n >= settings.min_n]
    hidden = sorted(g.label for g in groups if g.counts.n < settings.min_n)
    earlier = series(period, 5)[-2::-1]
    response = make_response(render_template(
        "public/results.html", period=period, shown=shown, hidden=hidden, quarters=earlier,
        level=settings.level, min_n=settings.min_n))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
