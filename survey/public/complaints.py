"""Citizens' phản ánh, kiến nghị: filing one (from a survey's thanks page, or directly), and its
status page by reference code."""

from __future__ import annotations

import uuid

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from survey.casework import cases
from survey.casework.contacts import Contact, ContactError
from survey.collection import complaints as filing
from survey.collection.responses import IDEMPOTENCY_KEY
from survey.extensions import db, limiter
from survey.models import Complaint, Unit
from survey.public import bp

KIND_WORDS = {
    "phan_anh": _l("Phản ánh: báo một việc chưa đúng, chưa tốt (ví dụ: phải chờ lâu, bị đòi thêm giấy tờ)"),
    "kien_nghi": _l("Kiến nghị: đề xuất sửa một quy định, thủ tục cho hợp lý hơn"),
}


class ComplaintForm(FlaskForm):
    kind = RadioField(_l("Ông/Bà muốn gửi"), default="phan_anh",
                      choices=[SelectChoice(k, v) for k, v in KIND_WORDS.items()],
                      validators=[AnyOf(list(KIND_WORDS))])
    text = TextAreaField(_l("Nội dung"), validators=[DataRequired(), Length(max=cases.MAX_TEXT)])
    unit = SelectField(_l("Cơ quan, đơn vị Ông/Bà muốn gửi tới"), validators=[Optional()],
                       validate_choice=False)  # checked by the view: only without an offer
    name = StringField(_l("Họ tên (không bắt buộc)"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Số điện thoại (không bắt buộc)"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("Thư điện tử (không bắt buộc)"), validators=[Optional(), Length(max=200)])
    contact_consent = BooleanField(_l(
        "Tôi đồng ý để cơ quan dùng số điện thoại hoặc thư điện tử này chỉ để trả lời tôi. Thông tin này "
        "được giữ kín và sẽ bị xóa sau khi xong việc."))
    publish_consent = BooleanField(_l("Tôi đồng ý để câu trả lời được đăng công khai, không kèm họ tên, "
                                      "số điện thoại hay thư điện tử của tôi."))
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(IDEMPOTENCY_KEY.pattern)])
    offer = HiddenField()


def _units() -> list[SelectChoice]:
    rows = db.session.scalars(select(Unit).where(Unit.valid_to.is_(None), Unit.level != "city")
                              .order_by(Unit.level.desc(), Unit.name))
    return [SelectChoice("", "—")] + [SelectChoice(str(u.id), u.name) for u in rows]


def _page(form: ComplaintForm, offer: filing.Offer | None, status: int = 200) -> tuple[str, int]:
    days = max(int(d) for d in dict(current_app.config["COMPLAINT_DEADLINE_DAYS"]).values())
    return render_template("public/complaint_new.html", form=form, offer=offer, days=days), status


@bp.route("/phan-anh/moi", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["COMPLAINT_RATE_LIMIT"], methods=["POST"])
def complaint_new() -> Response | tuple[str, int]:
    form = ComplaintForm()
    offer = filing.read_offer(db.session, form.offer.data or request.args.get("from"))
    form.unit.choices = _units() if offer is None else []
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.offer.data = request.args.get("from", "")
        form.text.data = offer.comment if offer else ""
        return _page(form, offer)
    if not form.validate():
        return _page(form, offer, 400)
    complaint = _file(form, offer)
    if complaint is None:
        return _page(form, offer, 400)
    db.session.commit()
    return redirect(url_for("public.complaint_status", ref=complaint.ref, sent=1), code=303)


def _file(form: ComplaintForm, offer: filing.Offer | None) -> Complaint | None:
    """File the form's case; None (with the reason on the form) when it cannot be."""
    chosen = form.unit.data or ""
    unit_id = offer.unit_id if offer else int(chosen) if chosen.isascii() and chosen.isdigit() \
        and len(chosen) < 10 else None
    if unit_id is None or db.session.get(Unit, unit_id) is None:
        form.unit.errors = [_l("Vui lòng chọn cơ quan, đơn vị.")]
        return None
    try:
        contact = Contact.clean(name=form.name.data, phone=form.phone.data, email=form.email.data)
        complaint, _created = filing.file_complaint(
            db.session, unit_id=unit_id, channel=offer.channel if offer else "phone", text=form.text.data,
            kind=form.kind.data, contact=contact, contact_consent=form.contact_consent.data,
            publish_consent=form.publish_consent.data, idempotency_key=form.idempotency_key.data,
            service_point_id=offer.service_point_id if offer else None,
            procedure_id=offer.procedure_id if offer else None, sector_id=offer.sector_id if offer else None)
    except (ContactError, cases.CaseError) as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return None
    return complaint


@bp.get("/phan-anh/tra-cuu")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def complaint_lookup() -> Response | tuple[str, int]:
    asked = request.args.get("ma", "")
    if not asked:
        return render_template("public/complaint_lookup.html", asked=""), 200
    ref = cases.normalise_ref(asked)
    if ref and db.session.scalar(select(Complaint.id).filter_by(ref=ref)):
        return redirect(url_for("public.complaint_status", ref=ref), code=303)
    return render_template("public/complaint_lookup.html", asked=asked[:40], missing=True), 404


@bp.get("/phan-anh/<ref>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def complaint_status(ref: str) -> Response:
    complaint = db.session.scalar(select(Complaint).filter_by(ref=cases.normalise_ref(ref)))
    if complaint is None:
        abort(404)
    page = make_response(render_template("public/complaint_status.html", complaint=complaint,
                                         sent=request.args.get("sent") == "1"))
    page.headers["Cache-Control"] = "no-store"
    return page
