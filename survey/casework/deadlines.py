"""Working days for statutory-style deadlines: weekends and Vietnamese public holidays out.

Holidays come from the ``holidays`` library (country ``VN``, public holidays), which knows:

- the fixed holidays (Tết Dương lịch, 30/4, 1/5, Quốc khánh 2/9 and the day beside it, and from
  2026 Ngày Văn hóa Việt Nam 24/11) and the lunar ones (Tết Nguyên Đán from 29 or 30 tháng Chạp
  to mùng 4 or 5, Giỗ Tổ Hùng Vương 10/3 âm lịch);
- **observed days** (nghỉ bù): a holiday falling on a weekend gives the next working day off,
  and the library adds that day (e.g. Giỗ Tổ on Sunday 26/4/2026 → Monday 27/4/2026 off);
- **swapped days** the government announced before the library's release (e.g. Friday 2/5/2025
  off in exchange for Saturday 26/4/2025).

What it cannot know in advance is configured (``SURVEY_HOLIDAYS_EXTRA_OFF`` and
``SURVEY_HOLIDAYS_EXTRA_WORKING``, lists of ISO dates): the extra days off the Prime Minister
grants civil servants each year (a longer Tết, a bridge day) and the Saturdays worked in exchange,
which count as working days.

A case received on a working day counts from the next working day; one received on a day off
counts from the first working day after it; the deadline is the last of its ``n`` working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("VN", years=year, language="vi").items())


def _dates(values: Iterable[Any]) -> frozenset[date]:
    return frozenset(v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values)


class Calendar:
    """Which days are working days for a public office."""

    def __init__(self, *, extra_off: Iterable[Any] = (), extra_working: Iterable[Any] = ()) -> None:
        self.extra_off = _dates(extra_off)
        self.extra_working = _dates(extra_working)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Calendar:
        return cls(extra_off=config.get("HOLIDAYS_EXTRA_OFF") or (),
                   extra_working=config.get("HOLIDAYS_EXTRA_WORKING") or ())

    def holiday(self, day: date) -> str | None:
        """The name of the holiday on ``day`` (Vietnamese), if any."""
        if day in self.extra_off:
            return "Ngày nghỉ theo thông báo của Chính phủ"
        return _public_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working:
            return True
        return day.weekday() < 5 and self.holiday(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, received: date, n: int) -> date:
        """The last day of ``n`` working days counted from the working day after ``received``."""
        if n < 1:
            raise ValueError(f"a deadline needs at least one working day, not {n}")
        day = received
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many remain from ``start`` to a deadline ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def deadline(config: Mapping[str, Any], kind: str, received: date) -> date:
    days = dict(config["COMPLAINT_DEADLINE_DAYS"])
    return Calendar.from_config(config).add_working_days(received, int(days.get(kind, 10)))
