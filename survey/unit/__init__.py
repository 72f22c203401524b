"""An agency's own dashboard and reports, for its reach only: its roll-up, predecessors included
(administrators: any unit); and the sector departments' page (``sector``: one sector across the
units), whose funnel plot it shares with the province view (``comparison``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from survey import errors
from survey.administration import access
from survey.administration.units import UnitTree
from survey.auth import roles_required
from survey.collection import instruments
from survey.database import reporting_session
from survey.extensions import db
from survey.formatting import pct
from survey.models import Unit
from survey.periods import LOCAL, Period, current, parse_period, today
from survey.reporting import charts, dashboards, privacy, stats
from survey.reporting.groups import Settings

bp = Blueprint("unit", __name__)


def requested_period() -> Period:
    """``?period=2026-Q3`` (any SPEC §3 label), the current quarter by default; 400 if malformed."""
    label = request.args.get("period")
    if not label:
        return current("quarter")
    try:
        return parse_period(label)
    except ValueError:
        errors.bad_period(label)


def visible_unit(tree: UnitTree) -> Unit:
    """``?unit=CODE`` if the user may see it (:mod:`survey.administration.access`), else 404.

    Without a code: the user's own unit, or the province for an administrator. ``tree`` may be
    the reporting session's; whether the user may see the unit is decided on the primary.
    """
    code = request.args.get("unit")
    unit = tree.by_code.get(code) if code else (
        tree.units.get(current_user.unit_id) if current_user.unit_id else tree.province())
    if unit is None or not access.can_view(db.session, current_user, unit):
        abort(404)
    return unit


def settings() -> Settings:
    return Settings.from_config(current_app.config)


@bp.get("/")
@roles_required("admin", "unit_manager", "unit_viewer")
def dashboard() -> str:
    reading = reporting_session()
    tree = access.tree(reading)
    unit, period = visible_unit(tree), requested_period()
    trend_kind = "quarter" if request.args.get("trend") == "quarter" else "month"
    reader = access.may_read_comments(db.session, current_user, unit)
    view = dashboards.agency(reading, tree, unit, period, settings(), trend_kind=trend_kind,
                             read_comments=reader, comments_before=comments_before())
    if not access.sees_small_cells(current_user):
        privacy.dashboard(view, settings().min_n, settings().level)
    children = [tree.units[i] for i in tree.children.get(unit.id, ())]
    return render_template("unit/dashboard.html", view=view, trend_kind=trend_kind,
                           children=children, level=settings().level, min_n=settings().min_n,
                           trend_svg=trend_svg(view, trend_kind), unfinished=unfinished,
                           min_after=stats.MIN_AFTER,
                           problem_names=problem_names(), reader=reader,
                           item_labels=instruments.item_labels(reading, str(get_locale())))


def comments_before() -> datetime | None:
    """Comments reach the dashboard ``COMMENT_DELAY_DAYS`` local days after they were written."""
    delay = int(current_app.config["COMMENT_DELAY_DAYS"])
    if delay <= 0:
        return None
    return datetime.combine(today() - timedelta(days=delay - 1), time(), LOCAL)


def problem_names() -> dict[str, str]:
    return instruments.problem_names(str(get_locale()))


def unfinished(label: str) -> bool:
    """Whether the period ``label`` (a trend's month or quarter) is not over yet today."""
    try:
        return parse_period(label).end >= today()
    except ValueError:
        return False


def trend_svg(view: dashboards.AgencyDashboard, trend_kind: str = "month") -> Markup:
    points = [charts.Point(g.label, g.satisfaction.value if g.satisfaction else None,
                           g.satisfaction.ci_low if g.satisfaction else None,
                           g.satisfaction.ci_high if g.satisfaction else None, g.counts.n,
                           partial=unfinished(str(g.key)))
              for g in view.trend]
    check = view.group.headline
    target = check.target.threshold if check else None
    described = "; ".join(f"{p.label}: {pct(p.value)} ({pct(p.low)} – {pct(p.high)}), n = {p.n}"
                          for p in points if p.value is not None)
    fall = view.drop
    if fall is not None:
        described += "; " + _("bắt đầu giảm từ %(start)s", start=fall.start)
    return charts.trend_chart(
        points, target=target, target_label=_("Chỉ tiêu %(target)s", target=pct(target, 0)),
        mark=fall.start if fall else None,
        mark_label=_("Bắt đầu giảm: %(start)s", start=fall.start) if fall else "",
        partial_label=_("quý chưa kết thúc") if trend_kind == "quarter" else _("tháng chưa kết thúc"),
        title=_("Tỷ lệ hài lòng theo thời gian, %(unit)s", unit=view.unit.name),
        desc=_("Đường là tỷ lệ hài lòng, dải mờ là khoảng tin cậy, đường ngang là chỉ tiêu. ")
        + described,
    )


from survey.unit import complaints, reports, sector  # noqa: E402, F401  (routes register on import)
