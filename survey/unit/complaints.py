"""Handling phản ánh, kiến nghị: the case list, the case page and its actions, and cases entered
by staff. Who may do what is :mod:`survey.administration.access` (handlers of the case's unit
reply and see the contact; Sở Nội vụ routes)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from survey.administration import access
from survey.auth import roles_required
from survey.casework import cases, contacts
from survey.casework.deadlines import Calendar
from survey.extensions import db
from survey.models import AuditEntry, Complaint, Unit
from survey.models.casework import OPEN_STATUSES
from survey.periods import today
from survey.unit import bp
from survey.unit.complaint_forms import EntryForm, PublishForm, ReplyForm, RouteForm, TransferForm

STAFF = ("admin", "unit_manager", "unit_viewer")
LIST_LIMIT = 300


def _listed() -> frozenset[int] | None:
    ids = access.complaint_unit_ids(db.session, current_user)
    if ids is not None and not ids:
        abort(403)
    return ids


def _case(complaint_id: int) -> Complaint:
    _listed()  # 403 for staff who handle no cases; 404 below for a case out of their reach
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not access.may_view_complaint(db.session, current_user, complaint):
        abort(404)
    return complaint


@bp.get("/complaints")
@roles_required(*STAFF)
def complaints() -> str:
    ids, shown = _listed(), request.args.get("show", "open")
    query = select(Complaint).order_by(Complaint.due_on, Complaint.id).limit(LIST_LIMIT)
    if ids is not None:
        query = query.where(Complaint.unit_id.in_(ids))
    if shown in ("open", "overdue"):
        query = query.where(Complaint.status.in_(OPEN_STATUSES))
    if shown == "overdue":
        query = query.where(Complaint.due_on < today())
    if shown == "transferred":
        query = query.where(Complaint.status == "transferred")
    return render_template("unit/complaints.html", rows=list(db.session.scalars(query)), shown=shown,
                           today=today())


@bp.get("/complaints/<int:complaint_id>")
@roles_required(*STAFF)
def complaint(complaint_id: int) -> str:
    case = _case(complaint_id)
    handler = access.handles_complaint(current_user, case)
    history = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "complaint", AuditEntry.object_id == str(case.id)).order_by(AuditEntry.id))
    units = db.session.scalars(select(Unit).where(Unit.valid_to.is_(None)).order_by(Unit.name))
    route = RouteForm()
    route.unit.choices = [SelectChoice(str(u.id), u.name) for u in units]
    return render_template(
        "unit/complaint.html", case=case, handler=handler, history=list(history),
        contact=contacts.open_contact(case) if handler else None,
        router=access.may_route_complaints(current_user), reply_form=ReplyForm(),
        transfer_form=TransferForm(), route_form=route, publish_form=PublishForm(obj=case),
        days_left=Calendar.from_config(current_app.config).working_days_between(today(), case.due_on),
        today=today())


def _act(complaint_id: int, act: str) -> Response:
    case = _case(complaint_id)
    forms = {"reply": ReplyForm, "transfer": TransferForm, "publish": PublishForm, "route": RouteForm}
    form: Any = forms[act]() if act in forms else None
    if form is not None and isinstance(form, RouteForm):
        form.unit.choices = [SelectChoice(str(u.id), u.name) for u in db.session.scalars(select(Unit))]
    if form is not None and not form.validate_on_submit():
        flash(_("Vui lòng điền đủ nội dung."), "error")
        return redirect(url_for("unit.complaint", complaint_id=case.id), code=303)
    try:
        _apply(case, act, form)
    except cases.CaseError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Đã lưu."), "notice")
    return redirect(url_for("unit.complaint", complaint_id=case.id), code=303)


def _apply(case: Complaint, act: str, form: object) -> None:
    if act == "start":
        cases.start(db.session, current_user, case)
    elif act == "close":
        cases.close(db.session, current_user, case)
    elif isinstance(form, ReplyForm):
        cases.reply(db.session, current_user, case, form.text.data)
    elif isinstance(form, TransferForm):
        cases.transfer(db.session, current_user, case, form.note.data)
    elif isinstance(form, RouteForm):
        unit = db.session.get(Unit, int(form.unit.data))
        if unit is None:
            abort(404)
        cases.route(db.session, current_user, case, unit)
    elif isinstance(form, PublishForm):
        cases.publish(db.session, current_user, case, public_text=form.public_text.data or "",
                      public_reply=form.public_reply.data or "", published=form.published.data)


@bp.post("/complaints/<int:complaint_id>/<any(start, reply, transfer, close, route, publish):act>")
@roles_required(*STAFF)
def complaint_act(complaint_id: int, act: str) -> Response:
    return _act(complaint_id, act)


def _entry_form() -> EntryForm:
    form = EntryForm()
    if current_user.role == "admin":
        units = db.session.scalars(select(Unit).where(Unit.valid_to.is_(None)).order_by(Unit.name))
        form.unit.choices = [SelectChoice(str(u.id), u.name) for u in units]
    else:
        form.unit.choices = [SelectChoice(str(current_user.unit_id), current_user.unit.name)]
    return form


@bp.route("/complaints/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def complaint_entry() -> Response | str | tuple[str, int]:
    if current_user.role != "admin" and not current_user.handles_complaints:
        abort(403)
    form = _entry_form()
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.received_on.data = today()
        return render_template("unit/complaint_entry.html", form=form)
    if form.validate_on_submit():
        try:
            case, _created = cases.receive(db.session, current_user, form.intake())
        except (cases.CaseError, contacts.ContactError) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Đã tiếp nhận hồ sơ %(ref)s.", ref=case.ref), "notice")
            target = "unit.complaint" if access.may_view_complaint(db.session, current_user, case) \
                else "unit.complaints"
            return redirect(url_for(target, complaint_id=case.id), code=303)
    return render_template("unit/complaint_entry.html", form=form), 400
