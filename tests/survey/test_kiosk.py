"""The desk kiosk over HTTP: enrolment, submission, idempotency, CSRF expiry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.collection import kiosks
from survey.extensions import db
from survey.models import Answer, Kiosk, Response
from survey.security import CAMERA_ALLOWED, HEADERS
from tests.factories import make_service_point
from tests.helpers import csrf_token, kiosk_form


@pytest.fixture
def enrolled(app, client):
    """A client that holds the device secret of a freshly enrolled kiosk."""
    with app.app_context():
        kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Quầy 1")
        db.session.commit()
        kiosk_id = kiosk.id
    data = {"code": code}
    if app.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token(client, "/kiosk/enrol")
    response = client.post("/kiosk/enrol", data=data)
    assert response.status_code == 302
    return kiosk_id


def count_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_unenrolled_tablet_sees_the_unenrolled_screen(client):
    page = client.get("/kiosk")
    assert page.status_code == 200
    assert "chưa được kích hoạt" in page.get_data(as_text=True)


def test_enrolment_code_works_once(app, client):
    with app.app_context():
        _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Q")
        db.session.commit()
    assert client.post("/kiosk/enrol", data={"code": code.lower()}).status_code == 302
    other = app.test_client()
    again = other.post("/kiosk/enrol", data={"code": code})
    assert again.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in again.get_data(as_text=True)
    assert "chưa được kích hoạt" in other.get("/kiosk").get_data(as_text=True)


def test_submission_stores_one_response_with_its_context(app, client, enrolled):
    data = kiosk_form(client) | {"q_overall": "5", "q_staff__courteous": "2",
                                  "problems": ["wait_long", "rude_staff"],
                                  "respondent_type": "organisation", "comment": " Tốt "}
    page = client.post("/kiosk", data=data)
    assert page.status_code == 303
    assert page.headers["Location"].endswith("/kiosk/thanks")
    with app.app_context():
        kiosk = db.session.get(Kiosk, enrolled)
        stored = db.session.scalars(select(Response)).one()
        assert stored.channel == "kiosk"
        assert stored.kiosk_id == kiosk.id
        assert stored.service_point_id == kiosk.service_point_id
        assert stored.unit_id == kiosk.service_point.unit_id
        assert stored.instrument.ref == "sipas-short@2"
        assert stored.overall == 5
        assert stored.respondent_type == "organisation"
        assert stored.comment == "Tốt"
        assert {(a.item_key, a.value) for a in stored.answers} == {
            ("overall", 5), ("staff.courteous", 2)}
        assert {p.code for p in stored.problems} == {"wait_long", "rude_staff"}


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


@pytest.mark.parametrize(("told", "kept"), [
    (timedelta(hours=-3), True),  # answered offline three hours ago: keeps its time
    (timedelta(days=-6, hours=-23), True),
    (timedelta(days=-7, hours=-1), False),  # too late to believe: dated on arrival
    (timedelta(minutes=3), False),  # a clock a little ahead: dated now
    (timedelta(hours=1), False),  # a clock far ahead: dated on arrival
])
def test_an_answer_from_the_outbox_is_dated_by_the_tablet_within_a_week(app, client, enrolled,
                                                                       told, kept):
    now = datetime.now(UTC)
    data = kiosk_form(client) | {"q_overall": "4", "answered_at": _ms(now + told)}
    assert client.post("/kiosk", data=data).status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(Response)).one().submitted_at
    expected = now + told if kept else now
    assert abs(stored - expected) < timedelta(seconds=5), (stored, expected)


@pytest.mark.parametrize("value", ["abc", "-5", "1.5e12"])
def test_a_malformed_answer_time_is_refused(app, client, enrolled, value):
    data = kiosk_form(client) | {"q_overall": "4", "answered_at": value}
    assert client.post("/kiosk", data=data).status_code == 400
    with app.app_context():
        assert count_responses() == 0


def test_an_absurd_tablet_clock_dates_the_answer_on_arrival():
    now = datetime(2026, 3, 31, 16, 59, tzinfo=UTC)
    week = timedelta(days=7)
    assert kiosks.answered_at(None, now, week) == now
    assert kiosks.answered_at(10**20, now, week) == now  # beyond any calendar
    assert kiosks.answered_at(0, now, week) == now  # 1970
    assert kiosks.answered_at(int((now - week).timestamp() * 1000), now, week) == now - week


def test_resend_with_same_idempotency_key_stores_nothing_new(app, client, enrolled):
    data = kiosk_form(client) | {"q_overall": "4"}
    assert client.post("/kiosk", data=data).status_code == 303
    again = client.post("/kiosk", data=data, headers={"Accept": "application/json"})
    assert again.json == {"status": "duplicate"}
    with app.app_context():
        assert count_responses() == 1


@pytest.mark.parametrize("value", ["6", "0", "abc", "4.5", "-1", " 4", "+4", "٣", "４", ""])
def test_bad_rating_gets_400_and_stores_nothing(app, client, enrolled, value):
    data = kiosk_form(client) | {"q_overall": "4", "q_access__place": value}
    if value == "":
        data["q_result__as_promised"] = "9"
    assert client.post("/kiosk", data=data).status_code == 400
    with app.app_context():
        assert count_responses() == 0
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_skipped_questions_are_stored_as_no_answer(app, client, enrolled):
    data = kiosk_form(client) | {"q_overall": "2", "q_access__place": "", "q_staff__courteous": "5"}
    assert client.post("/kiosk", data=data).status_code == 303
    with app.app_context():
        stored = db.session.execute(select(Answer.item_key, Answer.value)).all()
    assert sorted(stored) == [("overall", 2), ("staff.courteous", 5)]


def test_unknown_problem_code_is_rejected(app, client, enrolled):
    data = kiosk_form(client) | {"q_overall": "1", "problems": "not-a-problem"}
    assert client.post("/kiosk", data=data).status_code == 400


def test_submission_from_unenrolled_device_is_forbidden(client):
    page = client.post("/kiosk", data={"q_overall": "5", "idempotency_key": "a" * 32})
    assert page.status_code == 403


def test_revoked_kiosk_returns_to_unenrolled_screen(app, client, enrolled):
    with app.app_context():
        kiosks.revoke_kiosk(db.session, None, db.session.get(Kiosk, enrolled))
        db.session.commit()
    assert "chưa được kích hoạt" in client.get("/kiosk").get_data(as_text=True)


def test_kiosk_pages_are_never_cached(client, enrolled):
    assert client.get("/kiosk").headers["Cache-Control"] == "no-store"
    assert client.get("/kiosk/thanks").headers["Cache-Control"] == "no-store"


def test_the_kiosk_page_alone_may_use_the_camera(client, enrolled):
    # The view's own header is kept, once, beside the ones every response gets.
    page = client.get("/kiosk")
    assert page.headers.getlist("Permissions-Policy") == [CAMERA_ALLOWED]
    assert page.headers.getlist("X-Frame-Options") == ["DENY"]
    thanks = client.get("/kiosk/thanks")
    assert thanks.headers.getlist("Permissions-Policy") == [HEADERS["Permissions-Policy"]]


def test_thanks_returns_to_attract_screen_within_ten_seconds(app, client):
    html = client.get("/kiosk/thanks").get_data(as_text=True)
    seconds = int(re.search(r'http-equiv="refresh" content="(\d+);url=/kiosk', html).group(1))
    assert seconds <= 10


@pytest.mark.usefixtures("csrf")
def test_expired_csrf_token_sends_kiosk_back_to_start_kindly(app, client, enrolled):
    data = kiosk_form(client) | {"q_overall": "5", "csrf_token": "expired-or-forged"}
    page = client.post("/kiosk", data=data)
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/kiosk?expired=1")
    assert "bắt đầu lại" in client.get("/kiosk?expired=1").get_data(as_text=True)
    with app.app_context():
        assert count_responses() == 0


@pytest.mark.usefixtures("csrf")
def test_submission_with_valid_csrf_token_is_recorded(app, client, enrolled):
    token = csrf_token(client, "/kiosk")
    data = kiosk_form(client) | {"q_overall": "5", "csrf_token": token}
    assert client.post("/kiosk", data=data).status_code == 303
    with app.app_context():
        assert count_responses() == 1


@pytest.mark.usefixtures("csrf")
def test_fresh_token_endpoint_lets_an_old_page_submit(app, client, enrolled):
    token = client.get("/kiosk/token").json["csrf_token"]
    data = kiosk_form(client) | {"q_overall": "3", "csrf_token": token}
    assert client.post("/kiosk", data=data).status_code == 303


def test_kiosk_records_last_contact(app, client, enrolled):
    with app.app_context():
        assert db.session.get(Kiosk, enrolled).last_seen_at is not None


def test_a_tablet_revoked_after_answering_is_refused_its_next_answer(app, client, enrolled):
    # The first answer lets this process remember the tablet's questionnaire; the kiosk is still
    # looked up, in the transaction that would record the next one.
    assert client.post("/kiosk", data=kiosk_form(client) | {"q_overall": "4"}).status_code == 303
    data = kiosk_form(client) | {"q_overall": "2"}
    with app.app_context():
        kiosks.revoke_kiosk(db.session, None, db.session.get(Kiosk, enrolled))
        db.session.commit()
    assert client.post("/kiosk", data=data).status_code == 403
    with app.app_context():
        assert count_responses() == 1


def test_a_kiosk_given_another_questionnaire_records_the_next_answer_in_it(app, client, enrolled):
    assert client.post("/kiosk", data=kiosk_form(client) | {"q_overall": "4"}).status_code == 303
    data = kiosk_form(client)
    with app.app_context():
        db.session.get(Kiosk, enrolled).instrument_key = "health-short"
        db.session.commit()
    assert client.post("/kiosk", data=data | {"q_overall": "5", "q_access__wait": "2"}).status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(Response).order_by(Response.submitted_at.desc())).first()
        assert stored.instrument.key == "health-short"
        assert {(a.item_key, a.value) for a in stored.answers} == {("overall", 5), ("access.wait", 2)}
