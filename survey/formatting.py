"""Numbers and dates as a Vietnamese reader expects them ("90,5 %"), for templates and charts, and
the comparison tables' rows kept once rendered (:func:`kept`)."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from datetime import date
from typing import Any

from babel.numbers import NumberPattern, format_decimal, parse_pattern
from flask import Flask, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey.periods import Period, parse_period


@functools.cache
def _percent_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0." + "0" * digits + " %" if digits else "#,##0 %")


def pct(value: float | None, digits: int = 1) -> str:
    """A rate as a localised percentage ("90,5 %" in vi), "—" when there is none.

    The same as Babel's ``format_percent`` with this pattern. The province table formats a few
    thousand numbers per page, mostly the same from one request to the next, so each formatted
    number is kept (by value, digits and locale; a bounded number of them).
    """
    if value is None:
        return "—"
    return _pct(float(value), digits, str(get_locale()))


@functools.lru_cache(maxsize=1 << 16)
def _pct(value: float, digits: int, locale: str) -> str:
    return str(_percent_pattern(digits).apply(value, locale))


def num(value: float | None) -> str:
    """A count or number in the reader's locale ("12.345" in vi), "—" when there is none; kept
    like :func:`pct`."""
    if value is None:
        return "—"
    return _num(value, str(get_locale()))


@functools.lru_cache(maxsize=1 << 16)
def _num(value: float, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def long_date(day: date) -> str:
    """A date written out as on an official paper: "ngày 2 tháng 12 năm 2026" in vi."""
    return _("ngày %(day)s tháng %(month)s năm %(year)s", day=day.day, month=day.month, year=day.year)


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_words(period: Period | str) -> str:
    """A period (or its label) as a reader says it: "quý III năm 2026", "tháng 7 năm 2026"."""
    if isinstance(period, str):
        period = parse_period(period)
    year = period.start.year
    if period.kind == "quarter":
        return _("quý %(q)s năm %(year)s", q=_ROMAN[(period.start.month + 2) // 3], year=year)
    if period.kind == "month":
        return _("tháng %(month)s năm %(year)s", month=period.start.month, year=year)
    if period.kind == "half":
        return (_("6 tháng đầu năm %(year)s", year=year) if period.start.month == 1
                else _("6 tháng cuối năm %(year)s", year=year))
    return _("năm %(year)s", year=year)


def kept(macro: Any, *args: Hashable) -> Markup:
    """A template macro's output, rendered once for these arguments and the reader's locale.

    For the rows of the long comparison tables (the province view renders a few hundred, most
    of them the same from one request to the next). Only for a macro whose output depends on its
    arguments, the locale and the app's URLs alone: nothing of the request or the user.
    """
    code = getattr(getattr(macro, "_func", None), "__code__", None)
    if code is None:  # not a Jinja macro whose code can name it: rendered every time
        return macro(*args)
    key = (code, args, str(get_locale()), request.script_root if has_request_context() else "")
    try:
        found = _KEPT.get(key)
    except TypeError:  # an argument that cannot be a key: rendered every time
        return macro(*args)
    if found is None:
        found = macro(*args)  # a macro's output is Markup already (autoescaped)
        if len(_KEPT) >= KEPT_FRAGMENTS:
            _KEPT.clear()
        _KEPT[key] = found
    return found


KEPT_FRAGMENTS = 1 << 14
_KEPT: dict[tuple[Any, ...], Markup] = {}


def init_app(app: Flask) -> None:
    app.add_template_global(kept, "kept")
    app.add_template_filter(pct, "pct")
    app.add_template_filter(num, "num")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(period_words, "period_words")
