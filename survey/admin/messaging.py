"""Sở Nội vụ: 1022 tickets imported from a CSV file, webhook endpoints with their delivery log,
and the outbox (what waits to be sent, what failed)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, StringField, URLField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from survey import labels
from survey.admin import bp
from survey.admin.common import ImportForm, no_store, refuse, run_import
from survey.auth import EmptyForm, roles_required
from survey.casework import intake
from survey.extensions import db
from survey.messaging import outbox, webhooks
from survey.messaging.events import EVENTS
from survey.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint

ATTEMPTS_SHOWN = 200


class EndpointForm(FlaskForm):
    label = StringField(_l("Tên hệ thống nhận"), validators=[DataRequired(), Length(max=120)])
    url = URLField(_l("Địa chỉ nhận (https://…)"), validators=[DataRequired(), Length(max=500)])
    events = SelectMultipleField(_l("Sự kiện"),
                                 choices=[SelectChoice(e, labels.label(e, "event")) for e in EVENTS],
                                 option_widget=widgets.CheckboxInput(),
                                 widget=widgets.ListWidget(prefix_label=False))


@bp.route("/complaints/import", methods=["GET", "POST"])
@roles_required("admin")
def complaints_import() -> Response | str:
    form = ImportForm()
    if form.validate_on_submit():
        back = url_for("admin.complaints_import")
        report = run_import(form, back, lambda f: intake.import_tickets(db.session, current_user, f))
        db.session.commit()
        flash(_("Đã nhập %(stored)s phiếu mới; %(already)s phiếu đã có từ trước.", stored=report.stored,
                already=report.already), "notice")
        return redirect(url_for("unit.complaints"), code=303)
    return render_template("admin/complaints_import.html", form=form, columns=intake.COLUMNS)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _webhooks_page(form: EndpointForm, secret: str | None = None) -> str:
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    return render_template("admin/webhooks.html", endpoints=list(endpoints), form=form, secret=secret,
                           counts=outbox.counts(db.session))


@bp.get("/webhooks")
@roles_required("admin")
def webhooks_list() -> str:
    return _webhooks_page(EndpointForm())


@bp.post("/webhooks")
@roles_required("admin")
def webhook_create() -> Response | tuple[str, int]:
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            _endpoint, secret = webhooks.create_endpoint(db.session, current_user, label=form.label.data,
                                                         url=form.url.data, events=form.events.data)
        except webhooks.WebhookError as error:
            refuse(error)
        else:
            db.session.commit()
            return no_store(_webhooks_page(EndpointForm(), secret=secret))
    return _webhooks_page(form), 400


@bp.get("/webhooks/<int:endpoint_id>")
@roles_required("admin")
def webhook_log(endpoint_id: int) -> str:
    endpoint = _endpoint(endpoint_id)
    attempts = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.endpoint_id == endpoint.id)
                                  .order_by(DeliveryAttempt.id.desc()).limit(ATTEMPTS_SHOWN))
    waiting = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.endpoint_id == endpoint.id, OutboxMessage.status.in_(("pending", "failed")))
        .order_by(OutboxMessage.id))
    return render_template("admin/webhook_log.html", endpoint=endpoint, attempts=list(attempts),
                           waiting=list(waiting))


@bp.post("/webhooks/<int:endpoint_id>/<any(enable, disable, retry):act>")
@roles_required("admin")
def webhook_act(endpoint_id: int, act: str) -> Response:
    endpoint = _endpoint(endpoint_id)
    if EmptyForm().validate_on_submit():
        if act == "retry":
            count = outbox.retry_failed(db.session, endpoint_id=endpoint.id)
            flash(_("Đã đưa %(n)s lần gửi lỗi vào hàng đợi lại.", n=count), "notice")
        else:
            webhooks.set_active(db.session, current_user, endpoint, act == "enable")
        db.session.commit()
    return redirect(url_for("admin.webhook_log", endpoint_id=endpoint.id), code=303)


@bp.post("/outbox/retry")
@roles_required("admin")
def outbox_retry() -> Response:
    if EmptyForm().validate_on_submit():
        count = outbox.retry_failed(db.session)
        db.session.commit()
        flash(_("Đã đưa %(n)s lần gửi lỗi vào hàng đợi lại.", n=count), "notice")
    return redirect(url_for("admin.webhooks_list"), code=303)
