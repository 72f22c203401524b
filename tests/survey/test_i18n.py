"""Every citizen page renders in Vietnamese and English, and the catalogues are current."""

from __future__ import annotations

import re

import pytest

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import check_catalogue
from tests.factories import make_service_point

CITIZEN_PAGES = ["/", "/kiosk", "/kiosk/enrol", "/kiosk/thanks", "/thanks",
                 "/thanks?result=dossier_used", "/s/not-a-valid-token"]
WORDS = {"vi": "Hài lòng", "en": "Satisfied"}


@pytest.fixture
def phone_path(app):
    with app.app_context():
        point = make_service_point(db.session)
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                           service_point=point.code))
        db.session.commit()
    return f"/s/{token}"


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("path", CITIZEN_PAGES)
def test_citizen_page_renders_with_html_lang(client, path, locale):
    joiner = "&" if "?" in path else "?"
    page = client.get(f"{path}{joiner}lang={locale}")
    assert page.status_code in (200, 400)
    assert f'<html lang="{locale}">' in page.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_phone_survey_is_worded_in_the_chosen_language(client, phone_path, locale):
    html = client.get(f"{phone_path}?lang={locale}").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    if locale == "en":
        assert "Overall, are you satisfied" in html
        assert "Very satisfied" in html
        assert "Nhìn chung" not in html
    else:
        assert "Nhìn chung" in html
        assert "Rất hài lòng" in html


def test_language_choice_is_kept_in_the_session(client):
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/kiosk/enrol").get_data(as_text=True)


def test_kiosk_ignores_the_tablets_accept_language(client):
    page = client.get("/kiosk", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.get_data(as_text=True)


def test_phone_follows_accept_language_until_a_button_is_pressed(client, phone_path):
    page = client.get(phone_path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    client.get("/?lang=vi")
    page = client.get(phone_path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.get_data(as_text=True)


def test_messages_pot_is_current():
    added, removed = check_catalogue.stale_messages()
    assert not added, f"run `make extract`: {sorted(added)[:5]}"
    assert not removed, f"run `make extract`: {sorted(removed)[:5]}"


def test_english_catalogue_is_complete():
    assert check_catalogue.untranslated("en") == []


def test_every_instrument_item_has_english_wording():
    from survey.collection.instruments import BUILT_IN, read_definition

    for key in BUILT_IN:
        definition = read_definition(key)
        for item in definition["items"]:
            assert item["text"].get("en"), item["key"]
            assert not re.search(r"[ăâđêôơư]", item["text"]["en"], re.I), item["key"]
