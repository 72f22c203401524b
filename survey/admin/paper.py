"""Paper questionnaires: a fast keyboard entry form (channel ``paper``) and the response CSV import."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from survey.admin import bp
from survey.admin.common import (
    MANAGERS,
    ImportForm,
    choices,
    managed_points,
    options,
    posted,
    run_import,
    visible_ids,
)
from survey.auth import roles_required
from survey.collection import importing, instruments
from survey.collection.responses import Context, Submission, SubmissionError
from survey.extensions import db
from survey.models import Procedure, ServicePoint
from survey.periods import LOCAL, today

DEFAULT_INSTRUMENT = "sipas-full"


class PaperForm(FlaskForm):
    service_point = SelectField(_l("Điểm phục vụ"), validators=[DataRequired()])
    instrument = SelectField(_l("Mẫu phiếu"), choices=options([(k, k) for k in instruments.BUILT_IN]))
    day = DateField(_l("Ngày trên phiếu"), validators=[DataRequired()])
    procedure = StringField(_l("Mã thủ tục (nếu có)"), validators=[Optional(), Length(max=40)])
    respondent_type = SelectField(
        _l("Người trả lời"),
        choices=options(
            [
                ("", _l("Không ghi")),
                ("citizen", _l("Người dân")),
                ("organisation", _l("Doanh nghiệp, tổ chức")),
            ]
        ),
    )
    comment = TextAreaField(_l("Ý kiến ghi trên phiếu"), validators=[Optional(), Length(max=2000)])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])


def _instrument():
    key = request.values.get("instrument", DEFAULT_INSTRUMENT)
    instrument = instruments.current(db.session, key if key in instruments.BUILT_IN else DEFAULT_INSTRUMENT)
    return instrument or abort(404)


def _form(instrument) -> PaperForm:
    form = PaperForm(instrument=instrument.key)
    form.service_point.choices = choices(managed_points())
    if request.method == "GET":
        form.service_point.data = request.args.get("service_point", "")
        form.day.data = today()
        form.idempotency_key.data = uuid.uuid4().hex
    return form


def _ratings(instrument) -> tuple[dict[str, int], list[str]]:
    ratings, errors = {}, []
    for key in instrument.item_keys:
        value = request.form.get(f"q.{key}", "").strip()
        if value in ("1", "2", "3", "4", "5"):
            ratings[key] = int(value)
        elif value:
            errors.append(key)
    return ratings, errors


def _page(form: PaperForm, instrument, status: int = 200, bad=()) -> tuple[str, int]:
    return render_template(
        "admin/paper.html",
        form=form,
        instrument=instrument,
        bad=set(bad),
        import_form=ImportForm(),
        locale="vi",
    ), status


@bp.get("/paper")
@roles_required(*MANAGERS)
def paper() -> tuple[str, int]:
    instrument = _instrument()
    return _page(_form(instrument), instrument)


@bp.post("/paper")
@roles_required(*MANAGERS)
def paper_save() -> Response | tuple[str, int]:
    instrument = _instrument()
    point, form = posted(ServicePoint, "service_point"), _form(instrument)
    ratings, bad = _ratings(instrument)
    procedure = None
    if form.procedure.data:
        procedure = db.session.scalar(select(Procedure).filter_by(code=form.procedure.data.strip()))
        if procedure is None:
            form.procedure.errors = [_("Không có thủ tục mã này.")]
    if point is None or not form.validate_on_submit() or bad or form.procedure.errors:
        return _page(form, instrument, 400, bad)
    context = Context.of(instrument, point.unit, "paper", service_point=point, procedure=procedure)
    submission = Submission(
        idempotency_key=form.idempotency_key.data,
        ratings=ratings,
        comment=form.comment.data or None,
        respondent_type=form.respondent_type.data or None,
        submitted_at=datetime.combine(form.day.data, time(12), LOCAL),
    )
    try:
        outcome = importing.record_paper(db.session, current_user, context, submission)
    except SubmissionError:
        return _page(form, instrument, 400)
    db.session.commit()
    flash(_("Đã lưu phiếu.") if outcome == "recorded" else _("Phiếu này đã được lưu trước đó."), "notice")
    return redirect(url_for("admin.paper", service_point=point.id, instrument=instrument.key), code=303)


@bp.post("/paper/import")
@roles_required(*MANAGERS)
def paper_import() -> Response | tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(_form(_instrument()), _instrument(), 400)
    allowed = visible_ids()
    report = run_import(
        form,
        url_for("admin.paper"),
        lambda source: importing.import_responses(db.session, current_user, source, allowed_unit_ids=allowed),
    )
    db.session.commit()
    flash(
        _(
            "Nhập xong: %(r)s phiếu mới, %(d)s phiếu đã có.",
            r=report.recorded,
            d=report.duplicates + report.dossier_used,
        ),
        "notice",
    )
    return redirect(url_for("admin.paper"), code=303)
