"""The printable A4 notice for an office's notice board (bảng tin): one unit, one period, its
satisfaction with the interval and the verdict in plain words, and the date it was printed.

The same ``min_n`` rule as the results page: a unit with fewer answers gets a notice that says
so, without any figure.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from survey.administration import access
from survey.database import reporting_session
from survey.models import Unit
from survey.periods import today
from survey.public import bp
from survey.public.results import public_period
from survey.reporting.groups import Settings, unit_group

PUBLIC_LEVELS = ("city", "department", "commune")


@bp.get("/results/ban-in")
def notice() -> str:
    period = public_period()
    code = request.args.get("unit", "")
    reading = reporting_session()
    unit = reading.scalar(select(Unit).where(Unit.code == code[:64]))
    if unit is None or unit.level not in PUBLIC_LEVELS:
        abort(404)
    settings = Settings.from_config(current_app.config)
    group = unit_group(reading, access.tree(reading), unit, period, settings, components=False)
    shown = group.counts.n >= settings.min_n
    return render_template("public/notice.html", unit=unit, period=period, group=group, shown=shown,
                           level=settings.level, min_n=settings.min_n, printed=today())
