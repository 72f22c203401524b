"""An agency's own dashboard and reports, for its subtree only (administrators: any unit)."""

from __future__ import annotations

import functools

from babel.numbers import NumberPattern, parse_pattern
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from survey import charts, instruments
from survey.auth import roles_required
from survey.extensions import db
from survey.models import Unit
from survey.reporting import Settings, UnitTree, dashboards
from survey.reporting.periods import Period, current, parse_period

bp = Blueprint("unit", __name__)


@functools.cache
def _percent_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0." + "0" * digits + " %" if digits else "#,##0 %")


@bp.app_template_filter("pct")
def _pct(value: float | None, digits: int = 1) -> str:
    """A rate as a localised percentage ("90,5 %" in vi), "—" when there is none.

    The same as Babel's ``format_percent`` with this pattern; the parsed pattern is kept because
    the province table formats a few thousand numbers per page.
    """
    if value is None:
        return "—"
    return str(_percent_pattern(digits).apply(value, get_locale()))


@bp.app_template_filter("num")
def _num(value: float | None) -> str:
    return "—" if value is None else format_decimal(value)


def requested_period() -> Period:
    """``?period=2026-Q3`` (any SPEC §3 label), the current quarter by default; 404 if malformed."""
    label = request.args.get("period")
    if not label:
        return current("quarter")
    try:
        return parse_period(label)
    except ValueError:
        abort(404)


def visible_unit(tree: UnitTree) -> Unit:
    """``?unit=CODE`` if the user may see it (their roll-up, or anything for an admin), else 404."""
    code = request.args.get("unit")
    if not code:
        if current_user.unit_id is None:
            root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None),
                                                        Unit.valid_to.is_(None)).order_by(Unit.id))
            if root is None:
                abort(404)
            return root
        return tree.units[current_user.unit_id]
    unit = next((u for u in tree.units.values() if u.code == code), None)
    if unit is None:
        abort(404)
    if not current_user.is_admin and (
        current_user.unit_id is None or not tree.within(current_user.unit_id, unit.id)
    ):
        abort(404)
    return unit


def settings() -> Settings:
    return Settings.from_config(current_app.config)


@bp.get("/")
@roles_required("admin", "unit_manager", "unit_viewer")
def dashboard() -> str:
    tree = UnitTree(db.session)
    unit, period = visible_unit(tree), requested_period()
    trend_kind = "quarter" if request.args.get("trend") == "quarter" else "month"
    view = dashboards.agency(db.session, tree, unit, period, settings(), trend_kind=trend_kind)
    children = [tree.units[i] for i in tree.children.get(unit.id, ())]
    return render_template("unit/dashboard.html", view=view, trend_kind=trend_kind,
                           children=children, level=settings().level, min_n=settings().min_n,
                           trend_svg=trend_svg(view), problem_names=problem_names())


def problem_names() -> dict[str, str]:
    locale = str(get_locale())
    return {p["code"]: instruments.text(p["text"], locale)
            for p in instruments.read_definition("sipas-short")["problems"]}


def trend_svg(view: dashboards.AgencyDashboard) -> Markup:
    points = [charts.Point(g.label, g.satisfaction.value if g.satisfaction else None,
                           g.satisfaction.ci_low if g.satisfaction else None,
                           g.satisfaction.ci_high if g.satisfaction else None, g.counts.n)
              for g in view.trend]
    check = view.group.headline
    target = check.target.threshold if check else None
    described = "; ".join(f"{p.label}: {_pct(p.value)} ({_pct(p.low)} – {_pct(p.high)}), n = {p.n}"
                          for p in points if p.value is not None)
    return charts.trend_chart(
        points, target=target, target_label=_("Chỉ tiêu %(target)s", target=_pct(target, 0)),
        title=_("Tỷ lệ hài lòng theo thời gian, %(unit)s", unit=view.unit.name),
        desc=_("Đường là tỷ lệ hài lòng, dải mờ là khoảng tin cậy, đường ngang là chỉ tiêu. ")
        + described,
    )


from survey.unit import reports  # noqa: E402, F401  (routes register on import)
