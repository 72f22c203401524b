"""Questionnaire versions through the editor form: preview what was typed, save as a new published
version, never change one that may have answers; errors in Vietnamese with nothing typed lost."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import func, select

from survey.collection.instruments import InstrumentError, current, versions
from survey.extensions import db
from survey.models import Instrument
from tests.helpers import login_as


def _published(key: str = "sipas-short") -> Instrument:
    return db.session.scalar(select(Instrument).filter_by(key=key).order_by(Instrument.version.desc()))


def _fields(page: str) -> dict[str, str]:
    """The editor's fields as a browser would send them (inputs, selected options, textareas)."""
    out = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        out[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        out[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected', body)
        out[name] = next(g for g in chosen.groups() if g) if chosen else ""
    return {k: html.unescape(v) for k, v in out.items()}


def _editor(app, client) -> tuple[int, str, int, dict[str, str]]:
    login_as(app, client, "admin")
    with app.app_context():
        source = _published()
        ident, key, version = source.id, source.key, source.version
    page = client.get(f"/admin/instruments/{ident}").get_data(as_text=True)
    return ident, key, version, _fields(page)


def test_the_editor_shows_each_question_as_fields_beside_the_citizen_preview(app, client):
    ident, _key, _version, fields = _editor(app, client)
    with app.app_context():
        items = db.session.get(Instrument, ident).items
    page = client.get(f"/admin/instruments/{ident}").get_data(as_text=True)
    assert fields["items-0-text_vi"] == items[0]["text"]["vi"]
    assert fields["items-1-text_km"] == items[1]["text"]["km"]
    assert fields["items-1-component"] == items[1]["component"]
    assert "Tiếp cận dịch vụ" in page  # the component by its name, not its code
    assert 'class="face f5"' in page
    assert "Thêm câu hỏi mới" in page
    assert "<textarea" in page
    assert "(JSON)" not in page
    assert items[0]["key"] not in re.sub(r'value="[^"]*"', "", page.split('id="h-preview"')[0]), \
        "no item code shown"


def test_saving_publishes_a_new_version_and_leaves_the_old_one_as_it_was(app, client):
    ident, key, version, fields = _editor(app, client)
    with app.app_context():
        before = db.session.get(Instrument, ident).definition
    fields["items-1-text_vi"] = "Ông/Bà hài lòng thế nào với chỗ ngồi và nước uống?"
    fields["items-1-order"] = "9"  # moved to the end
    fields["items-6-text_vi"] = "Ông/Bà hài lòng thế nào với cách hướng dẫn điền hồ sơ?"
    fields["items-6-component"] = "staff"
    fields["save"] = "1"
    response = client.post(f"/admin/instruments/{ident}", data=fields)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Instrument, ident).definition == before, "a published version never changes"
        new = _published(key)
        assert new.ref == f"{key}@{version + 1}"
        assert new.published_at is not None
        assert current(db.session, key).ref == new.ref
        texts = [i["text"]["vi"] for i in new.items]
        assert texts[-1] == "Ông/Bà hài lòng thế nào với chỗ ngồi và nước uống?"
        added = next(i for i in new.items if i["text"]["vi"].endswith("điền hồ sơ?"))
        assert added["component"] == "staff"
        assert added["key"].startswith("staff.")
        assert added["key"] not in {i["key"] for i in before["items"]}
        assert new.definition["problems"] == before["problems"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã công bố {key}@{version + 1}" in page


def test_preview_shows_what_was_typed_without_saving_it(app, client):
    ident, key, version, fields = _editor(app, client)
    fields["items-0-text_km"] = "សំណួរថ្មី សាកល្បង"
    fields["preview_locale"] = "km"
    fields["preview"] = "1"
    page = client.post(f"/admin/instruments/{ident}", data=fields).get_data(as_text=True)
    editor, preview = page.split('id="h-preview"')
    assert "សំណួរថ្មី សាកល្បង" in preview
    assert "ពេញចិត្តខ្លាំង" in preview, "the faces' words in the citizen's language too"
    assert "Rất hài lòng" not in preview
    assert "Xem trước như người dân thấy" in page, "the page around it stays in Vietnamese"
    assert "សំណួរថ្មី សាកល្បង" in editor, "what was typed stays in its field"
    fields["items-6-text_vi"] = "Câu mới thứ nhất?"
    again = client.post(f"/admin/instruments/{ident}", data=fields).get_data(as_text=True)
    assert "Câu mới thứ nhất?" in again.split('id="h-preview"')[1]
    assert 'name="items-7-text_vi"' in again, "one more empty row for the next new question"
    with app.app_context():
        assert db.session.scalar(select(func.max(Instrument.version)).filter_by(key=key)) == version


def test_errors_are_in_vietnamese_beside_their_field_and_nothing_typed_is_lost(app, client):
    ident, key, version, fields = _editor(app, client)
    fields["items-2-text_vi"] = ""
    fields["items-3-text_en"] = "A new English wording kept after the error"
    fields["items-4-order"] = "abc"
    fields["save"] = "1"
    response = client.post(f"/admin/instruments/{ident}", data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Vui lòng nhập lời câu hỏi bằng tiếng Việt." in page
    assert "A new English wording kept after the error" in page
    assert 'value="abc"' in page
    fields.update({"items-2-text_vi": "Câu có lời", "items-4-order": "5", "items-0-component": "access"})
    no_overall = client.post(f"/admin/instruments/{ident}", data=fields).get_data(as_text=True)
    assert "đúng một câu thuộc thành phần “Hài lòng chung”" in no_overall
    with app.app_context():
        assert db.session.scalar(select(func.max(Instrument.version)).filter_by(key=key)) == version


def test_an_unchanged_form_publishes_nothing(app, client):
    ident, _key, _version, fields = _editor(app, client)
    fields["save"] = "1"
    page = client.post(f"/admin/instruments/{ident}", data=fields)
    assert page.status_code == 400
    assert "Chưa có gì thay đổi" in page.get_data(as_text=True)


def test_json_is_an_export_of_the_version(app, client):
    ident, key, version, _typed = _editor(app, client)
    response = client.get(f"/admin/instruments/{ident}.json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{key}@{version}.json"'
    assert json.loads(response.data)["version"] == version


def test_the_service_never_edits_a_published_version(app_context):
    published = _published()
    with pytest.raises(InstrumentError):
        versions.save(db.session, None, published, {**published.definition, "items": []})
    saved = versions.save(db.session, None, published,
                          {**published.definition, "title": {"vi": "Tiêu đề khác"}})
    assert saved.id != published.id
    assert saved.version == published.version + 1
    assert published.definition["title"]["vi"] != "Tiêu đề khác"
