"""Local time and reporting periods (SPEC §3 labels: ``2026``, ``2026-H1``, ``2026-Q3``, ``2026-07``).

Both sides use it: the write side dates answers and checks opening hours, the read side groups
by period. A period is a span of local calendar days; :func:`local_bounds` turns days into the
UTC instants that ``submitted_at`` is stored in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analysis import period_label as label_for

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
_LABEL = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    """A calendar period: its label and its first and last local days."""

    label: str
    start: date
    end: date

    @property
    def kind(self) -> str:
        rest = self.label[5:]
        return {"": "year", "H": "half", "Q": "quarter"}.get(rest[:1], "month")


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(label: str) -> Period:
    """``Period`` for a label; ValueError when the label is malformed.

    >>> parse_period("2026-Q3")
    Period(label='2026-Q3', start=datetime.date(2026, 7, 1), end=datetime.date(2026, 9, 30))
    >>> parse_period("2026-H1").end
    datetime.date(2026, 6, 30)
    """
    match = _LABEL.match(label or "")
    if not match:
        raise ValueError(f"not a period label like 2026, 2026-H1, 2026-Q3 or 2026-07: {label!r}")
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        first, last = 1, 12
    elif part[0] == "H":
        first = 1 if part == "H1" else 7
        last = first + 5
    elif part[0] == "Q":
        first = 3 * int(part[1]) - 2
        last = first + 2
    else:
        first = last = int(part)
    return Period(label, date(year, first, 1), _month_end(year, last))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL)


def local_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days [start, end] as aware instants [lower, upper); None stays open."""
    return (_midnight(start) if start else None,
            _midnight(end + timedelta(days=1)) if end else None)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's local days as aware instants [lower, upper)."""
    return _midnight(period.start), _midnight(period.end + timedelta(days=1))


def today() -> date:
    return datetime.now(LOCAL).date()


def current(kind: str = "quarter") -> Period:
    return parse_period(label_for(today(), kind))


def previous(period: Period) -> Period:
    return parse_period(label_for(period.start - timedelta(days=1), period.kind))


def series(last: Period, count: int) -> list[Period]:
    """``count`` consecutive periods of the same kind, ending with ``last``, oldest first."""
    out = [last]
    while len(out) < count:
        out.append(previous(out[-1]))
    return out[::-1]

