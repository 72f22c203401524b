"""Questionnaire versions: list, edit through a form with a preview in the citizen's templates,
publish an edit as a new version, download a version as JSON (an export, never edited)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.admin import bp
from survey.admin.instrument_form import MAX_ITEMS, InstrumentForm, definition_of, fill
from survey.auth import roles_required
from survey.collection.instruments import InstrumentError, versions
from survey.extensions import db
from survey.models import Instrument
from survey.public.forms import survey_form


@bp.get("/instruments")
@roles_required("admin")
def instruments() -> str:
    rows = db.session.scalars(select(Instrument).order_by(Instrument.key, Instrument.version.desc()))
    return render_template("admin/instruments.html", instruments=rows)


def _page(instrument: Instrument, form: InstrumentForm, shown: dict[str, Any], locale: str) -> str:
    """The editor beside a preview of ``shown`` (the saved version, or what was just typed),
    always with an empty row for one more question."""
    if not form.items.entries[-1].form.blank() and len(form.items.entries) < MAX_ITEMS:
        form.items.append_entry({"component": "access", "order": len(form.items.entries) + 1})
    preview = Instrument(id=instrument.id, key=instrument.key, version=instrument.version,
                         definition=shown)
    with force_locale(locale):  # the faces' words and the buttons too, as the citizen reads them
        preview_html = Markup(render_template(  # noqa: S704 - a template, escaped by Jinja
            "admin/_instrument_preview.html", preview=survey_form(preview), shown=preview))
    return render_template("admin/instrument.html", instrument=instrument, form=form,
                           preview_html=preview_html)


@bp.get("/instruments/<int:instrument_id>")
@roles_required("admin")
def instrument_preview(instrument_id: int) -> str:
    instrument = db.session.get(Instrument, instrument_id) or abort(404)
    form = InstrumentForm(formdata=None)
    fill(form, instrument.definition)
    return _page(instrument, form, instrument.definition, "vi")


@bp.post("/instruments/<int:instrument_id>")
@roles_required("admin")
def instrument_update(instrument_id: int) -> WerkzeugResponse | tuple[str, int]:
    """"Xem trước" shows what was typed; "Lưu" publishes it as a new version. On an error the page
    comes back with everything typed and the message beside its field."""
    source = db.session.get(Instrument, instrument_id) or abort(404)
    form = InstrumentForm()
    locale = form.preview_locale.data if form.preview_locale.data in ("vi", "en", "km") else "vi"
    if not form.check():
        return _page(source, form, source.definition, locale), 400
    definition = definition_of(form, source.definition)
    if form.preview.data:
        return _page(source, form, definition, locale), 200
    try:
        saved = versions.save(db.session, current_user, source, definition)
    except InstrumentError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _page(source, form, definition, locale), 400
    db.session.commit()
    flash(_("Đã công bố %(ref)s. Phiếu mới dùng phiên bản này; phiếu cũ giữ nguyên.", ref=saved.ref),
          "notice")
    return redirect(url_for("admin.instrument_preview", instrument_id=saved.id), code=303)


@bp.get("/instruments/<int:instrument_id>.json")
@roles_required("admin")
def instrument_export(instrument_id: int) -> Response:
    instrument = db.session.get(Instrument, instrument_id) or abort(404)
    body = json.dumps(instrument.definition, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{instrument.ref}.json"'})
