"""Questionnaire versions: preview, copy into a draft, edit the draft, publish; published is immutable."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from survey.collection.instruments import InstrumentError, versions
from survey.extensions import db
from survey.models import Instrument
from tests.helpers import login_as


def _published(key: str = "sipas-short") -> Instrument:
    return db.session.scalar(select(Instrument).filter_by(key=key).order_by(Instrument.version))


def test_a_published_version_cannot_be_edited_whoever_asks(app_context):
    published = _published()
    with pytest.raises(InstrumentError, match="đã công bố"):
        versions.update_draft(db.session, None, published, {**published.definition, "items": []})
    assert published.item_keys


def test_preview_renders_the_questions_with_the_citizen_templates(app, client):
    login_as(app, client, "admin")
    with app.app_context():
        instrument = _published()
        first_item = instrument.items[0]["text"]["vi"]
        instrument_id = instrument.id
    page = client.get(f"/admin/instruments/{instrument_id}").get_data(as_text=True)
    assert first_item in page
    assert 'class="face f5"' in page
    assert "không sửa được" in page


def test_a_new_version_is_a_draft_copy_that_can_be_edited_then_published_and_frozen(app, client):
    login_as(app, client, "admin")
    with app.app_context():
        source = _published()
        source_id, key, version = source.id, source.key, source.version
    response = client.post(f"/admin/instruments/{source_id}/draft")
    assert response.status_code == 303
    with app.app_context():
        draft = db.session.scalar(select(Instrument).filter_by(key=key).order_by(Instrument.version.desc()))
        assert draft.version > version
        assert draft.published_at is None
        definition = dict(draft.definition)
        draft_id = draft.id
    definition["title"] = {**definition["title"], "vi": "Phiếu thử nghiệm mới"}
    saved = client.post(f"/admin/instruments/{draft_id}", data={"definition": json.dumps(definition)})
    assert saved.status_code == 303
    assert client.post(f"/admin/instruments/{draft_id}", data={"definition": "{not json"}).status_code == 400
    assert client.post(f"/admin/instruments/{draft_id}/publish").status_code == 303
    refused = client.post(f"/admin/instruments/{draft_id}", data={"definition": json.dumps(definition)})
    assert refused.status_code == 400
    with app.app_context():
        frozen = db.session.get(Instrument, draft_id)
        assert frozen.published_at is not None
        assert frozen.definition["title"]["vi"] == "Phiếu thử nghiệm mới"
        assert db.session.get(Instrument, source_id).definition != frozen.definition
