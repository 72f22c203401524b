"""The whole life of a phản ánh over HTTP: a citizen files it from the phone survey, the ward's
handler is told by e-mail and answers, the citizen gets the reply by e-mail (a real SMTP server,
aiosmtpd) and reads it by reference code, and the month's public page counts it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from survey.models import AuditEntry, Complaint, ServicePoint, Unit
from tests.casework import build_office, drain, smtp_settings
from tests.helpers import csrf_token
from tests.servers import Inbox, smtp_server

CITIZEN = "nguoidan@example.vn"


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


def survey_token(app, office) -> str:
    with app.app_context():
        point = db.session.get_one(ServicePoint, office.point)
        return sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                          service_point=point.code))


def value_of(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]* value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]* name="{name}"', html)
    assert match, name
    return match.group(1)


def log_in(client, user_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True


def file_from_phone(client, token: str, comment: str) -> str:
    """Answer the survey with a comment, follow the thanks page's offer, file; returns the ref."""
    page = client.get(f"/s/{token}").get_data(as_text=True)
    thanks = client.post(f"/s/{token}", data={"idempotency_key": value_of(page, "idempotency_key"),
                                              "csrf_token": value_of(page, "csrf_token"),
                                              "q_overall": "2", "comment": comment})
    assert thanks.status_code == 303
    offer_link = re.search(r'href="(/phan-anh/moi\?from=[^"]+)"',
                           client.get(thanks.headers["Location"]).get_data(as_text=True))
    assert offer_link, "the thanks page offers a complaint"
    form = client.get(offer_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert comment in form, "the comment is carried over"
    assert "Bộ phận một cửa Phường Thử Nghiệm" in form, "the place is named"
    filed = client.post("/phan-anh/moi", data={
        "csrf_token": value_of(form, "csrf_token"), "idempotency_key": value_of(form, "idempotency_key"),
        "offer": value_of(form, "offer"), "kind": "phan_anh", "text": comment, "email": CITIZEN,
        "contact_consent": "y", "publish_consent": "y"})
    assert filed.status_code == 303
    ref = re.search(r"/phan-anh/(PA-[A-Z0-9]{4}-[A-Z0-9]{4})", filed.headers["Location"])
    assert ref
    return ref.group(1)


@pytest.mark.slow
def test_a_complaint_left_on_a_phone_is_answered_on_time_by_email_and_published(app, client, office, csrf):
    comment = "Cán bộ đòi thêm bản sao giấy khai sinh không có trong niêm yết. Gọi tôi: 0912 345 678."
    with smtp_server() as (inbox, port), smtp_settings(app, port):
        ref = file_from_phone(client, survey_token(app, office), comment)
        status = client.get(f"/phan-anh/{ref}").get_data(as_text=True)
        assert "Đã tiếp nhận" in status
        assert ref in status
        assert drain(app).sent >= 1
        [told] = inbox.to(office.handler_email)
        assert ref in told["Subject"]
        assert "hạn trả lời" in told["Subject"]
        assert CITIZEN not in Inbox.body(told), "the handler's e-mail never carries the contact"

        log_in(client, office.handler)
        with app.app_context():
            case = db.session.scalar(select(Complaint).filter_by(ref=ref))
            assert case is not None
            assert case.unit_id == office.ward
            case_id, due_on = case.id, case.due_on
        listing = client.get("/unit/complaints").get_data(as_text=True)
        assert ref in listing
        page = client.get(f"/unit/complaints/{case_id}").get_data(as_text=True)
        assert CITIZEN in page, "the case's handler sees the contact"
        token = csrf_token(client, f"/unit/complaints/{case_id}")
        assert client.post(f"/unit/complaints/{case_id}/start", data={"csrf_token": token}).status_code == 303
        reply = "Đơn vị đã kiểm tra: giấy tờ này không cần nộp. Đã nhắc nhở cán bộ và xin lỗi Ông/Bà."
        assert client.post(f"/unit/complaints/{case_id}/reply",
                           data={"csrf_token": token, "text": reply}).status_code == 303

        assert drain(app).sent >= 1
        [answer] = inbox.to(CITIZEN)
        assert ref in answer["Subject"]
        assert reply in Inbox.body(answer)
        assert f"http://hailong.test/phan-anh/{ref}" in Inbox.body(answer)

    client.get("/?lang=vi")
    status = client.get(f"/phan-anh/{ref}").get_data(as_text=True)
    assert "Đã trả lời" in status
    assert reply in status

    page = client.get(f"/unit/complaints/{case_id}").get_data(as_text=True)
    assert "[đã ẩn]" in page, "the phone number is taken out of the text to publish"
    assert client.post(f"/unit/complaints/{case_id}/publish", data={
        "csrf_token": token, "public_text": "Cán bộ đòi thêm bản sao giấy khai sinh. Gọi tôi: 0912 345 678.",
        "public_reply": reply, "published": "y"}).status_code == 303
    with app.app_context():
        unit = db.session.get_one(Unit, office.ward)
        month = date.today().strftime("%Y-%m")
        actions = list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "complaint", AuditEntry.object_id == str(case_id))
            .order_by(AuditEntry.id)))
    assert actions == ["complaint.receive", "complaint.start", "complaint.reply", "complaint.publish"]
    public = client.get(f"/cong-khai/phan-anh/{unit.code}?thang={month}").get_data(as_text=True)
    totals = re.search(r'<tr class="total"><th scope="row">[^<]+</th>((?:<td class="num">\d+</td>)+)', public)
    assert totals
    assert re.findall(r">(\d+)<", totals.group(1)) == ["1", "1", "0", "0", "0"]  # received, on time …
    assert reply in public
    assert "0912" not in public
    assert CITIZEN not in public
    assert due_on >= date.today()
    notice = client.get(f"/cong-khai/phan-anh/{unit.code}/ban-in?thang={month}").get_data(as_text=True)
    assert "Thông báo kết quả tiếp nhận, xử lý phản ánh, kiến nghị" in notice


