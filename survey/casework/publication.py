"""Công khai kết quả xử lý phản ánh, kiến nghị: the monthly figures and the published replies.

For the cases received in a month (local days), counted for the unit that holds them now:

- **on time**: answered on or before the deadline (``due_on``, a local day);
- **late**: answered after it;
- **open**: not answered yet (``overdue`` when the deadline has passed);
- **closed without a reply**: closed by Sở Nội vụ as a duplicate or not a complaint.

A unit's page counts its roll-up (its subtree and the units it succeeded). These are counts of
cases, not of survey answers, so ``min_n`` does not apply; the texts shown are only those the
citizen agreed to publish and the handler checked, with phone numbers, e-mail addresses and
identity and dossier numbers replaced (:func:`redact`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field
from datetime import date

from sqlalchemy import select

from survey.extensions import AnySession
from survey.models import Complaint, Sector
from survey.periods import LOCAL, Period, bounds

HIDDEN = "[đã ẩn]"
_PERSONAL = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"\b\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}\b"),  # one-stop dossier code
    re.compile(r"(?<!\w)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\w)"),  # phone
    re.compile(r"(?<!\d)\d{9}(?:\d{3})?(?!\d)"),  # CMND (9) or CCCD (12) number
]


def redact(text: str | None) -> str:
    """``text`` with e-mail addresses, phone, dossier and identity numbers replaced."""
    out = text or ""
    for pattern in _PERSONAL:
        out = pattern.sub(HIDDEN, out)
    return out


@dataclass
class Tally:
    received: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    dismissed: int = 0

    def add(self, complaint: Complaint, today: date) -> None:
        self.received += 1
        if complaint.answered_at is not None:
            answered = complaint.answered_at.astimezone(LOCAL).date()
            if answered <= complaint.due_on:
                self.on_time += 1
            else:
                self.late += 1
        elif complaint.status == "closed":
            self.dismissed += 1
        else:
            self.open += 1
            self.overdue += complaint.due_on < today

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def on_time_share(self) -> float | None:
        answered = self.on_time + self.late
        return self.on_time / answered if answered else None


@dataclass
class Month:
    period: Period
    total: Tally = field(default_factory=Tally)
    by_sector: dict[str, Tally] = field(default_factory=dict)
    by_unit: dict[int, Tally] = field(default_factory=dict)
    replies: list[Complaint] = field(default_factory=list)


def month(session: AnySession, unit_ids: Sequence[int] | None, period: Period, today: date) -> Month:
    """The figures of the cases received in ``period`` by the units ``unit_ids`` (None: all)."""
    lower, upper = bounds(period)
    query = select(Complaint).where(Complaint.received_at >= lower, Complaint.received_at < upper)
    if unit_ids is not None:
        query = query.where(Complaint.unit_id.in_(list(unit_ids)))
    sectors = dict(session.execute(select(Sector.id, Sector.name)).all())
    out = Month(period)
    for complaint in session.scalars(query.order_by(Complaint.received_at)):
        out.total.add(complaint, today)
        sector = sectors.get(complaint.sector_id, "") if complaint.sector_id else ""
        out.by_sector.setdefault(sector, Tally()).add(complaint, today)
        out.by_unit.setdefault(complaint.unit_id, Tally()).add(complaint, today)
        if complaint.published and complaint.public_text and complaint.public_reply:
            out.replies.append(complaint)
    return out
