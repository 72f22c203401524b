"""The kiosk's later steps over HTTP: the question page carries the service step and the ratings
only (the 8 KB budget); "what went wrong", the dossier code, the respondent type and the comment
come from /kiosk/steps/<lang> at the first tap, in the language of the path, for an enrolled
kiosk only; the service worker keeps a copy of them in every language; without JavaScript the
page sends the tablet to the one that carries every step."""

from __future__ import annotations

import re

import pytest

from survey.collection import kiosks
from survey.extensions import db
from tests.factories import make_service_point
from tests.helpers import kiosk_form

LATER = ('name="problems"', 'id="dossier-step"', 'name="respondent_type"', 'name="comment"',
         'name="complaint"', 'name="complaint_consent"')


@pytest.fixture
def enrolled(app, client):
    with app.app_context():
        _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Quầy 1")
        db.session.commit()
    assert client.post("/kiosk/enrol", data={"code": code}).status_code == 302


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_the_question_page_leaves_the_later_steps_to_the_first_tap(client, enrolled, lang):
    page = client.get(f"/kiosk?lang={lang}").get_data(as_text=True)
    assert f'data-steps="/kiosk/steps/{lang}"' in page
    assert 'data-item="overall"' in page
    assert [mark for mark in LATER if mark in page] == []
    later = client.get(f"/kiosk/steps/{lang}")
    assert later.status_code == 200
    assert later.headers["Cache-Control"] == "no-store"
    html = later.get_data(as_text=True)
    assert [mark for mark in LATER if mark not in html] == []
    assert "<html" not in html  # a fragment for the form, not a page
    assert 'name="csrf_token"' not in html  # the page's own, as is its idempotency key
    assert 'name="idempotency_key"' not in html


def test_the_later_steps_speak_the_language_of_their_path_not_the_session(client, enrolled):
    client.get("/kiosk?lang=km")  # the session now says Khmer
    vi = client.get("/kiosk/steps/vi").get_data(as_text=True)
    km = client.get("/kiosk/steps/km").get_data(as_text=True)
    en = client.get("/kiosk/steps/en").get_data(as_text=True)
    assert all(words in vi for words in ("Gửi ý kiến", "Phải chờ lâu", "Mã phản ánh của Ông/Bà: {ref}"))
    assert "ផ្ញើមតិ" in km
    assert "Gửi ý kiến" not in km
    assert not any(words in en for words in ("Gửi ý kiến", "Phải chờ lâu"))
    assert '<html lang="km">' in client.get("/kiosk").get_data(as_text=True)  # the session unchanged


def test_the_later_steps_are_for_an_enrolled_kiosk_in_a_known_language(app, client, enrolled):
    assert client.get("/kiosk/steps/fr").status_code == 404
    assert app.test_client().get("/kiosk/steps/vi").status_code == 403


def test_the_service_worker_keeps_the_later_steps_in_every_language_the_kiosk_offers(app, client):
    worker = client.get("/kiosk/sw.js").get_data(as_text=True)
    kept = set(re.findall(r'"kiosk/steps/(\w+)"', worker))
    assert kept == set(app.config["LANGUAGES"])
    assert '"static/kiosk-dossier.min.js"' in worker


def test_without_javascript_the_page_sends_the_tablet_to_every_step_in_one_form(client, enrolled):
    page = client.get("/kiosk").get_data(as_text=True)
    refresh = r'<noscript><meta http-equiv="refresh" content="0;url=/kiosk\?steps=all"></noscript>'
    assert re.search(refresh, page)
    assert "steps=all&amp;expired=1" in client.get("/kiosk?expired=1").get_data(as_text=True)
    whole = client.get("/kiosk?steps=all").get_data(as_text=True)
    assert [mark for mark in LATER if mark not in whole] == []
    assert "data-steps" not in whole
    assert "<noscript>" not in whole
    data = kiosk_form(client) | {"q_overall": "2", "problems": "wait_long", "comment": "Chờ lâu",
                                 "respondent_type": "citizen"}
    sent = client.post("/kiosk", data=data)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/kiosk/thanks")
