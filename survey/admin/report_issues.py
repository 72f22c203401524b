"""One report of the calendar: the draft to review (live figures), publishing it after an
explicit confirmation, the published report (frozen figures), its print page and its files.

Publishing stores the figures and the XLSX at once; the PDF is printed afterwards by
``flask jobs run-due`` (see :mod:`survey.reporting.publication` for why).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as Redirect
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from survey.admin import bp
from survey.auth import roles_required
from survey.extensions import db
from survey.models import ReportIssue
from survey.periods import LOCAL
from survey.reporting import calendar, documents, publication
from survey.unit import settings

MEDIA = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
REFUSED = {"already published": _l("Báo cáo này đã được ban hành trước đó; báo cáo đã ban hành "
                                   "không sửa được."),
           "number": _l("Cần ghi số văn bản, không quá 40 ký tự."),
           "number used": _l("Số văn bản này đã dùng cho một báo cáo khác trong năm. Hãy ghi số khác.")}


class PublishForm(FlaskForm):
    number = StringField(_l("Số văn bản"), validators=[DataRequired(), Length(max=40)])
    confirm = BooleanField(_l("Tôi đã đọc kỹ dự thảo. Tôi hiểu rằng sau khi ban hành, số liệu được chốt và "
                              "báo cáo không sửa được nữa."),
                           validators=[DataRequired(_l("Cần đánh dấu ô xác nhận trước khi ban hành."))])


def _issue(issue_id: int) -> ReportIssue:
    return db.session.get(ReportIssue, issue_id) or abort(404)


def _page(issue: ReportIssue, form: PublishForm, status: int = 200) -> tuple[str, int]:
    now = datetime.now(UTC)
    period = publication.period_of(issue)
    return render_template(
        "admin/report_issue.html", issue=issue, doc=documents.of_issue(db.session, issue, settings(), now),
        form=form, due=calendar.due_date(issue.duty, period), pdf=publication.file_of(issue, "pdf"),
        xlsx=publication.file_of(issue, "xlsx"), attempts=publication.PDF_ATTEMPTS), status


@bp.get("/reports/<int:issue_id>")
@roles_required("admin")
def report_issue(issue_id: int) -> tuple[str, int]:
    issue = _issue(issue_id)
    year = datetime.now(LOCAL).year
    suggested = publication.suggest_number(db.session, year, current_app.config["REPORT_NUMBER_SUFFIX"])
    return _page(issue, PublishForm(number=issue.number or suggested))


@bp.post("/reports/<int:issue_id>/publish")
@roles_required("admin")
def report_publish(issue_id: int) -> Redirect | tuple[str, int]:
    issue, form = _issue(issue_id), PublishForm()
    if not form.validate_on_submit():
        return _page(issue, form, 400)
    try:
        publication.publish(db.session, current_user, issue, number=form.number.data or "",
                            settings=settings(), now=datetime.now(UTC))
    except publication.NotPublishable as refused:
        form.number.errors = [str(REFUSED.get(str(refused), REFUSED["number"]))]
        return _page(issue, form, 409 if issue.status == "published" else 400)
    db.session.commit()
    flash(_("Đã ban hành báo cáo số %(number)s. Số liệu đã được chốt; tệp PDF sẽ có sau vài phút.",
            number=issue.number), "notice")
    return redirect(url_for("admin.report_issue", issue_id=issue.id), code=303)


@bp.get("/reports/<int:issue_id>/print")
@roles_required("admin")
def report_issue_print(issue_id: int) -> str:
    issue = _issue(issue_id)
    return render_template("reports/issued.html",
                           doc=documents.of_issue(db.session, issue, settings(), datetime.now(UTC)))


@bp.get("/reports/<int:issue_id>/file.<kind>")
@roles_required("admin")
def report_file(issue_id: int, kind: str) -> Response:
    issue = _issue(issue_id)
    kept = publication.file_of(issue, kind) if kind in MEDIA else None
    if kept is None:
        abort(404)
    name = f"bao-cao-{issue.duty.code}-{issue.period_label}.{kind}"
    return Response(kept.content, mimetype=MEDIA[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-SHA256": kept.sha256})
