"""Sở Nội vụ reviews flagged responses: run the checks, exclude or include a batch or one response."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from survey.admin import bp
from survey.auth import EmptyForm, roles_required
from survey.collection import integrity
from survey.extensions import db


class ExclusionForm(FlaskForm):
    """One exclude/include button: for a batch, or for one response of it."""

    batch = HiddenField(validators=[DataRequired(), Length(max=60)])
    response = HiddenField(validators=[Optional(), Length(max=36)])
    action = HiddenField(validators=[AnyOf(["exclude", "include"])])


@bp.get("/integrity")
@roles_required("admin")
def integrity_index() -> str:
    return render_template(
        "admin/integrity.html",
        batches=integrity.batches(db.session),
        form=ExclusionForm(),
        scan_form=EmptyForm(),
        rules=integrity.Rules.from_config(current_app.config),
    )


@bp.get("/integrity/<batch>")
@roles_required("admin")
def integrity_batch(batch: str) -> str:
    rows = integrity.batch_responses(db.session, batch)
    if not rows:
        abort(404)
    return render_template("admin/integrity_batch.html", batch=batch, rows=rows, form=ExclusionForm())


@bp.post("/integrity/scan")
@roles_required("admin")
def integrity_scan() -> Response:
    if EmptyForm().validate_on_submit():
        rules = integrity.Rules.from_config(current_app.config)
        counts = integrity.scan(db.session, rules, actor=current_user)
        db.session.commit()
        flash(_("Đã kiểm tra: %(n)s phiếu mới bị đánh dấu.", n=sum(counts.values())), "notice")
    return redirect(url_for("admin.integrity_index"), code=303)


@bp.post("/integrity/exclusion")
@roles_required("admin")
def integrity_exclusion() -> Response:
    form = ExclusionForm()
    if not form.validate_on_submit():
        abort(400)
    excluded = form.action.data == "exclude"
    if form.response.data:
        changed = integrity.set_excluded(
            db.session, current_user, excluded=excluded, response_id=form.response.data
        )
        target = url_for("admin.integrity_batch", batch=form.batch.data)
    else:
        changed = integrity.set_excluded(db.session, current_user, excluded=excluded, batch=form.batch.data)
        target = url_for("admin.integrity_index")
    db.session.commit()
    message = (
        _("Đã loại %(n)s phiếu khỏi chỉ số.", n=changed)
        if excluded
        else _("Đã tính lại %(n)s phiếu vào chỉ số.", n=changed)
    )
    flash(message, "notice")
    return redirect(target, code=303)