def test_the_same_form_sent_twice_files_one_case(app, client, office):
    token = survey_token(app, office)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    client.post(f"/s/{token}", data={"idempotency_key": value_of(page, "idempotency_key"), "q_overall": "3"})
    form = client.get("/phan-anh/moi").get_data(as_text=True)
    data = {"idempotency_key": value_of(form, "idempotency_key"), "kind": "kien_nghi",
            "text": "Đề nghị mở cửa sáng thứ Bảy.", "unit": str(office.ward)}
    first, second = client.post("/phan-anh/moi", data=data), client.post("/phan-anh/moi", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.query(Complaint).count() == 1


def test_a_contact_without_consent_is_refused_and_nothing_is_stored(app, client, office):
    form = client.get("/phan-anh/moi").get_data(as_text=True)
    page = client.post("/phan-anh/moi", data={
        "idempotency_key": value_of(form, "idempotency_key"), "kind": "phan_anh", "text": "Chờ lâu.",
        "unit": str(office.ward), "phone": "0912345678"})
    assert page.status_code == 400
    assert "Vui lòng đánh dấu ô đồng ý" in page.get_data(as_text=True)
    bad_phone = client.post("/phan-anh/moi", data={
        "idempotency_key": value_of(form, "idempotency_key"), "kind": "phan_anh", "text": "Chờ lâu.",
        "unit": str(office.ward), "phone": "12", "contact_consent": "y"})
    assert bad_phone.status_code == 400
    assert "Số điện thoại chưa đúng" in bad_phone.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Complaint).count() == 0


@pytest.mark.parametrize("offer", ["", "not-a-token", "gAAAAABforged" + "A" * 80])
def test_a_missing_or_forged_offer_asks_which_unit(client, office, offer):
    page = client.get(f"/phan-anh/moi?from={offer}")
    assert page.status_code == 200
    assert 'name="unit"' in page.get_data(as_text=True)


def test_status_lookup_accepts_a_code_typed_loosely_and_names_an_unknown_one(app, client, office):
    from tests.casework import file_case

    with app.app_context():
        ref = file_case(db.session, office.ward).ref
        db.session.commit()
    loose = ref.lower().replace("-", " ")
    found = client.get(f"/phan-anh/tra-cuu?ma={loose}")
    assert found.status_code == 303
    assert found.headers["Location"].endswith(f"/phan-anh/{ref}")
    missing = client.get("/phan-anh/tra-cuu?ma=PA-2222-2222")
    assert missing.status_code == 404
    assert "Không tìm thấy mã" in missing.get_data(as_text=True)
    assert client.get("/phan-anh/PA-2222-2222").status_code == 404
    assert client.get(f"/phan-anh/{ref}").headers["Cache-Control"] == "no-store"


def test_a_reply_goes_by_sms_through_the_configured_provider(app, office):
    from survey.casework import cases
    from survey.casework.contacts import Contact
    from survey.models import User
    from tests.casework import configured, file_case
    from tests.servers import RecordingSms

    with app.app_context():
        case = file_case(db.session, office.ward, contact=Contact(phone="0912345678"))
        cases.reply(db.session, db.session.get_one(User, office.handler), case, "Đã xong.")
        db.session.commit()
        ref = case.ref
    RecordingSms.sent.clear()
    with configured(app, SMS_PROVIDER="tests.servers:RecordingSms"):
        drain(app)
    [(phone, text)] = RecordingSms.sent
    assert phone == "0912345678"
    assert ref in text
    assert f"http://hailong.test/phan-anh/{ref}" in text


def test_a_kiosk_step_files_through_the_service_with_the_kiosks_context(app, office):
    from survey.collection import instruments
    from survey.collection.complaints import file_from_survey
    from survey.collection.responses import Context
    from survey.models import ServicePoint

    with app.app_context():
        point = db.session.get_one(ServicePoint, office.point)
        context = Context.of(instruments.current(db.session, "sipas-short"), point.unit, "kiosk",
                             service_point=point)
        case, created = file_from_survey(db.session, context, text="Quầy đóng sớm.", phone="0912 345 678",
                                         contact_consent=True, idempotency_key="kiosk-complaint-0001")
        again, created_again = file_from_survey(db.session, context, text="Quầy đóng sớm.",
                                                idempotency_key="kiosk-complaint-0001")
        assert created
        assert not created_again
        assert again.id == case.id
        assert case.channel == "kiosk"
        assert case.service_point_id == point.id
        assert case.contact is not None
        assert case.contact.has_phone
