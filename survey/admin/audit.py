"""The audit log, read-only, for administrators: who did what to which object, when, in words.

The chain is verified on every view. Filters narrow by kind of object, by member of staff and by
day; the stored codes stay in the database, the page shows :mod:`survey.labels`' words.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField

from survey import labels
from survey.admin import bp
from survey.admin.common import options
from survey.administration import audit
from survey.auth import roles_required
from survey.extensions import db
from survey.models import AuditEntry, User
from survey.periods import LOCAL

PAGE = 100


class AuditFilter(FlaskForm):
    """A GET form: no CSRF, it changes nothing."""

    class Meta:
        csrf = False

    object_type = SelectField(_l("Loại đối tượng"), validate_choice=False)
    actor = SelectField(_l("Người làm"), validate_choice=False)
    start = DateField(_l("Từ ngày"), validators=[], default=None)
    end = DateField(_l("Đến ngày"), validators=[], default=None)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL)


@bp.get("/audit")
@roles_required("admin")
def audit_log() -> str:
    form = AuditFilter(request.args)
    form.object_type.choices = options([("", _l("— tất cả —")),
                                        *labels.VOCABULARIES["object_type"].items()])
    staff = db.session.scalars(select(User).order_by(User.name))
    form.actor.choices = options([("", _l("— tất cả —")), ("system", _l("Hệ thống")),
                                  *((str(u.id), f"{u.name} ({u.email})") for u in staff)])
    form.validate()
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if before := request.args.get("before", type=int):
        query = query.where(AuditEntry.id < before)
    if form.object_type.data:
        query = query.where(AuditEntry.object_type == form.object_type.data)
    if form.actor.data == "system":
        query = query.where(AuditEntry.user_id.is_(None))
    elif form.actor.data and form.actor.data.isdigit():
        query = query.where(AuditEntry.user_id == int(form.actor.data))
    if form.start.data and not form.start.errors:
        query = query.where(AuditEntry.at >= _local_midnight(form.start.data))
    if form.end.data and not form.end.errors:
        query = query.where(AuditEntry.at < _local_midnight(form.end.data + timedelta(days=1)))
    entries = list(db.session.scalars(query))
    older = entries[-1].id if len(entries) == PAGE else None
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("admin/audit.html", entries=entries, older=older, form=form, kept=kept,
                           verification=audit.verify(db.session))
