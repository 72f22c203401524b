"""The built-in instruments: every version kept as its own file and published, the newest current,
and the wording of the current versions answerable on the five satisfaction faces."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.collection import instruments
from survey.extensions import db
from survey.models import Instrument


def test_every_version_is_published_and_the_newest_is_current(app):
    with app.app_context():
        instruments.load_built_in(db.session)
        for key in instruments.BUILT_IN:
            versions = instruments.built_in_versions(key)
            assert versions[:2] == [1, 2]
            stored = {i.version: i for i in db.session.scalars(select(Instrument).filter_by(key=key))}
            for version in versions:
                assert stored[version].definition == instruments.read_definition(key, version)
            assert instruments.current(db.session, key).version == versions[-1]
        old = db.session.scalar(select(Instrument).filter_by(key="sipas-short", version=1))
        assert "km" not in old.definition["items"][0]["text"]  # version 1 is kept as it was published
        assert "km" not in old.definition["problems"][0]["text"]


def test_current_questions_ask_how_satisfied_one_thing_at_a_time():
    for key in instruments.BUILT_IN:
        for item in instruments.read_definition(key)["items"]:
            text = item["text"]["vi"]
            assert "hài lòng thế nào" in text, (key, text)  # answered by the five faces
            assert not re.search(r"\bcó\b.*\bkhông\?$", text), (key, text)  # no yes/no question
            assert text.count("?") == 1, (key, text)
            assert text.count(" và ") <= 1, (key, text)


def test_the_short_part_of_the_full_survey_is_one_question_per_component():
    definition = instruments.read_definition("sipas-full")
    short = definition["short"]
    assert short[0] == "overall"
    assert sorted(k.split(".")[0] for k in short[1:]) == sorted(instruments.SIPAS_COMPONENTS)


def test_every_item_has_a_label_of_its_own(app):
    """One question asked under two instruments' keys is told apart where both are listed."""
    with app.test_request_context("/?lang=vi"):
        instruments.load_built_in(db.session)
        labels = instruments.item_labels(db.session)
        assert len(set(labels.values())) == len(labels)
        assert labels["procedure.as_posted"] == "Giấy tờ so với niêm yết"
        assert labels["procedure.papers"] == "Giấy tờ so với niêm yết (phiếu đầy đủ)"
