"""The forms of the staff case pages."""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.casework import cases
from survey.casework.contacts import Contact
from survey.collection.responses import IDEMPOTENCY_KEY
from survey.periods import LOCAL, today


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Nội dung trả lời"), validators=[DataRequired(), Length(max=cases.MAX_TEXT)])


class TransferForm(FlaskForm):
    note = TextAreaField(_l("Lý do, và đơn vị nên nhận"), validators=[DataRequired(), Length(max=1000)])


class RouteForm(FlaskForm):
    unit = SelectField(_l("Chuyển tới đơn vị"), validators=[DataRequired()])


class PublishForm(FlaskForm):
    public_text = TextAreaField(_l("Nội dung sẽ công khai"),
                                validators=[Optional(), Length(max=cases.MAX_TEXT)])
    public_reply = TextAreaField(_l("Câu trả lời sẽ công khai"),
                                 validators=[Optional(), Length(max=cases.MAX_TEXT)])
    published = BooleanField(_l("Đăng công khai"))


class EntryForm(FlaskForm):
    unit = SelectField(_l("Đơn vị giải quyết"), validators=[DataRequired()])
    kind = SelectField(_l("Loại"), choices=[SelectChoice("phan_anh", _l("Phản ánh")),
                                                 SelectChoice("kien_nghi", _l("Kiến nghị"))])
    channel = SelectField(_l("Nhận qua"), choices=[SelectChoice("desk", _l("Tại bộ phận một cửa")),
                                                   SelectChoice("letter", _l("Thư, văn bản")),
                                                   SelectChoice("hotline", _l("Đường dây 1022"))])
    received_on = DateField(_l("Ngày nhận"), validators=[DataRequired()])
    text = TextAreaField(_l("Nội dung"), validators=[DataRequired(), Length(max=cases.MAX_TEXT)])
    name = StringField(_l("Họ tên người gửi"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=200)])
    publish_consent = BooleanField(_l("Người gửi đồng ý công khai câu trả lời (không kèm thông tin cá nhân)"))
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(IDEMPOTENCY_KEY.pattern)])

    def intake(self) -> cases.Intake:
        """The case as entered; the contact checked (ContactError names what is wrong)."""
        day = self.received_on.data
        received = datetime.now(LOCAL) if day == today() else datetime.combine(day, time(), LOCAL)
        return cases.Intake(
            unit_id=int(self.unit.data), kind=self.kind.data, channel=self.channel.data, text=self.text.data,
            contact=Contact.clean(name=self.name.data, phone=self.phone.data, email=self.email.data),
            publish_consent=self.publish_consent.data, received_at=received,
            idempotency_key=self.idempotency_key.data)
