"""Words that fit the place: a clinic's and a school's "what went wrong" choices speak of the
visit or the school, in Vietnamese, English and Khmer, published as new versions; the kiosk's
service step names its sectors in the page's language, with nothing but Vietnamese stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.collection import instruments, kiosks
from survey.extensions import db
from survey.models import Instrument, Response, Sector
from tests.factories import make_procedure, make_service_point
from tests.helpers import kiosk_form

ADMINISTRATIVE = re.compile(r"giấy tờ|thủ tục|niêm yết|hồ sơ|cán bộ|công chức", re.IGNORECASE)


@pytest.mark.parametrize("key", ["health-short", "education-short"])
def test_the_clinic_and_the_school_have_choices_of_their_own_in_three_languages(key):
    problems = instruments.read_definition(key)["problems"]
    administrative = {p["code"] for p in instruments.read_definition("sipas-short")["problems"]}
    own = [p for p in problems if p["code"] not in {"extra_payment", "other"}]
    assert len(own) >= 6
    assert not {p["code"] for p in own} & administrative
    for problem in problems:
        assert set(problem["text"]) == {"vi", "en", "km"}, problem
        assert all(problem["text"].values()), problem
        assert not ADMINISTRATIVE.search(problem["text"]["vi"]), problem["text"]["vi"]
        assert re.search("[\u1780-\u17ff]", problem["text"]["km"]), problem["text"]["km"]
    words = " ".join(p["text"]["vi"] for p in problems).lower()
    for theme in ("chờ", "ân cần", "sạch", "giải thích"):  # waiting, manner, cleanliness, explained
        assert theme in words, (key, theme)


@pytest.mark.parametrize("key", ["health-short", "education-short"])
def test_the_new_lists_are_new_versions_and_the_old_ones_keep_theirs(app, key):
    versions = instruments.built_in_versions(key)
    assert versions[-1] >= 3
    assert instruments.read_definition(key, 2)["problems"][0]["code"] == "wait_long"  # as published
    with app.app_context():
        instruments.load_built_in(db.session)
        current = instruments.current(db.session, key)
        assert current.version == versions[-1]
        old = db.session.scalar(select(Instrument).filter_by(key=key, version=2))
        assert {p["code"] for p in old.definition["problems"]} >= {"extra_papers", "late_result"}


def test_problem_names_know_every_list_in_every_language():
    for locale in ("vi", "en", "km"):
        names = instruments.problem_names(locale)
        for key in instruments.BUILT_IN:
            for problem in instruments.read_definition(key)["problems"]:
                assert names[problem["code"]] == problem["text"][locale]
    assert instruments.problem_names("km")["clinic_unclean"] == "បន្ទប់ពិនិត្យ ឬបង្គន់ មិនទាន់ស្អាត"


@pytest.fixture
def clinic_kiosk(app, client):
    with app.app_context():
        _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session),
                                           label="Phòng khám", instrument_key="health-short")
        db.session.commit()
    assert client.post("/kiosk/enrol", data={"code": code}).status_code == 302


def test_a_clinic_kiosk_asks_about_the_visit_and_records_its_choices(app, client, clinic_kiosk):
    # The "what went wrong" step comes with the kiosk's later steps, fetched at the first tap.
    page = client.get("/kiosk/steps/km").get_data(as_text=True)
    assert "បន្ទប់ពិនិត្យ ឬបង្គន់ មិនទាន់ស្អាត" in page
    page = client.get("/kiosk/steps/vi").get_data(as_text=True)
    assert "Phòng khám, nhà vệ sinh chưa sạch" in page
    assert "giấy tờ" not in page.split('class="step problems"', 1)[1].split("</fieldset>", 1)[0]
    data = kiosk_form(client) | {"q_overall": "2", "problems": ["wait_care", "clinic_unclean"]}
    assert client.post("/kiosk", data=data).status_code == 303
    refused = kiosk_form(client) | {"q_overall": "2", "problems": "extra_papers"}  # not a clinic's
    assert client.post("/kiosk", data=refused).status_code == 400
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert sorted(p.code for p in stored.problems) == ["clinic_unclean", "wait_care"]


def test_the_service_step_names_sectors_in_the_pages_language_storing_only_vietnamese(app, client):
    with app.app_context():
        point = make_service_point(db.session)
        make_procedure(db.session, "land", unit=point.unit)
        make_procedure(db.session, "civil_status", unit=point.unit)  # named by its code, as a CSV import does
        make_procedure(db.session, "fisheries", unit=point.unit)  # a sector no list knows
        _kiosk, code = kiosks.create_kiosk(db.session, None, point, label="Quầy 1")
        db.session.commit()
    assert client.post("/kiosk/enrol", data={"code": code}).status_code == 302

    def service_step(lang):
        html = client.get(f"/kiosk?lang={lang}").get_data(as_text=True)
        return html.split('id="service-step"', 1)[1].split("</fieldset>", 1)[0]

    km = service_step("km")
    assert "ដីធ្លី" in km
    assert "អត្រានុកូលដ្ឋាន" in km
    assert "Đất đai" not in km
    assert "fisheries" in km  # its stored name: nothing better is known
    vi = service_step("vi")
    assert "Đất đai" in vi
    assert "Hộ tịch" in vi
    assert "civil_status" not in vi.replace('value="civil_status"', "")  # no code on the page
    with app.app_context():
        names = set(db.session.scalars(select(Sector.name)))
    assert not any(re.search("[\u1780-\u17ff]", n) for n in names)
