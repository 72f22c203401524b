"""Statutory targets as data: load the seed, list, create, edit, confirm an ambiguous operator."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey import labels
from survey.admin import bp
from survey.admin.common import options, refuse
from survey.administration import targets as seed
from survey.auth import EmptyForm, roles_required
from survey.extensions import db
from survey.models import SectorGroup, Target
from survey.models.targets import TARGET_OBJECTS

OPERATORS = [(">=", _l("tối thiểu (≥)")), (">", _l("trên (>)"))]


class TargetForm(FlaskForm):
    code = StringField(_l("Mã chỉ tiêu"), validators=[DataRequired(), Length(max=40)])
    jurisdiction = StringField(_l("Địa bàn"), default="can_tho", validators=[DataRequired(), Length(max=40)])
    source_document = StringField(_l("Văn bản"), validators=[DataRequired(), Length(max=500)])
    source_clause = StringField(_l("Điều, mục"), validators=[Optional(), Length(max=500)])
    period_start = DateField(_l("Từ ngày"), validators=[DataRequired()])
    period_end = DateField(_l("Đến ngày"), validators=[DataRequired()])
    object = SelectField(_l("Đối tượng đánh giá"),
                         choices=options([(o, labels.label(o, "target_object")) for o in TARGET_OBJECTS]))
    sector_group = SelectField(_l("Nhóm lĩnh vực"), validate_choice=False)
    levels = SelectField(_l("Áp dụng cho cấp"), validate_choice=False)
    population = StringField(_l("Người được hỏi"), validators=[Optional(), Length(max=120)])
    operator = SelectField(_l("Phép so sánh"), choices=options(OPERATORS))
    threshold = DecimalField(
        _l("Ngưỡng (0–1, ví dụ 0.9)"),
        places=4,
        validators=[DataRequired(), NumberRange(min=0.0001, max=0.9999)],
    )
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


def _form(target: Target | None = None) -> TargetForm:
    form = TargetForm(obj=target)
    groups = db.session.execute(select(SectorGroup.code, SectorGroup.name).order_by(SectorGroup.name))
    form.sector_group.choices = options([("", _("— mọi lĩnh vực —")), *((g.code, g.name) for g in groups)])
    form.levels.choices = options([("", _("— mọi cấp —")),
                                   *((level, labels.label(level, "level")) for level in seed.LEVELS),
                                   ("department+commune", _("Sở, ban, ngành và xã, phường"))])
    return form


def _values(form: TargetForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in seed.FIELDS if hasattr(form, name)}
    values["threshold"] = float(values["threshold"])
    values["sector_group"] = values["sector_group"] or None
    values["levels"] = values.get("levels") or None
    for name in ("source_clause", "population", "note"):
        values[name] = values[name] or ""
    return values


@bp.get("/targets")
@roles_required("admin")
def targets() -> str:
    rows = list(db.session.scalars(
        select(Target).order_by(Target.needs_confirmation.desc(), Target.period_start)))
    names = labels.sector_group_names(db.session, (t.sector_group or "" for t in rows))
    return render_template("admin/targets.html", targets=rows, group_names=names, form=_form(),
                           button=EmptyForm())


@bp.post("/targets/seed")
@roles_required("admin")
def targets_seed() -> Response:
    if EmptyForm().validate_on_submit():
        added, present = seed.load_seed(db.session, current_user)
        db.session.commit()
        flash(_("Đã nạp %(a)s chỉ tiêu mới (%(p)s đã có).", a=added, p=present), "notice")
    return redirect(url_for("admin.targets"), code=303)


@bp.route("/targets/new", methods=["GET", "POST"])
@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@roles_required("admin")
def target_edit(target_id: int | None = None) -> Response | str | tuple[str, int]:
    target = None if target_id is None else (db.session.get(Target, target_id) or abort(404))
    form = _form(target)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                target = seed.save_target(db.session, current_user, target, _values(form))
            except seed.TargetError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("Đã lưu và xác nhận chỉ tiêu %(code)s.", code=target.code), "notice")
                return redirect(url_for("admin.targets"), code=303)
        return render_template("admin/target_edit.html", target=target, form=form), 400
    return render_template("admin/target_edit.html", target=target, form=form)


@bp.post("/targets/<int:target_id>/confirm")
@roles_required("admin")
def target_confirm(target_id: int) -> Response:
    target = db.session.get(Target, target_id) or abort(404)
    if EmptyForm().validate_on_submit() and seed.confirm_target(db.session, current_user, target):
        db.session.commit()
        flash(_("Đã xác nhận chỉ tiêu %(code)s.", code=target.code), "notice")
    return redirect(url_for("admin.targets"), code=303)
