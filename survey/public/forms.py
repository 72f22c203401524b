"""The survey form, built from an instrument's items."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp

from survey.collection.responses import IDEMPOTENCY_KEY, MAX_COMMENT, Submission
from survey.models import Instrument

SCALE = (1, 2, 3, 4, 5)
RATINGS = {str(value): value for value in SCALE}
SCALE_WORDS = {
    1: _l("Rất không hài lòng"),
    2: _l("Không hài lòng"),
    3: _l("Bình thường"),
    4: _l("Hài lòng"),
    5: _l("Rất hài lòng"),
}
RESPONDENT_WORDS = {
    "citizen": _l("Cá nhân, người dân"),
    "organisation": _l("Doanh nghiệp, tổ chức"),
}


def field_name(item_key: str) -> str:
    """``access.place`` → ``q_access__place``: WTForms field names cannot hold dots."""
    return "q_" + item_key.replace(".", "__")


class RatingField(Field):
    """One answer on the 1–5 scale, or none (skipped).

    The templates draw the five faces themselves, so the field only parses: a RadioField would
    build, normalise and search five choices for every rating of every submission.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist and valuelist[0] != "":
            if valuelist[0] not in RATINGS:
                raise ValueError("a rating is one of the digits 1 to 5")
            self.data = RATINGS[valuelist[0]]


class SurveyFormBase(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before the view runs (create_app); a form-level
        # check would verify the same token again and sign a new one on every submission.
        csrf = False

    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(IDEMPOTENCY_KEY.pattern)])
    respondent_type = RadioField(
        choices=[SelectChoice(value, label) for value, label in RESPONDENT_WORDS.items()],
        validators=[Optional(), AnyOf(list(RESPONDENT_WORDS))],
    )
    comment = TextAreaField(validators=[Optional(), Length(max=MAX_COMMENT)])
    # The kiosk's clock when the citizen pressed "send" (ms since 1970); read by the kiosk view only.
    answered_at = IntegerField(validators=[Optional(), NumberRange(min=0)])

    instrument: Instrument
    # The items this page asks (a phone shows a short part first); None: all of them.
    asked: tuple[str, ...] | None = None
    empty = False  # sent with nothing in it: the page asks for the first answer

    def rating_fields(self) -> list[tuple[dict[str, object], RatingField]]:
        return [(item, self[field_name(item["key"])]) for item in self.instrument.items
                if self.asked is None or item["key"] in self.asked]

    def is_empty(self) -> bool:
        """Nothing given: no rating, no "what went wrong", no comment."""
        return not (any(field.data is not None for _item, field in self.rating_fields())
                    or self["problems"].data or (self.comment.data or "").strip())

    def to_submission(self) -> Submission:
        ratings: dict[str, int] = {
            str(item["key"]): field.data
            for item, field in self.rating_fields()
            if field.data is not None
        }
        return Submission(
            idempotency_key=self.idempotency_key.data,
            ratings=ratings,
            problems=list(self["problems"].data or []),
            comment=self.comment.data or None,
            respondent_type=self.respondent_type.data or None,
        )


@cache
def _form_class(instrument_id: int, item_keys: tuple[str, ...], problems: tuple[str, ...]) -> type:
    attrs: dict[str, object] = {
        field_name(key): RatingField() for key in item_keys
    }
    attrs["problems"] = SelectMultipleField(
        choices=[SelectChoice(code) for code in problems],
        validators=[Optional()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    return type(f"SurveyForm{instrument_id}", (SurveyFormBase,), attrs)


def survey_form(
    instrument: Instrument, asked: tuple[str, ...] | None = None, **kwargs: object
) -> SurveyFormBase:
    """A form for ``instrument`` asking the items ``asked`` (by default all). Instruments are
    immutable, so the class is built once per version."""
    problems = tuple(p["code"] for p in instrument.definition.get("problems", []))
    cls = _form_class(instrument.id, tuple(instrument.item_keys), problems)
    form: SurveyFormBase = cls(**kwargs)
    form.instrument = instrument
    form.asked = asked
    return form
