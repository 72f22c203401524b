"""The dated unit tree, for administrators: create, edit, close on a date (with a successor on a
merger), and CSV export and import."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey import labels
from survey.admin import bp
from survey.admin.common import ImportForm, choices, form_id, options, refuse, run_import
from survey.admin.points import CODE
from survey.administration import units as tree
from survey.auth import roles_required
from survey.extensions import db
from survey.models import Unit

LEVELS = [(code, labels.label(code, "level")) for code in ("city", "department", "commune")]


class UnitForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Tên"), validators=[DataRequired(), Length(max=200)])
    level = SelectField(_l("Cấp"), choices=options(LEVELS))
    parent = SelectField(_l("Đơn vị cấp trên"))
    jurisdiction = StringField(
        _l("Địa bàn (mã tỉnh, thành phố)"), default="can_tho", validators=[DataRequired(), Length(max=40)]
    )
    valid_from = DateField(_l("Hoạt động từ ngày"), validators=[DataRequired()], default=date.today)


class CloseForm(FlaskForm):
    valid_to = DateField(_l("Ngày hoạt động cuối cùng"), validators=[DataRequired()])
    successor = SelectField(_l("Đơn vị kế thừa (khi sáp nhập)"), validate_choice=False)


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.valid_to.is_not(None), Unit.code)))


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=unit)
    form.parent.choices = choices([u for u in _units() if u is not unit], blank=_("— không có —"))
    if unit is not None and request.method == "GET":
        form.parent.data = str(unit.parent_id or "")
    return form


def _unit_by_id(field: str) -> Unit | None:
    unit_id = form_id(field)
    if unit_id is None:
        return None
    return db.session.get(Unit, unit_id) or abort(404)


def _values(form: UnitForm, parent: Unit | None) -> dict[str, Any]:
    return {
        "code": form.code.data.strip(),
        "name": form.name.data.strip(),
        "level": form.level.data,
        "parent": parent,
        "jurisdiction": form.jurisdiction.data.strip(),
        "valid_from": form.valid_from.data,
    }


def _page(form: UnitForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/units.html", units=_units(), form=form, import_form=ImportForm()
    ), status


@bp.get("/units")
@roles_required("admin")
def units() -> tuple[str, int]:
    return _page(_unit_form())


@bp.post("/units")
@roles_required("admin")
def unit_create() -> WerkzeugResponse | tuple[str, int]:
    form, parent = _unit_form(), _unit_by_id("parent")
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        unit = tree.create_unit(db.session, current_user, **_values(form, parent))
    except tree.TreeError as error:
        refuse(error)
        return _page(form, 400)
    db.session.commit()
    flash(_("Đã thêm đơn vị %(name)s.", name=unit.name), "notice")
    return redirect(url_for("admin.unit_edit", unit_id=unit.id), code=303)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def unit_edit(unit_id: int) -> WerkzeugResponse | str | tuple[str, int]:
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = _unit_form(unit)
    if request.method == "POST":
        parent = _unit_by_id("parent")
        if form.validate_on_submit():
            try:
                tree.update_unit(db.session, current_user, unit, **_values(form, parent))
            except tree.TreeError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("Đã lưu."), "notice")
                return redirect(url_for("admin.unit_edit", unit_id=unit.id), code=303)
        return _edit_page(unit, form), 400
    return _edit_page(unit, form)


def _edit_page(unit: Unit, form: UnitForm, close_form: CloseForm | None = None) -> str:
    if close_form is None:
        close_form = CloseForm()
    close_form.successor.choices = choices(
        [u for u in _units() if u is not unit and u.valid_to is None], blank=_("— không sáp nhập —")
    )
    return render_template(
        "admin/unit_edit.html",
        unit=unit,
        form=form,
        close_form=close_form,
        from_units=db.session.scalars(select(Unit).filter_by(successor_id=unit.id)).all(),
    )


@bp.post("/units/<int:unit_id>/close")
@roles_required("admin")
def unit_close(unit_id: int) -> WerkzeugResponse | tuple[str, int]:
    unit = db.session.get(Unit, unit_id) or abort(404)
    successor = _unit_by_id("successor")
    close_form = CloseForm()
    if close_form.validate_on_submit():
        try:
            tree.close_unit(db.session, current_user, unit, on=close_form.valid_to.data, successor=successor)
        except tree.TreeError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("Đã đóng đơn vị %(name)s. Dữ liệu cũ vẫn giữ nguyên.", name=unit.name), "notice")
            return redirect(url_for("admin.unit_edit", unit_id=unit.id), code=303)
    return _edit_page(unit, _unit_form(unit), close_form), 400


@bp.get("/units/export.csv")
@roles_required("admin")
def units_export() -> Response:
    out = io.StringIO()
    tree.export_tree(db.session, out)
    return Response(
        out.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=units.csv"},
    )


@bp.post("/units/import")
@roles_required("admin")
def units_import() -> WerkzeugResponse | tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(_unit_form(), 400)
    added, changed, unchanged = run_import(
        form, url_for("admin.units"), lambda source: tree.import_tree(db.session, current_user, source)
    )
    db.session.commit()
    flash(
        _("Nhập xong: %(a)s đơn vị mới, %(c)s thay đổi, %(u)s giữ nguyên.", a=added, c=changed, u=unchanged),
        "notice",
    )
    return redirect(url_for("admin.units"), code=303)
