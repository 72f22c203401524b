"""The questionnaire editor's form: a version's title, introduction and questions (wording in each
language, component, order) as fields, turned back into a definition to publish.

Item codes (``staff.courteous``) are the contract with the results and never typed: an existing
question keeps its code (its component part follows the component chosen), a new one is given
the next free code of its component.
"""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from analysis import SIPAS_COMPONENTS
from survey.admin.common import options
from survey.labels import VOCABULARIES

LANGUAGES = (("vi", _l("Tiếng Việt")), ("en", _l("Tiếng Anh")), ("km", _l("Tiếng Khmer")))
COMPONENTS = ("overall", *SIPAS_COMPONENTS)
MAX_ITEMS = 40


class ItemForm(Form):
    """One question (a sub-form: the page's one CSRF token covers it)."""

    key = HiddenField()
    component = SelectField(_l("Thành phần"),
                            choices=options([(c, VOCABULARIES["component"][c]) for c in COMPONENTS]))
    order = IntegerField(_l("Thứ tự"), validators=[Optional(), NumberRange(min=1, max=99,
                         message=_l("Thứ tự là một số từ 1 đến 99."))])
    text_vi = TextAreaField(_l("Câu hỏi bằng tiếng Việt"), validators=[Length(max=500)])
    text_en = TextAreaField(_l("Câu hỏi bằng tiếng Anh"), validators=[Length(max=500)])
    text_km = TextAreaField(_l("Câu hỏi bằng tiếng Khmer"), validators=[Length(max=500)])
    label_vi = StringField(_l("Tên ngắn trên bảng kết quả"), validators=[Length(max=80)])
    remove = BooleanField(_l("Bỏ câu này khỏi phiên bản mới"))

    def blank(self) -> bool:
        return not self.key.data and not (self.text_vi.data or "").strip()


class InstrumentForm(FlaskForm):
    title_vi = StringField(_l("Tiêu đề bằng tiếng Việt"),
                           validators=[InputRequired(_l("Vui lòng nhập tiêu đề tiếng Việt.")),
                                       Length(max=200)])
    title_en = StringField(_l("Tiêu đề bằng tiếng Anh"), validators=[Length(max=200)])
    title_km = StringField(_l("Tiêu đề bằng tiếng Khmer"), validators=[Length(max=200)])
    intro_vi = TextAreaField(_l("Lời mở đầu bằng tiếng Việt"), validators=[Length(max=500)])
    intro_en = TextAreaField(_l("Lời mở đầu bằng tiếng Anh"), validators=[Length(max=500)])
    intro_km = TextAreaField(_l("Lời mở đầu bằng tiếng Khmer"), validators=[Length(max=500)])
    items = FieldList(FormField(ItemForm), min_entries=1, max_entries=MAX_ITEMS)
    preview_locale = SelectField(_l("Xem trước bằng"), choices=options(list(LANGUAGES)), default="vi")
    preview = SubmitField(_l("Xem trước, chưa lưu"))
    save = SubmitField(_l("Lưu và công bố thành phiên bản mới"))

    def check(self) -> bool:
        """The field checks, then the questionnaire's own: each question worded in Vietnamese,
        exactly one overall question, at least one other. Errors go beside their field."""
        ok = self.validate()
        kept = [entry.form for entry in self.items if not entry.form.remove.data and not entry.form.blank()]
        for item in kept:
            if not (item.text_vi.data or "").strip():
                item.text_vi.errors = [*item.text_vi.errors, _l("Vui lòng nhập lời câu hỏi bằng tiếng Việt.")]
                ok = False
        overall = [item for item in kept if item.component.data == "overall"]
        if len(overall) != 1 or len(kept) < 2:
            self.form_errors.append(_l("Bộ câu hỏi cần đúng một câu thuộc thành phần “Hài lòng chung” "
                                       "và ít nhất một câu khác."))
            ok = False
        return ok


def fill(form: InstrumentForm, definition: dict[str, Any]) -> None:
    """Put ``definition`` into an unsubmitted form, with one empty row for a new question."""
    for code, _name in LANGUAGES:
        getattr(form, f"title_{code}").data = definition.get("title", {}).get(code, "")
        getattr(form, f"intro_{code}").data = definition.get("intro", {}).get(code, "")
    while len(form.items.entries):
        form.items.pop_entry()
    for number, item in enumerate(definition["items"], start=1):
        form.items.append_entry({
            "key": item.get("key", ""), "component": item.get("component", "access"), "order": number,
            **{f"text_{c}": item.get("text", {}).get(c, "") for c, _n in LANGUAGES},
            "label_vi": item.get("label", {}).get("vi", ""),
        })


def definition_of(form: InstrumentForm, source: dict[str, Any]) -> dict[str, Any]:
    """``source`` with the form's wording and questions, in the chosen order (ties: as listed)."""
    out = copy.deepcopy(source)
    for part in ("title", "intro"):
        out[part] = _wording(form, part)
    old = {item["key"]: item for item in source["items"]}
    rows = [(entry.form.order.data or 99, n, entry.form) for n, entry in enumerate(form.items)
            if not entry.form.remove.data and not entry.form.blank()]
    items: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for _order, _n, row in sorted(rows, key=lambda r: (r[0], r[1])):
        key = _code(row.key.data or "", row.component.data or "access", taken, old)
        renamed[row.key.data] = key
        item = copy.deepcopy(old.get(row.key.data, {}))
        item.update(key=key, component=row.component.data, text=_wording(row, "text"))
        label = dict(item.get("label", {}))
        if (row.label_vi.data or "").strip():
            label["vi"] = row.label_vi.data.strip()
        item["label"] = label or {"vi": item["text"].get("vi", "")[:80]}
        items.append(item)
    out["items"] = items
    if "short" in out:
        out["short"] = [renamed[k] for k in out["short"] if renamed.get(k)]
    return out


def _wording(form: Form, part: str) -> dict[str, str]:
    """``{"vi": …, "en": …}`` from the fields ``<part>_vi`` …, leaving out the empty ones."""
    out = {}
    for code, _name in LANGUAGES:
        text = (getattr(form, f"{part}_{code}").data or "").strip()
        if text:
            out[code] = text
    return out


def _code(key: str, component: str, taken: set[str], old: dict[str, Any]) -> str:
    """The question's code: kept, its component part changed, or new (``access.q2``)."""
    if component == "overall":
        code = "overall"
    else:
        rest = key.split(".", 1)[1] if "." in key else ""
        code = f"{component}.{rest}" if rest else ""
        number = 1
        while not code or code in taken or (code in old and code != key):
            code, number = f"{component}.q{number}", number + 1
    taken.add(code)
    return code
