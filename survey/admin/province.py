"""The Sở Nội vụ province view: every unit compared fairly, sector groups, channels, volumes.

The view and its report read the reporting session (survey/database.py); importing dossier
volumes writes through ``db.session``."""

from __future__ import annotations

import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.admin import bp
from survey.administration import access, volumes
from survey.auth import roles_required
from survey.database import reporting_session
from survey.extensions import db
from survey.reporting import dashboards, reports
from survey.unit import requested_period, settings
from survey.unit.comparison import funnel_points, funnel_svg
from survey.unit.reports import download


class VolumesForm(FlaskForm):
    file = FileField("unit_code,period,dossiers[,dossiers_unsatisfied]", validators=[FileRequired()])


@bp.get("/province")
@roles_required("admin")
def province() -> str:
    reading = reporting_session()
    tree = access.tree(reading)
    root = tree.province()
    if root is None:
        return render_template("admin/province_empty.html")
    sort = request.args.get("sort", "code")
    descending = request.args.get("order") == "desc"
    view = dashboards.province(
        reading, tree, root, requested_period(), settings(), sort=sort, descending=descending
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


@bp.get("/province/ranking")
@roles_required("admin")
def province_ranking() -> str:
    reading = reporting_session()
    view = dashboards.yearly_ranking(reading, access.tree(reading), requested_period(), settings())
    return render_template("admin/ranking.html", view=view, level=settings().level,
                           min_n=settings().min_n)


@bp.get("/province/report.<fmt>")
@roles_required("admin")
def province_report(fmt: str) -> Response:
    period = requested_period()
    return download(reports.shared(reporting_session(), period, settings()), fmt, "tinh")


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
