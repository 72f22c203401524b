"""CSRF on, as in production: missing, forged and replayed tokens are refused and store nothing.

A replayed *answer* (the same idempotency key sent again, or a second answer for a receipt's dossier)
is thanked and counted once.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from tests.factories import make_service_point
from tests.fuzzing import CASES, FUZZ, count_responses
from tests.helpers import csrf_token

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csrf")]


@pytest.fixture
def poster(app) -> str:
    with app.app_context():
        point = make_service_point(db.session)
        token = sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code))
        db.session.commit()
    return token


def idempotency_key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match
    return match.group(1)


def posted(app, client, path: str, data: dict[str, str]) -> tuple[int, int]:
    with app.app_context():
        before = count_responses()
    status = client.post(path, data=data).status_code
    with app.app_context():
        return status, count_responses() - before


@FUZZ
@given(bad=st.one_of(st.none(), st.text(max_size=120), st.just("replayed")))
def test_phone_post_without_a_valid_csrf_token_stores_nothing(app, client, poster, bad):
    CASES["POST /s/<token> bad CSRF"] += 1
    page = client.get(f"/s/{poster}").get_data(as_text=True)
    data = {"idempotency_key": idempotency_key(page), "q_overall": "5"}
    if bad == "replayed":  # a valid token, but of another browser's session
        data["csrf_token"] = csrf_token(app.test_client(), f"/s/{poster}")
    elif bad is not None:
        data["csrf_token"] = bad
    status, added = posted(app, client, f"/s/{poster}", data)
    assert status == 400
    assert added == 0


@pytest.mark.parametrize("path", ["/login", "/kiosk/enrol", "/logout"])
@pytest.mark.parametrize("bad", ["missing", "forged", "replayed"])
def test_staff_and_enrolment_posts_refuse_bad_csrf_tokens(app, client, path, bad):
    with app.app_context():
        kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Q")
        db.session.commit()
        kiosk_id = kiosk.id
    data = {"email": "a@example.gov.vn", "password": "x", "code": code}
    if bad == "forged":
        data["csrf_token"] = "IjAwMDAi.forged.token"
    elif bad == "replayed":
        data["csrf_token"] = csrf_token(app.test_client(), "/login")
    response = client.post(path, data=data)
    if path.startswith("/kiosk"):  # a kiosk goes back to its start screen, kindly
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/kiosk?expired=1")
    else:
        assert response.status_code == 400
    with app.app_context():
        assert db.session.get(kiosks.Kiosk, kiosk_id).enrolled_at is None


def test_kiosk_post_with_a_forged_csrf_token_goes_back_to_start_and_stores_nothing(app, client):
    with app.app_context():
        _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Q")
        db.session.commit()
    enrol = client.post("/kiosk/enrol", data={"code": code,
                                              "csrf_token": csrf_token(client, "/kiosk/enrol")})
    assert enrol.status_code == 302
    key = idempotency_key(client.get("/kiosk").get_data(as_text=True))
    for token in (None, "forged", csrf_token(app.test_client(), "/login")):
        data = {"idempotency_key": key, "q_overall": "5"}
        if token:
            data["csrf_token"] = token
        status, added = posted(app, client, "/kiosk", data)
        assert (status, added) == (302, 0)


def test_replayed_answer_is_thanked_and_counted_once(app, client, poster):
    page = client.get(f"/s/{poster}").get_data(as_text=True)
    data = {"idempotency_key": idempotency_key(page), "q_overall": "4",
            "csrf_token": csrf_token(client, f"/s/{poster}")}
    outcomes = [posted(app, client, f"/s/{poster}", data) for _ in range(3)]
    assert outcomes == [(303, 1), (303, 0), (303, 0)]


def test_second_answer_for_a_receipt_dossier_is_not_counted(app, client):
    with app.app_context():
        point = make_service_point(db.session)
        receipt = sign_payload(SurveyPayload("sipas-full", point.unit.code, point.code,
                                             dossier_hash=dossier_hash("000.00.01.H13-260101-0001"),
                                             channel="link"))
        db.session.commit()
    # Two phones open the receipt's form before either answers (the same phone would be shown
    # the thank-you page instead of the form: public/phone.py).
    browsers = [client, app.test_client()]
    forms = []
    for browser in browsers:
        page = browser.get(f"/s/{receipt}").get_data(as_text=True)
        forms.append({"idempotency_key": idempotency_key(page), "q_overall": "5",
                      "csrf_token": csrf_token(browser, f"/s/{receipt}")})
    results = [posted(app, browser, f"/s/{receipt}", data)
               for browser, data in zip(browsers, forms, strict=True)]
    assert results == [(303, 1), (200, 0)]  # the second is thanked by the dossier's page
    assert "Hồ sơ này đã được đánh giá rồi" in client.get(f"/s/{receipt}").get_data(as_text=True)
