"""Questionnaire versions: list, preview with the citizen's templates, copy into a draft, publish."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from survey.admin import bp
from survey.auth import EmptyForm, roles_required
from survey.collection.instruments import InstrumentError, versions
from survey.extensions import db
from survey.models import Instrument
from survey.public.forms import survey_form


class DraftForm(FlaskForm):
    definition = TextAreaField(_l("Nội dung (JSON)"), validators=[DataRequired(), Length(max=200_000)])


@bp.get("/instruments")
@roles_required("admin")
def instruments() -> str:
    rows = db.session.scalars(select(Instrument).order_by(Instrument.key, Instrument.version.desc()))
    return render_template("admin/instruments.html", instruments=rows, button=EmptyForm())


@bp.get("/instruments/<int:instrument_id>")
@roles_required("admin")
def instrument_preview(instrument_id: int) -> str:
    instrument = db.session.get(Instrument, instrument_id) or abort(404)
    form = DraftForm(definition=json.dumps(instrument.definition, ensure_ascii=False, indent=2))
    return render_template(
        "admin/instrument.html",
        instrument=instrument,
        preview=survey_form(instrument),
        form=form,
        button=EmptyForm(),
    )


@bp.post("/instruments/<int:instrument_id>/draft")
@roles_required("admin")
def instrument_draft(instrument_id: int) -> Response:
    source = db.session.get(Instrument, instrument_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    draft = versions.new_draft(db.session, current_user, source)
    db.session.commit()
    flash(_("Đã tạo bản nháp %(ref)s. Sửa rồi bấm “Công bố”.", ref=draft.ref), "notice")
    return redirect(url_for("admin.instrument_preview", instrument_id=draft.id), code=303)


@bp.post("/instruments/<int:instrument_id>")
@roles_required("admin")
def instrument_update(instrument_id: int) -> Response | tuple[str, int]:
    draft = db.session.get(Instrument, instrument_id) or abort(404)
    form = DraftForm()
    if form.validate_on_submit():
        try:
            versions.update_draft(db.session, current_user, draft, json.loads(form.definition.data))
        except (ValueError, InstrumentError) as error:  # JSONDecodeError is a ValueError
            db.session.rollback()
            form.definition.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Đã lưu bản nháp."), "notice")
            return redirect(url_for("admin.instrument_preview", instrument_id=draft.id), code=303)
    return render_template(
        "admin/instrument.html", instrument=draft, preview=survey_form(draft), form=form, button=EmptyForm()
    ), 400


@bp.post("/instruments/<int:instrument_id>/publish")
@roles_required("admin")
def instrument_publish(instrument_id: int) -> Response:
    draft = db.session.get(Instrument, instrument_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        versions.publish(db.session, current_user, draft)
    except InstrumentError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã công bố %(ref)s. Từ nay không sửa được nữa.", ref=draft.ref), "notice")
    return redirect(url_for("admin.instrument_preview", instrument_id=draft.id), code=303)
