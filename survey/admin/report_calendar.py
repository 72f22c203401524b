"""The reporting calendar page: each duty (quarterly, 6-month, annual report), its periods of a
year with the draft day, the due date and the report's state; and the form that changes a
duty's due rule. Drafts are made by ``flask jobs run-due``, never from this page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from survey.admin import bp
from survey.auth import roles_required
from survey.extensions import db
from survey.models import ReportingDuty
from survey.periods import today
from survey.reporting import calendar

CADENCE_WORDS = {"quarter": _l("Hằng quý"), "half": _l("6 tháng một lần"), "year": _l("Hằng năm")}


class DutyForm(FlaskForm):
    name = StringField(_l("Tên báo cáo"), validators=[DataRequired(), Length(max=200)])
    due_months_after = IntegerField(
        _l("Hạn nộp: số tháng sau tháng cuối của kỳ (0: ngay trong tháng cuối kỳ)"),
        validators=[InputRequired(), NumberRange(min=0, max=12)])
    due_day = IntegerField(_l("Hạn nộp: ngày trong tháng"),
                           validators=[InputRequired(), NumberRange(min=1, max=31)])
    lead_days = IntegerField(_l("Khi hạn nộp rơi vào trong kỳ: lập dự thảo trước hạn bao nhiêu ngày"),
                             validators=[InputRequired(), NumberRange(min=0, max=60)])
    recipient = StringField(_l("Nơi nhận"), validators=[Length(max=200)])
    active = BooleanField(_l("Đang áp dụng"))


def rule_text(duty: ReportingDuty) -> str:
    if duty.due_months_after == 0:
        return _("Hạn nộp ngày %(day)s của tháng cuối kỳ; dự thảo lập trước %(lead)s ngày, "
                 "khi kỳ chưa kết thúc.", day=duty.due_day, lead=duty.lead_days)
    return _("Hạn nộp ngày %(day)s, %(months)s tháng sau khi kỳ kết thúc; dự thảo lập ngay "
             "ngày đầu sau kỳ.", day=duty.due_day, months=duty.due_months_after)


def _year() -> int:
    text = request.args.get("nam", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else today().year


@bp.get("/reports/calendar")
@roles_required("admin")
def report_calendar() -> str:
    year = _year()
    return render_template("admin/report_calendar.html", year=year,
                           rows=calendar.year_slots(db.session, year), today=today(),
                           cadence=CADENCE_WORDS, rule_text=rule_text)


def _duty(duty_id: int) -> ReportingDuty:
    return db.session.get(ReportingDuty, duty_id) or abort(404)


@bp.get("/reports/duties/<int:duty_id>")
@roles_required("admin")
def duty_edit(duty_id: int) -> str:
    duty = _duty(duty_id)
    return render_template("admin/report_duty.html", duty=duty, form=DutyForm(obj=duty),
                           cadence=CADENCE_WORDS)


@bp.post("/reports/duties/<int:duty_id>")
@roles_required("admin")
def duty_save(duty_id: int) -> Response | tuple[str, int]:
    duty, form = _duty(duty_id), DutyForm()
    if not form.validate_on_submit():
        return render_template("admin/report_duty.html", duty=duty, form=form, cadence=CADENCE_WORDS), 400
    calendar.update_duty(db.session, current_user, duty, {
        "name": form.name.data.strip(), "due_months_after": form.due_months_after.data,
        "due_day": form.due_day.data, "lead_days": form.lead_days.data,
        "recipient": (form.recipient.data or "").strip(), "active": bool(form.active.data)})
    db.session.commit()
    flash(_("Đã lưu lịch của “%(name)s”.", name=duty.name), "notice")
    return redirect(url_for("admin.report_calendar"), code=303)
