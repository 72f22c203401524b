"""Service points (desks, counters, hospitals, schools): admins anywhere, unit managers in their subtree."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.admin import bp
from survey.admin.common import (
    MANAGERS,
    STAFF,
    choices,
    managed_units,
    manages,
    options,
    posted,
    refuse,
    scoped,
    visible_points,
)
from survey.administration import units
from survey.auth import roles_required
from survey.extensions import db
from survey.models import ServicePoint, Unit

CODE = Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Chỉ dùng chữ không dấu, số, dấu chấm, gạch."))
KINDS = [
    ("one_stop", _l("Bộ phận một cửa")),
    ("centre_counter", _l("Quầy trung tâm hành chính công")),
    ("hospital", _l("Bệnh viện")),
    ("school", _l("Trường học")),
]


class PointForm(FlaskForm):
    unit = SelectField(_l("Đơn vị"), validators=[DataRequired()])
    code = StringField(_l("Mã điểm phục vụ"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Tên"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Loại"), choices=options(KINDS))
    valid_to = DateField(_l("Ngừng hoạt động từ sau ngày"), validators=[Optional()])


def _form(point: ServicePoint | None = None) -> PointForm:
    form = PointForm(obj=point)
    form.unit.choices = choices(managed_units())
    if point is not None and request.method == "GET":
        form.unit.data = str(point.unit_id)
    return form


def _values(form: PointForm, unit: Unit | None) -> dict[str, Any]:
    return {
        "unit": unit,
        "code": form.code.data.strip(),
        "name": form.name.data.strip(),
        "kind": form.kind.data,
        "valid_to": form.valid_to.data,
    }


@bp.get("/points")
@roles_required(*STAFF)
def points() -> str:
    return render_template("admin/points.html", points=visible_points(), form=_form(), kinds=dict(KINDS))


@bp.post("/points")
@roles_required(*MANAGERS)
def point_create() -> Response | tuple[str, int]:
    unit = posted(Unit, "unit")
    form = _form()
    if not form.validate_on_submit():
        return render_template(
            "admin/points.html", points=visible_points(), form=form, kinds=dict(KINDS)
        ), 400
    try:
        point = units.create_point(db.session, current_user, **_values(form, unit))
    except units.TreeError as error:
        refuse(error)
        return render_template(
            "admin/points.html", points=visible_points(), form=form, kinds=dict(KINDS)
        ), 400
    db.session.commit()
    flash(_("Đã thêm điểm phục vụ %(name)s.", name=point.name), "notice")
    return redirect(url_for("admin.points"), code=303)


@bp.route("/points/<int:point_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def point_edit(point_id: int) -> Response | str | tuple[str, int]:
    point = scoped(ServicePoint, point_id)
    form = _form(point)
    if request.method == "POST":
        if not manages(point.unit):
            abort(403)
        unit = posted(Unit, "unit")
        if form.validate_on_submit():
            try:
                units.update_point(db.session, current_user, point, **_values(form, unit))
            except units.TreeError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("Đã lưu."), "notice")
                return redirect(url_for("admin.points"), code=303)
        return render_template("admin/point_edit.html", point=point, form=form), 400
    return render_template("admin/point_edit.html", point=point, form=form)
