"""Every citizen page renders in Vietnamese, Khmer and English, and the catalogues are current."""

from __future__ import annotations

import re

import pytest

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import check_catalogue
from tests.factories import make_service_point

CITIZEN_PAGES = ["/", "/kiosk", "/kiosk/enrol", "/kiosk/thanks", "/thanks",
                 "/thanks?result=dossier_used", "/s/not-a-valid-token"]


@pytest.fixture
def phone_path(app):
    with app.app_context():
        point = make_service_point(db.session)
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit=point.unit.code,
                                           service_point=point.code))
        db.session.commit()
    return f"/s/{token}"


@pytest.mark.parametrize("locale", ["vi", "km", "en"])
@pytest.mark.parametrize("path", CITIZEN_PAGES)
def test_citizen_page_renders_with_html_lang(client, path, locale):
    joiner = "&" if "?" in path else "?"
    page = client.get(f"{path}{joiner}lang={locale}")
    assert page.status_code in (200, 400)
    assert f'<html lang="{locale}">' in page.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["vi", "km", "en"])
def test_phone_survey_is_worded_in_the_chosen_language(client, phone_path, locale):
    html = client.get(f"{phone_path}?lang={locale}").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    if locale == "en":
        assert "Overall, how satisfied" in html
        assert "Very satisfied" in html
        assert "Nhìn chung" not in html
    elif locale == "km":
        assert "ជារួម" in html  # "overall", from the instrument
        assert "ពេញចិត្តខ្លាំង" in html  # "very satisfied", from the catalogue
        assert "Nhìn chung" not in html
        assert "Rất hài lòng" not in html
    else:
        assert "Nhìn chung" in html
        assert "Rất hài lòng" in html


def test_khmer_is_for_citizens_only(client):
    client.get("/?lang=km")
    assert '<html lang="km">' in client.get("/thanks").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


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


def test_khmer_covers_every_citizen_message():
    citizen = check_catalogue.citizen_message_ids()
    assert {"Rất hài lòng", "Mã tra cứu", "Không tìm thấy trang"} <= citizen
    assert "Đăng nhập" not in citizen  # staff only
    assert check_catalogue.untranslated("km", citizen) == []


def test_a_missing_or_fuzzy_khmer_message_is_caught(tmp_path, monkeypatch):
    from babel.messages.pofile import read_po, write_po

    source = check_catalogue.ROOT / "translations" / "km" / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as handle:
        catalogue = read_po(handle)
    catalogue["Rất hài lòng"].string = ""
    catalogue["Mã tra cứu"].flags.add("fuzzy")
    copy = tmp_path / "translations" / "km" / "LC_MESSAGES" / "messages.po"
    copy.parent.mkdir(parents=True)
    with copy.open("wb") as handle:
        write_po(handle, catalogue, omit_header=True)
    monkeypatch.setattr(check_catalogue, "ROOT", tmp_path)
    assert set(check_catalogue.untranslated("km", {"Rất hài lòng", "Mã tra cứu", "Hài lòng"})) == {
        "Rất hài lòng", "Mã tra cứu"}


def test_every_instrument_item_has_english_and_khmer_wording():
    from survey.collection.instruments import BUILT_IN, read_definition

    for key in BUILT_IN:
        definition = read_definition(key)
        fields = [definition["title"], definition["intro"]]
        fields += [part for item in definition["items"] for part in (item["text"], item["label"])]
        fields += [problem["text"] for problem in definition["problems"]]
        for field in fields:
            assert field.get("en"), (key, field)
            assert not re.search(r"[ăâđêôơư]", field["en"], re.I), (key, field)
            assert re.search(r"[\u1780-\u17ff]", field.get("km", "")), (key, field)
            assert not re.search(r"[ăâđêôơư]", field["km"], re.I), (key, field)
