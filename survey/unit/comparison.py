"""The funnel plot of units compared with one another, for the province view and the sector
departments' view (any view with ``units``, ``target``, ``funnel`` and ``period``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from survey.formatting import pct
from survey.reporting import charts, stats

Compared = Any  # dashboards.ProvinceView or sector_view.SectorView


def funnel_points(view: Compared) -> list[charts.Point]:
    """One numbered point per measured unit, in the table's order; its kind is where it lies."""
    if view.target is None:
        return []
    points = []
    measured = [g for g in view.units if g.satisfaction]
    at_n = stats.funnel_limits(view.target, [max(g.counts.n, 1) for g in measured], levels=(0.998,))
    for number, (g, low, high) in enumerate(
            zip(measured, at_n.lower[0.998], at_n.upper[0.998], strict=True), start=1):
        value = g.satisfaction.value if g.satisfaction else 0.0
        kind = "low" if value < low else "high" if value > high else "normal"
        points.append(charts.Point(g.label, value, n=g.counts.n, kind=kind, tag=str(number)))
    return points


def funnel_svg(view: Compared, points: list[charts.Point]) -> Markup | None:
    if view.funnel is None or view.target is None:
        return None
    outer_low, outer_high = view.funnel.lower[0.998], view.funnel.upper[0.998]
    inner_low, inner_high = view.funnel.lower[0.95], view.funnel.upper[0.95]
    below = [p.label for p in points if p.kind == "low"]
    return charts.funnel_plot(
        points,
        target=view.target,
        curve_n=view.funnel.n,
        limits={"inner": (inner_low, inner_high), "outer": (outer_low, outer_high)},
        target_label=_("Chỉ tiêu %(target)s", target=pct(view.target, 0)),
        x_label=_("Số câu trả lời (n)"),
        title=_("Biểu đồ phễu: tỷ lệ hài lòng theo số câu trả lời, %(period)s", period=view.period.label),
        desc=_(
            "Mỗi điểm là một đơn vị; đường nét đứt là giới hạn kiểm soát 95 %% và 99,8 %% quanh "
            "chỉ tiêu. Đơn vị nằm dưới giới hạn 99,8 %% (tam giác chúc xuống): %(units)s.",
            units=", ".join(below) or _("không có"),
        ),
    )
