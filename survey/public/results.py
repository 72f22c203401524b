"""Published results (công khai): satisfaction per unit and per sector group, by month or quarter,
no log-in, no comments; :mod:`survey.public.notice` prints one unit's figure for the notice board.

Only groups with at least ``MIN_N`` answers are shown; smaller ones are listed as "not enough
answers" without any figure, so nothing about a handful of citizens can be read off the page.
Both pages read the reporting session (survey/database.py).
"""

from __future__ import annotations

from flask import current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from survey import errors
from survey.administration import access
from survey.database import reporting_session
from survey.models import SectorGroup
from survey.periods import Period, current, parse_period, series
from survey.public import bp, kiosk_steps
from survey.reporting.dashboards import sector_groups
from survey.reporting.groups import Settings, units_groups

PUBLIC_KINDS = ("month", "quarter")


def public_period() -> Period:
    """The ``?period=`` of a public page: a month or a quarter (the current quarter by default);
    anything else is the 400 page that says how a period is written."""
    label = request.args.get("period")
    try:
        period = parse_period(label) if label else current("quarter")
    except ValueError:
        errors.bad_period(label or "", months_and_quarters=True)
    if period.kind not in PUBLIC_KINDS:
        errors.bad_period(label or "", months_and_quarters=True)
    return period


def choices(shown: Period) -> list[Period]:
    """The periods the picker offers: the last six months and the last four quarters, newest first,
    and the period shown if it is older."""
    offered = series(current("month"), 6)[::-1] + series(current("quarter"), 4)[::-1]
    return offered if shown in offered else [*offered, shown]


def words(group: SectorGroup) -> str:
    return kiosk_steps.group_words([s.code for s in group.sectors], group.name)


@bp.get("/results")
def results() -> Response:
    period = public_period()
    settings = Settings.from_config(current_app.config)
    reading = reporting_session()
    tree = access.tree(reading)
    units = tree.open_during(period, ("city", "department", "commune"))
    groups = [g for g in units_groups(reading, tree, units, period, settings, components=False)
              if g.counts.n > 0]
    shown = [g for g in groups if g.counts.n >= settings.min_n]
    hidden = sorted(g.label for g in groups if g.counts.n < settings.min_n)
    root = tree.province()
    sectors = [(sg, g, checks) for sg, g, checks in
               (sector_groups(reading, tree, root, period, settings) if root else [])
               if g.counts.n > 0]
    response = make_response(render_template(
        "public/results.html", period=period, shown=shown, hidden=hidden, choices=choices(period),
        sectors=[s for s in sectors if s[1].counts.n >= settings.min_n],
        sectors_hidden=sorted(words(sg) for sg, g, _c in sectors if g.counts.n < settings.min_n),
        sector_name=words,
        level=settings.level, min_n=settings.min_n))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
