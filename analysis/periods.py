"""Reporting periods: the SPEC §3 label of the year, half, quarter or month containing a date."""

from __future__ import annotations

from datetime import date

__all__ = ["period_label"]


def period_label(day: date, kind: str) -> str:
    """The SPEC §3 label of the ``kind`` period containing a local date.

    Parameters
    ----------
    day : datetime.date
        A calendar date, already in local time (Asia/Ho_Chi_Minh): the caller converts
        timestamps, this function only reads the year and the month.
    kind : {"year", "half", "quarter", "month"}
        The length of the period.

    Returns
    -------
    str
        ``"2026"``, ``"2026-H1"`` or ``"2026-H2"``, ``"2026-Q1"`` to ``"2026-Q4"``, or
        ``"2026-01"`` to ``"2026-12"``.

    Raises
    ------
    ValueError
        When ``kind`` is not one of the four kinds.

    Examples
    --------
    >>> [period_label(date(2026, 8, 1), k) for k in ("year", "half", "quarter", "month")]
    ['2026', '2026-H2', '2026-Q3', '2026-08']
    >>> period_label(date(2026, 6, 30), "half"), period_label(date(2026, 12, 31), "quarter")
    ('2026-H1', '2026-Q4')
    """
    if kind == "year":
        return f"{day.year}"
    if kind == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"kind must be 'year', 'half', 'quarter' or 'month', got {kind!r}")
