"""Kiosks: create one for a desk, show its one-time enrolment code once, see its last contact and
waiting answers, discard answers refused for good, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey.admin import bp
from survey.admin.common import (
    MANAGERS,
    STAFF,
    choices,
    managed_points,
    no_store,
    options,
    posted,
    scoped,
    visible_ids,
)
from survey.auth import roles_required
from survey.collection import desks, instruments, kiosk_outbox, kiosks
from survey.extensions import db
from survey.models import Kiosk, ServicePoint


class KioskForm(FlaskForm):
    service_point = SelectField(_l("Điểm phục vụ"), validators=[DataRequired()])
    label = StringField(
        _l("Tên máy"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Ví dụ: Quầy 1, bàn tiếp nhận hồ sơ đất đai"),
    )
    instrument = SelectField(_l("Bộ câu hỏi"), choices=options([(k, k) for k in instruments.KIOSK]))


def _form() -> KioskForm:
    form = KioskForm()
    form.service_point.choices = choices(managed_points())
    return form


def _kiosks() -> list[Kiosk]:
    query = select(Kiosk).join(ServicePoint).order_by(ServicePoint.code, Kiosk.id)
    ids = visible_ids()
    if ids is not None:
        query = query.where(ServicePoint.unit_id.in_(ids))
    return list(db.session.scalars(query))


def _show_code(kiosk: Kiosk, code: str) -> Response:
    """The code page: shown once, never stored in clear nor put in a flash message or a URL we log."""
    url = url_for("public.kiosk_enrol", code=code, _external=True)
    return no_store(render_template("admin/kiosk_code.html", kiosk=kiosk, code=code, url=url))


@bp.get("/kiosks")
@roles_required(*STAFF)
def kiosks_list() -> str:
    listed = _kiosks()
    rates = None  # the service step's answer rate: administrators only (SPEC §6, small cells)
    if current_user.role == "admin":
        rates = desks.service_step_rates(db.session, [k.id for k in listed])
    return render_template("admin/kiosks.html", kiosks=listed, form=_form(), rates=rates)


@bp.post("/kiosks")
@roles_required(*MANAGERS)
def kiosk_create() -> Response | tuple[str, int]:
    point = posted(ServicePoint, "service_point")
    form = _form()
    if point is None or not form.validate_on_submit():
        return render_template("admin/kiosks.html", kiosks=_kiosks(), form=form), 400
    kiosk, code = kiosks.create_kiosk(
        db.session, current_user, point, label=form.label.data.strip(), instrument_key=form.instrument.data
    )
    db.session.commit()
    return _show_code(kiosk, code)


@bp.post("/kiosks/<int:kiosk_id>/code")
@roles_required(*MANAGERS)
def kiosk_code(kiosk_id: int) -> Response:
    """A new one-time code (e.g. for a replaced tablet); the old tablet keeps working until it is used."""
    kiosk = scoped(Kiosk, kiosk_id, manage=True)
    code = kiosks.issue_enrolment_code(db.session, current_user, kiosk)
    db.session.commit()
    return _show_code(kiosk, code)


@bp.post("/kiosks/<int:kiosk_id>/revoke")
@roles_required(*MANAGERS)
def kiosk_revoke(kiosk_id: int) -> Response:
    kiosk = scoped(Kiosk, kiosk_id, manage=True)
    kiosks.revoke_kiosk(db.session, current_user, kiosk)
    db.session.commit()
    flash(_("Đã thu hồi máy %(label)s. Máy sẽ hiện màn hình “chưa kích hoạt”.", label=kiosk.label), "notice")
    return redirect(url_for("admin.kiosks_list"), code=303)


@bp.post("/kiosks/<int:kiosk_id>/discard")
@roles_required(*MANAGERS)
def kiosk_discard(kiosk_id: int) -> Response:
    """The tablet drops, at its next contact, the answers the server refused for good."""
    kiosk = scoped(Kiosk, kiosk_id, manage=True)
    kiosk_outbox.discard_refused(db.session, current_user, kiosk)
    db.session.commit()
    flash(_("Máy %(label)s sẽ bỏ các câu trả lời không hợp lệ ở lần liên lạc tới.", label=kiosk.label),
          "notice")
    return redirect(url_for("admin.kiosks_list"), code=303)
