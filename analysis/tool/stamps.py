"""Local dates of ``submitted_at`` values and their SPEC §3 periods, vectorised.

Vietnam has kept UTC+07:00, without daylight saving, since 1975, so Asia/Ho_Chi_Minh is a fixed
offset for any date a response can carry and no time-zone database is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.periods import period_label

__all__ = ["Period", "code_label", "days_of", "local_date", "local_days", "period_code"]

Period = Literal["year", "half", "quarter", "month"]
SEVEN = timedelta(hours=7)
EPOCH = date(1970, 1, 1)
Ints = NDArray[np.int64]


def local_date(text: str) -> date:
    """The Asia/Ho_Chi_Minh calendar date of an ISO 8601 timestamp with offset.

    >>> local_date("2026-06-30T20:00:00+00:00")
    datetime.date(2026, 7, 1)
    """
    moment = datetime.fromisoformat(text)
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("no UTC offset")
    return (moment.replace(tzinfo=None) - offset + SEVEN).date()


def _digits(chars: NDArray[np.uint32], start: int, width: int) -> tuple[Ints, NDArray[np.bool_]]:
    part = chars[:, start:start + width].astype(np.int64) - ord("0")
    ok: NDArray[np.bool_] = np.asarray(((part >= 0) & (part <= 9)).all(axis=1))
    value = np.zeros(chars.shape[0], dtype=np.int64)
    for i in range(width):
        value = value * 10 + part[:, i]
    return value, ok


def local_days(stamps: Sequence[str]) -> tuple[Ints, NDArray[np.bool_]]:
    """Days since 1970-01-01 of the local date of each stamp, and a mask of the stamps that the
    fast path could not read (``YYYY-MM-DDTHH:MM:SS`` then ``Z`` or ``±HH:MM``); those get 0 and
    must be read one by one with :func:`local_date`, which also reports malformed ones."""
    n = len(stamps)
    arr = np.array(stamps, dtype=str)
    width = max(arr.dtype.itemsize // 4, 25)
    arr = arr.astype(f"<U{width}")
    chars = arr.view(np.uint32).reshape(n, width)
    length = (chars != 0).sum(axis=1)

    def at(i: int, symbol: str) -> NDArray[np.bool_]:
        matches: NDArray[np.bool_] = chars[:, i] == ord(symbol)
        return matches

    ok = at(4, "-") & at(7, "-") & (at(10, "T") | at(10, " ")) & at(13, ":") & at(16, ":")
    zulu = (length == 20) & at(19, "Z")
    signed = (length == 25) & (at(19, "+") | at(19, "-")) & at(22, ":")
    ok &= zulu | signed
    fields = {}
    for name, start, size in (("y", 0, 4), ("mo", 5, 2), ("d", 8, 2), ("h", 11, 2),
                              ("mi", 14, 2), ("s", 17, 2), ("oh", 20, 2), ("om", 23, 2)):
        value, digits = _digits(chars, start, size)
        fields[name] = value
        ok &= digits | (zulu & (name in ("oh", "om")))
    y, mo, d = fields["y"], fields["mo"], fields["d"]
    ok &= (mo >= 1) & (mo <= 12) & (fields["h"] <= 23) & (fields["mi"] <= 59)
    ok &= (fields["s"] <= 59) & (fields["oh"] <= 23) & (fields["om"] <= 59) & (y >= 1)
    month = np.where(ok, (y - 1970) * 12 + mo - 1, 0).astype("datetime64[M]")
    first = month.astype("datetime64[D]").astype(np.int64)
    days_in_month = (month + 1).astype("datetime64[D]").astype(np.int64) - first
    ok &= (d >= 1) & (d <= days_in_month)
    sign = np.where(at(19, "-"), -1, 1)
    offset = np.where(zulu, 0, sign * (fields["oh"] * 60 + fields["om"]))
    minutes = fields["h"] * 60 + fields["mi"] - offset + 7 * 60
    days = first + d - 1 + np.floor_divide(minutes, 1440)
    return np.where(ok, days, 0), ~ok


def period_code(days: Ints, period: Period) -> Ints:
    """An integer per period (year, half, quarter or month) of days since 1970-01-01."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    year: Ints = months // 12
    month0: Ints = months % 12
    if period == "year":
        return year
    if period == "half":
        return year * 2 + month0 // 6
    if period == "quarter":
        return year * 4 + month0 // 3
    return months


def code_label(code: int, period: Period) -> str:
    """The label of a :func:`period_code`.

    >>> code_label(int(period_code(np.array([20650]), "quarter")[0]), "quarter")
    '2026-Q3'
    """
    per_year = {"year": 1, "half": 2, "quarter": 4, "month": 12}[period]
    year, part = divmod(code, per_year)
    first_month = part * (12 // per_year) + 1
    return period_label(date(year + 1970, first_month, 1), period)


def days_of(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days
