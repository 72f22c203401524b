"""The procedure catalogue (CSV import) and the sector groups that targets refer to."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from survey.admin import bp
from survey.admin.common import ImportForm, refuse, run_import
from survey.administration import procedures as catalogue
from survey.auth import roles_required
from survey.extensions import db
from survey.models import Procedure, Sector, SectorGroup

PAGE = 200


class GroupForm(FlaskForm):
    code = StringField(
        _l("Mã nhóm (mã các lĩnh vực nối bằng dấu +)"), validators=[DataRequired(), Length(max=120)]
    )
    name = StringField(_l("Tên nhóm"), validators=[DataRequired(), Length(max=200)])
    sectors = SelectMultipleField(_l("Các lĩnh vực"), validators=[DataRequired()])


def _group_form(group: SectorGroup | None = None) -> GroupForm:
    form = GroupForm(obj=group)
    form.sectors.choices = [
        (str(s.id), f"{s.code} · {s.name}") for s in db.session.scalars(select(Sector).order_by(Sector.code))
    ]
    if group is not None and request.method == "GET":
        form.sectors.data = [str(s.id) for s in group.sectors]
    return form


def _page(form: GroupForm, status: int = 200) -> tuple[str, int]:
    search = request.args.get("q", "").strip()[:100]
    query = select(Procedure).order_by(Procedure.code).limit(PAGE)
    if search:
        query = query.where(or_(Procedure.code.contains(search), Procedure.name.contains(search)))
    total = db.session.scalar(select(func.count()).select_from(Procedure))
    groups = db.session.scalars(select(SectorGroup).order_by(SectorGroup.code))
    return render_template(
        "admin/procedures.html",
        procedures=db.session.scalars(query),
        total=total,
        search=search,
        groups=groups,
        form=form,
        import_form=ImportForm(),
    ), status


@bp.get("/procedures")
@roles_required("admin")
def procedures() -> tuple[str, int]:
    return _page(_group_form())


@bp.post("/procedures/import")
@roles_required("admin")
def procedures_import() -> str | tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(_group_form(), 400)
    report = run_import(
        form,
        url_for("admin.procedures"),
        lambda source: catalogue.import_procedures(db.session, current_user, source),
    )
    db.session.commit()
    return render_template("admin/procedures_report.html", report=report)


def _save_group(group: SectorGroup | None, form: GroupForm) -> SectorGroup:
    ids = [int(i) for i in form.sectors.data or [] if i.isdigit() and len(i) < 12]
    return catalogue.save_sector_group(db.session, current_user, group, code=form.code.data,
                                       name=form.name.data, sector_ids=ids)


@bp.post("/sector-groups")
@roles_required("admin")
def group_create() -> Response | tuple[str, int]:
    form = _group_form()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        _save_group(None, form)
    except catalogue.GroupError as error:
        refuse(error)
        return _page(form, 400)
    db.session.commit()
    flash(_("Đã lưu nhóm lĩnh vực."), "notice")
    return redirect(url_for("admin.procedures"), code=303)


@bp.route("/sector-groups/<int:group_id>", methods=["GET", "POST"])
@roles_required("admin")
def group_edit(group_id: int) -> Response | str | tuple[str, int]:
    group = db.session.get(SectorGroup, group_id) or abort(404)
    form = _group_form(group)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _save_group(group, form)
            except catalogue.GroupError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("Đã lưu nhóm lĩnh vực."), "notice")
                return redirect(url_for("admin.procedures"), code=303)
        return render_template("admin/group_edit.html", group=group, form=form), 400
    return render_template("admin/group_edit.html", group=group, form=form)
