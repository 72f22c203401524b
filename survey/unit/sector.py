"""The sector departments' page: Sở Y tế's hospitals and health desks, Sở GD&ĐT's schools, in
every unit of the city (:mod:`survey.reporting.sector_view`). Who sees which sector is decided by
:func:`survey.administration.access.visible_sector`; figures of fewer than ``min_n`` answers
are hidden below administrator."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from survey.administration import access
from survey.auth import roles_required
from survey.database import reporting_session
from survey.reporting import privacy, sector_view
from survey.unit import bp, requested_period, settings
from survey.unit.comparison import funnel_points, funnel_svg


@bp.get("/sector")
@roles_required("admin", access.SECTOR_ROLE)
def sector() -> str:
    asked = request.args.get("sector") or current_user.sector or "health"  # admin: health first
    code = access.visible_sector(current_user, asked)
    reading = reporting_session()
    tree = access.tree(reading)
    root = tree.province()
    if code is None or root is None:
        abort(404)
    sort, descending = request.args.get("sort", "code"), request.args.get("order") == "desc"
    view = sector_view.build(reading, tree, root, code, requested_period(), settings(),
                             sort=sort, descending=descending)
    if not access.sees_small_cells(current_user):
        privacy.sector(view, settings().min_n, settings().level)
    points = funnel_points(view)
    return render_template("unit/sector.html", view=view, sort=sort, descending=descending,
                           funnel_svg=funnel_svg(view, points), funnel_points=points,
                           level=settings().level, min_n=settings().min_n)
