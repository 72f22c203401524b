"""A phone answer is recorded once and only when something was said: a used receipt opens a
thank-you page, the back button never records a second response, an untouched form is refused,
and the rest of a survey answered in two parts lands on the same response."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Response
from tests.factories import make_service_point


def key_of(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def stored() -> list[Response]:
    return list(db.session.scalars(select(Response)))


@pytest.fixture
def poster(app):
    with app.app_context():
        point = make_service_point(db.session)
        db.session.commit()
        return sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                          service_point=point.code))


@pytest.fixture
def receipt(app):
    with app.app_context():
        point = make_service_point(db.session)
        db.session.commit()
        return sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                          service_point=point.code, channel="link",
                                          dossier_hash=dossier_hash("H10-0042")))


def test_a_used_receipt_opens_a_thank_you_page_not_the_form(app, client, receipt):
    key = key_of(client.get(f"/s/{receipt}").get_data(as_text=True))
    assert client.post(f"/s/{receipt}", data={"idempotency_key": key, "q_overall": "4"}).status_code == 303
    for browser in (client, app.test_client()):  # the same phone, and another one
        page = browser.get(f"/s/{receipt}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Hồ sơ này đã được đánh giá rồi" in html
        assert 'class="step rating"' not in html
        assert "idempotency_key" not in html
    with app.app_context():
        assert len(stored()) == 1


def test_back_after_the_thanks_never_records_a_second_response(app, client, poster):
    form = client.get(f"/s/{poster}").get_data(as_text=True)
    key = key_of(form)
    assert key_of(client.get(f"/s/{poster}").get_data(as_text=True)) == key  # the key survives a reload
    first = client.post(f"/s/{poster}", data={"idempotency_key": key, "q_overall": "2"})
    assert first.status_code == 303
    # Back: the page is fetched again and thanks instead of showing the form.
    again = client.get(f"/s/{poster}").get_data(as_text=True)
    assert "vừa gửi ý kiến cho nơi này" in again
    assert "idempotency_key" not in again
    # Back to the form kept by the browser, sent again: the same key, stored once.
    resend = client.post(f"/s/{poster}", data={"idempotency_key": key, "q_overall": "5"})
    assert resend.status_code == 303
    # A second answer from the same browser with another key, minutes later: refused kindly.
    other = client.post(f"/s/{poster}", data={"idempotency_key": "f" * 32, "q_overall": "5"})
    assert other.status_code == 409
    assert "vừa gửi ý kiến cho nơi này" in other.get_data(as_text=True)
    with app.app_context():
        (response,) = stored()
        assert response.overall == 2
    # Another phone on the same poster answers as usual.
    neighbour = app.test_client()
    key2 = key_of(neighbour.get(f"/s/{poster}").get_data(as_text=True))
    assert key2 != key
    assert neighbour.post(f"/s/{poster}", data={"idempotency_key": key2, "q_overall": "4"}).status_code == 303
    with app.app_context():
        assert len(stored()) == 2


def test_the_same_browser_may_answer_again_after_the_window(app, client, poster, monkeypatch):
    key = key_of(client.get(f"/s/{poster}").get_data(as_text=True))
    client.post(f"/s/{poster}", data={"idempotency_key": key, "q_overall": "3"})
    later = time.time() + app.config["PHONE_REPEAT_MINUTES"] * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    key2 = key_of(client.get(f"/s/{poster}").get_data(as_text=True))
    assert key2 != key
    assert client.post(f"/s/{poster}", data={"idempotency_key": key2, "q_overall": "4"}).status_code == 303
    with app.app_context():
        assert sorted(r.overall for r in stored()) == [3, 4]


@pytest.mark.parametrize("locale", ["vi", "km"])
def test_an_empty_submission_is_not_stored_and_asks_for_the_first_answer(app, client, poster, locale):
    key = key_of(client.get(f"/s/{poster}?lang={locale}").get_data(as_text=True))
    page = client.post(f"/s/{poster}", data={"idempotency_key": key, "comment": "  "})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    words = {"vi": "Vui lòng trả lời ít nhất câu đầu tiên", "km": "សូមឆ្លើយយ៉ាងហោចណាស់សំណួរទីមួយ"}
    assert words[locale] in html
    assert 'class="step rating"' in html  # the form again, to answer
    with app.app_context():
        assert stored() == []
    assert client.post(f"/s/{poster}", data={"idempotency_key": key, "q_overall": "5"}).status_code == 303


def test_the_rest_of_the_survey_is_added_to_the_same_response(app, client, poster):
    key = key_of(client.get(f"/s/{poster}").get_data(as_text=True))
    short = {"idempotency_key": key, "q_overall": "4", "q_staff__courteous": "5",
             "q_staff__honest": "1"}  # staff.honest is not in the short part: ignored here
    thanks_url = client.post(f"/s/{poster}", data=short).headers["Location"]
    thanks = client.get(thanks_url).get_data(as_text=True)
    link = re.search(r'href="([^"]*/them\?[^"]+)"', thanks)
    assert link, "the thanks page offers the rest"
    more_url = link.group(1).replace("&amp;", "&")
    more = client.get(more_url).get_data(as_text=True)
    assert more.count('class="step rating"') == 12
    assert 'data-item="overall"' not in more
    rest = {"idempotency_key": key_of(more), "q_staff__honest": "2", "q_result__correct": "5",
            "q_overall": "1"}  # overall was answered in the short part: never changed here
    done = client.post(more_url, data=rest)
    assert done.status_code == 303
    assert "result=recorded" in done.headers["Location"]
    assert client.post(more_url, data=rest).status_code == 303  # sent twice: nothing more
    with app.app_context():
        (response,) = stored()
        answers = {a.item_key: a.value for a in response.answers}
        assert answers == {"overall": 4, "staff.courteous": 5, "staff.honest": 2, "result.correct": 5}
        assert response.overall == 4


def test_the_rest_cannot_be_added_to_someone_elses_response(app, client, poster):
    key = key_of(client.get(f"/s/{poster}").get_data(as_text=True))
    sent = client.post(f"/s/{poster}", data={"idempotency_key": key, "q_overall": "4"})
    thanks_url = sent.headers["Location"]
    offer = parse_qs(urlsplit(thanks_url).query)["from"][0]
    assert client.get(f"/s/{poster}/them?from=forged").status_code == 404
    page = client.post(f"/s/{poster}/them?from={offer}",
                       data={"idempotency_key": "a" * 32, "q_result__correct": "1"})
    assert page.status_code == 400  # a key other than the offer's
    with app.app_context():
        (response,) = stored()
        assert [a.item_key for a in response.answers] == ["overall"]
