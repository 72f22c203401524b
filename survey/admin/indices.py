"""The index record page: SIPAS, PAR INDEX, PAPI and PCI per year, entered or imported, shown
beside the city's own satisfaction figure for the same year."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from survey.admin import bp
from survey.admin.common import ImportForm, options, run_import
from survey.administration import access
from survey.auth import roles_required
from survey.extensions import db
from survey.operations import indices as record
from survey.periods import parse_period, today
from survey.reporting.groups import Group, unit_group
from survey.unit import settings


def _goal(form: FlaskForm, field: StringField) -> None:
    try:
        record.parse_goal(field.data or "")
    except ValueError:
        raise ValidationError(_("Mục tiêu viết như “top 15” hoặc “15”.")) from None


class ScoreField(DecimalField):
    """A decimal typed the Vietnamese way ("82,5") or the other ("82.5"): a text box (a number
    box refuses the comma), with the phone's decimal keypad."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata([str(v).replace(",", ".") for v in valuelist])


class IndexForm(FlaskForm):
    index_code = SelectField(_l("Chỉ số"), choices=options(list(record.NAMES.items())))
    year = IntegerField(_l("Năm"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    score = ScoreField(_l("Điểm (ví dụ 82,5)"), places=2, render_kw={"inputmode": "decimal"},
                       validators=[Optional(), NumberRange(min=0, max=1000)])
    rank = IntegerField(_l("Thứ hạng của thành phố"), validators=[Optional(), NumberRange(min=1)])
    goal = StringField(_l("Mục tiêu theo kế hoạch (ví dụ top 15)"),
                       validators=[Optional(), Length(max=20), _goal])
    note = StringField(_l("Ghi chú, nguồn công bố"), validators=[Optional(), Length(max=500)])


def _city(years: list[int]) -> dict[int, Group]:
    tree = access.tree(db.session)
    root = tree.province()
    if root is None:
        return {}
    return {y: unit_group(db.session, tree, root, parse_period(str(y)), settings(), components=False)
            for y in years}


def _page(form: IndexForm, status: int = 200) -> tuple[str, int]:
    rows = record.by_year(db.session)
    return render_template("admin/indices.html", rows=rows, city=_city(list(rows)), form=form,
                           upload=ImportForm(), names=record.NAMES, min_n=settings().min_n,
                           this_year=today().year), status


@bp.get("/indices")
@roles_required("admin")
def indices() -> tuple[str, int]:
    return _page(IndexForm())


@bp.post("/indices")
@roles_required("admin")
def index_save() -> Response | tuple[str, int]:
    form = IndexForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    values: dict[str, Any] = {
        "index_code": form.index_code.data, "year": form.year.data,
        "score": float(form.score.data) if form.score.data is not None else None,
        "rank": form.rank.data, "goal_rank": record.parse_goal(form.goal.data or ""),
        "note": form.note.data or ""}
    record.save(db.session, current_user, values)
    db.session.commit()
    flash(_("Đã lưu chỉ số %(name)s năm %(year)s.", name=form.index_code.data.replace("_", " "),
            year=form.year.data), "notice")
    return redirect(url_for("admin.indices"), code=303)


@bp.post("/indices/import")
@roles_required("admin")
def indices_import() -> Response:
    form = ImportForm()
    if form.validate_on_submit():
        count = run_import(form, url_for("admin.indices"),
                           lambda source: record.import_csv(db.session, current_user, source))
        db.session.commit()
        flash(_("Đã nhập %(n)s dòng chỉ số.", n=count), "notice")
    else:
        flash(_("Chưa chọn tệp CSV."), "error")
    return redirect(url_for("admin.indices"), code=303)
