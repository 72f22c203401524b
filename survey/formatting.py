"""Numbers and dates as a Vietnamese reader expects them ("90,5 %"), for templates and charts."""

from __future__ import annotations

import functools

from babel.numbers import NumberPattern, parse_pattern
from flask import Flask
from flask_babel import format_decimal, get_locale


@functools.cache
def _percent_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0." + "0" * digits + " %" if digits else "#,##0 %")


def pct(value: float | None, digits: int = 1) -> str:
    """A rate as a localised percentage ("90,5 %" in vi), "—" when there is none.

    The same as Babel's ``format_percent`` with this pattern; the parsed pattern is kept because
    the province table formats a few thousand numbers per page.
    """
    if value is None:
        return "—"
    return str(_percent_pattern(digits).apply(value, get_locale()))


def num(value: float | None) -> str:
    return "—" if value is None else format_decimal(value)


def init_app(app: Flask) -> None:
    app.add_template_filter(pct, "pct")
    app.add_template_filter(num, "num")
