"""When a job falls due: the latest due moment at or before ``now``, named by its due key.

A job due "daily at 02:00" has, at 01:30 on 3 December, the due key of 2 December; at 02:00 it
gets 3 December's. Times are local (Asia/Ho_Chi_Minh). Only the latest moment is run: a timer
stopped for a week runs each job once when it starts again, not seven times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from survey.periods import LOCAL

Cadence = Literal["hourly", "daily", "monthly"]
KEY_FORMATS = {"hourly": "%Y-%m-%dT%H", "daily": "%Y-%m-%d", "monthly": "%Y-%m"}


@dataclass(frozen=True)
class Schedule:
    cadence: Cadence
    hour: int = 0  # local hour of day for daily and monthly jobs
    minute: int = 0

    def last_moment(self, now: datetime) -> datetime:
        """The latest due moment at or before ``now`` (aware, local)."""
        local = now.astimezone(LOCAL)
        if self.cadence == "hourly":
            moment = local.replace(minute=self.minute, second=0, microsecond=0)
            return moment if moment <= local else moment - timedelta(hours=1)
        moment = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.cadence == "daily":
            return moment if moment <= local else moment - timedelta(days=1)
        moment = moment.replace(day=1)
        if moment > local:
            moment = _add_month(moment, -1)
        return moment

    def next_moment(self, now: datetime) -> datetime:
        last = self.last_moment(now)
        if self.cadence == "hourly":
            return last + timedelta(hours=1)
        if self.cadence == "daily":
            return last + timedelta(days=1)
        return _add_month(last, 1)

    def due_key(self, now: datetime) -> str:
        return self.last_moment(now).strftime(KEY_FORMATS[self.cadence])


def _add_month(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)
