"""The Sở Nội vụ province view: every unit compared fairly, sector groups, channels, volumes."""

from __future__ import annotations

import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.admin import bp
from survey.administration import access, volumes
from survey.auth import roles_required
from survey.extensions import db
from survey.formatting import pct
from survey.reporting import charts, dashboards, reports, stats
from survey.unit import requested_period, settings
from survey.unit.reports import download


class VolumesForm(FlaskForm):
    file = FileField("unit_code,period,dossiers[,dossiers_unsatisfied]", validators=[FileRequired()])


@bp.get("/province")
@roles_required("admin")
def province() -> str:
    tree = access.tree(db.session)
    root = tree.province()
    if root is None:
        return render_template("admin/province_empty.html")
    sort = request.args.get("sort", "code")
    descending = request.args.get("order") == "desc"
    view = dashboards.province(
        db.session, tree, root, requested_period(), settings(), sort=sort, descending=descending
    )
    points = funnel_points(view)
    return render_template(
        "admin/province.html",
        view=view,
        sort=sort,
        descending=descending,
        funnel_svg=funnel_svg(view, points),
        funnel_points=points,
        form=VolumesForm(),
        level=settings().level,
        min_n=settings().min_n,
    )


@bp.get("/province/report.<fmt>")
@roles_required("admin")
def province_report(fmt: str) -> Response:
    period = requested_period()
    return download(reports.shared(db.session, period, settings()), fmt, "tinh")


@bp.post("/province/volumes")
@roles_required("admin")
def import_volumes() -> WerkzeugResponse:
    form = VolumesForm()
    if form.validate_on_submit():
        text = form.file.data.read().decode("utf-8-sig", errors="replace")
        try:
            count = volumes.import_volumes(db.session, current_user, io.StringIO(text))
        except volumes.VolumeError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã nhập %(count)s dòng số hồ sơ.", count=count), "info")
    else:
        flash(_("Chưa chọn tệp CSV."), "error")
    return redirect(url_for("admin.province", period=request.args.get("period")))


def funnel_points(view: dashboards.ProvinceView) -> list[charts.Point]:
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


def funnel_svg(view: dashboards.ProvinceView, points: list[charts.Point]) -> Markup | None:
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
