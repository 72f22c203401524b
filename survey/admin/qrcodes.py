"""QR codes and their printable posters (A4, A5, a bulk sheet of every desk of a unit); revocation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.validators import DataRequired

from survey.admin import bp
from survey.admin.common import (
    MANAGERS,
    STAFF,
    choices,
    managed_points,
    managed_units,
    options,
    posted,
    refuse,
    scoped,
    visible_ids,
    visible_units,
)
from survey.auth import roles_required
from survey.collection import instruments
from survey.collection import qrcodes as posters
from survey.extensions import db
from survey.models import Procedure, QrCode, ServicePoint, Unit


class QrForm(FlaskForm):
    unit = SelectField(_l("Đơn vị"), validators=[DataRequired()])
    service_point = SelectField(_l("Điểm phục vụ (không bắt buộc)"))
    procedure = SelectField(_l("Thủ tục (không bắt buộc, cần chọn điểm phục vụ)"))
    instrument = SelectField(_l("Bộ câu hỏi"), choices=options([(k, k) for k in instruments.BUILT_IN]),
                             default="sipas-full")


def _form() -> QrForm:
    form = QrForm()
    form.unit.choices = choices(managed_units())
    form.service_point.choices = choices(
        managed_points(), blank=_("— cả đơn vị —")
    )
    procedures = db.session.scalars(select(Procedure).order_by(Procedure.code).limit(2000))
    form.procedure.choices = choices(list(procedures), blank=_("— mọi thủ tục —"))
    return form


def _codes() -> list[QrCode]:
    query = select(QrCode).order_by(QrCode.revoked_at.is_not(None), QrCode.id.desc())
    ids = visible_ids()
    if ids is not None:
        query = query.where(QrCode.unit_id.in_(ids))
    return list(db.session.scalars(query))


def _page(form: QrForm) -> str:
    sheet_units = [u for u in visible_units(open_only=True) if u.service_points]
    return render_template("admin/qrcodes.html", codes=_codes(), form=form, sheet_units=sheet_units)


@bp.get("/qr")
@roles_required(*STAFF)
def qrcodes() -> str:
    return _page(_form())


@bp.post("/qr")
@roles_required(*MANAGERS)
def qr_create() -> Response | tuple[str, int]:
    unit, point = posted(Unit, "unit"), posted(ServicePoint, "service_point")
    procedure_id = request.form.get("procedure", "")
    procedure = db.session.get(Procedure, int(procedure_id)) if procedure_id.isdigit() else None
    form = _form()
    if unit is None or not form.validate_on_submit() or (procedure_id and procedure is None):
        return _page(form), 400
    try:
        qr = posters.issue_qr_code(
            db.session,
            current_user,
            unit=unit,
            service_point=point,
            procedure=procedure,
            instrument_key=form.instrument.data,
        )
    except posters.QrError as error:
        refuse(error)
        return _page(form), 400
    db.session.commit()
    flash(_("Đã tạo mã QR. Bấm “Áp phích” để in."), "notice")
    return redirect(url_for("admin.qr_poster", qr_id=qr.id), code=303)


@bp.get("/qr/<int:qr_id>/poster")
@roles_required(*STAFF)
def qr_poster(qr_id: int) -> str:
    qr = scoped(QrCode, qr_id)
    if qr.revoked_at is not None:
        abort(410)
    size = "a5" if request.args.get("size") == "a5" else "a4"
    return render_template("admin/poster.html", posters=[_poster(qr)], size=size, qr=qr)


@bp.post("/qr/<int:qr_id>/revoke")
@roles_required(*MANAGERS)
def qr_revoke(qr_id: int) -> Response:
    qr = scoped(QrCode, qr_id, manage=True)
    posters.revoke_qr_code(db.session, current_user, qr)
    db.session.commit()
    flash(_("Đã thu hồi mã QR số %(id)s: các bản đã in không còn dùng được.", id=qr.id), "notice")
    return redirect(url_for("admin.qrcodes"), code=303)


@bp.get("/units/<int:unit_id>/posters")
@roles_required(*STAFF)
def qr_sheet(unit_id: int) -> str:
    """One A5 poster per desk of the unit (its own desks' active desk-level codes)."""
    unit = scoped(Unit, unit_id)
    codes = list(
        db.session.scalars(
            select(QrCode)
            .join(ServicePoint, QrCode.service_point_id == ServicePoint.id)
            .where(
                ServicePoint.unit_id == unit.id, QrCode.revoked_at.is_(None), QrCode.procedure_id.is_(None)
            )
            .order_by(ServicePoint.code, QrCode.id)
        )
    )
    covered = {qr.service_point_id for qr in codes}
    missing = [p for p in unit.service_points if p.valid_to is None and p.id not in covered]
    items = [_poster(qr) for qr in codes]
    return render_template("admin/poster.html", posters=items, size="a5", unit=unit, missing=missing)


@bp.post("/units/<int:unit_id>/posters")
@roles_required(*MANAGERS)
def qr_sheet_issue(unit_id: int) -> Response:
    """Issue a desk-level code for every open desk of the unit that has none."""
    unit = scoped(Unit, unit_id, manage=True)
    have = set(
        db.session.scalars(
            select(QrCode.service_point_id).where(
                QrCode.unit_id == unit.id, QrCode.revoked_at.is_(None), QrCode.procedure_id.is_(None)
            )
        )
    )
    for point in unit.service_points:
        if point.valid_to is None and point.id not in have:
            posters.issue_qr_code(db.session, current_user, unit=unit, service_point=point)
    db.session.commit()
    return redirect(url_for("admin.qr_sheet", unit_id=unit.id), code=303)


def _poster(qr: QrCode) -> dict[str, object]:
    url = posters.survey_url(posters.payload_for(qr))
    place = qr.service_point.name if qr.service_point else qr.unit.name
    short = posters.short_url(qr)
    return {
        "qr": qr,
        "url": url,
        "short": short.split("://", 1)[-1],  # as typed: the browser adds https:// (nginx redirects)
        "place": place,
        "svg": posters.qr_svg(url, title=_("Mã QR khảo sát: %(place)s", place=place)),
    }
