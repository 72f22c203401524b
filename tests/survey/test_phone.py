"""The phone survey behind a QR code, and per-dossier receipts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Response
from tests.factories import make_procedure, make_qr_code, make_service_point
from tests.helpers import csrf_token


@pytest.fixture
def token(app):
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session, "land")
        payload = SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                service_point=point.code, procedure=procedure.code)
        db.session.commit()
        return sign_payload(payload)


def key_of(page_html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', page_html)
    assert match
    return match.group(1)


def responses() -> list[Response]:
    return list(db.session.scalars(select(Response)))


def test_phone_survey_opens_on_one_page_with_the_short_part(client, token):
    page = client.get(f"/s/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="step rating"') == 6  # the poster's promise: about six questions
    assert "chưa tới 1 phút" in html
    assert "<script" not in html  # works with JavaScript off


def test_phone_submission_stores_context(app, client, token):
    key = key_of(client.get(f"/s/{token}").get_data(as_text=True))
    page = client.post(f"/s/{token}", data={"idempotency_key": key, "q_overall": "4",
                                            "q_procedure__fees": "1"})
    assert page.status_code == 303
    assert "result=recorded" in page.headers["Location"]
    with app.app_context():
        (stored,) = responses()
        assert stored.channel == "qr"
        assert stored.procedure is not None
        assert stored.sector_id == stored.procedure.sector_id
        assert stored.service_point_id is not None
        assert stored.instrument.ref == "sipas-full@2"
        assert stored.dossier_hash is None


@pytest.mark.parametrize("mutate", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: "not-a-token",
    lambda t: "%ff%fe",
])
def test_tampered_qr_gets_vietnamese_400(client, token, mutate):
    page = client.get(f"/s/{mutate(token)}")
    assert page.status_code == 400
    assert "Mã QR này không hợp lệ" in page.get_data(as_text=True)


def test_code_signed_by_another_installation_is_refused(app, client, token):
    from itsdangerous import URLSafeSerializer

    foreign = URLSafeSerializer("another-secret", salt="survey-qr-v1").dumps({"i": "sipas-full",
                                                                              "u": "X"})
    assert client.get(f"/s/{foreign}").status_code == 400
    assert client.post(f"/s/{foreign}", data={"q_overall": "5"}).status_code == 400


def test_revoked_poster_says_so(app, client):
    with app.app_context():
        qr = make_qr_code(db.session, revoked_at=datetime.now(UTC))
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit=qr.unit.code,
                                           qr_id=qr.id))
        db.session.commit()
    page = client.get(f"/s/{token}")
    assert page.status_code == 410
    assert "thu hồi" in page.get_data(as_text=True)


def test_second_answer_for_same_dossier_is_thanked_and_not_counted(app, client):
    with app.app_context():
        point = make_service_point(db.session)
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                           service_point=point.code, channel="link",
                                           dossier_hash=dossier_hash("H10-0001")))
        db.session.commit()
    # Two browsers open the receipt's form before either answers.
    other = app.test_client()
    keys = [key_of(browser.get(f"/s/{token}").get_data(as_text=True)) for browser in (client, other)]
    page = client.post(f"/s/{token}", data={"idempotency_key": keys[0], "q_overall": "5"})
    assert page.status_code == 303
    assert "result=recorded" in page.headers["Location"]
    late = other.post(f"/s/{token}", data={"idempotency_key": keys[1], "q_overall": "5"})
    assert late.status_code == 200
    assert "Hồ sơ này đã được đánh giá rồi" in late.get_data(as_text=True)
    thanks = client.get("/thanks?result=dossier_used").get_data(as_text=True)
    assert "Cảm ơn" in thanks
    assert "không được tính thêm" in thanks
    with app.app_context():
        (stored,) = responses()
        assert stored.dossier_hash == dossier_hash("h10-0001 ")
        assert "H10-0001" not in (stored.dossier_hash or "")
        assert stored.channel == "link"


def test_bad_rating_on_phone_gets_400_and_stores_nothing(app, client, token):
    key = key_of(client.get(f"/s/{token}").get_data(as_text=True))
    page = client.post(f"/s/{token}", data={"idempotency_key": key, "q_overall": "7"})
    assert page.status_code == 400
    assert "chưa hợp lệ" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.usefixtures("csrf")
def test_phone_post_without_csrf_token_is_refused(app, client, token):
    key = key_of(client.get(f"/s/{token}").get_data(as_text=True))
    page = client.post(f"/s/{token}", data={"idempotency_key": key, "q_overall": "5"})
    assert page.status_code == 400
    with app.app_context():
        assert responses() == []
    data = {"idempotency_key": key, "q_overall": "5", "csrf_token": csrf_token(client, f"/s/{token}")}
    assert client.post(f"/s/{token}", data=data).status_code == 303


def test_a_response_with_every_question_skipped_is_still_thanked(app, client, token):
    key = key_of(client.get(f"/s/{token}").get_data(as_text=True))
    page = client.post(f"/s/{token}", data={"idempotency_key": key, "comment": "Không ý kiến"})
    assert page.status_code == 303
    with app.app_context():
        (stored,) = responses()
        assert stored.answers == []
        assert stored.overall is None
        assert stored.comment == "Không ý kiến"
