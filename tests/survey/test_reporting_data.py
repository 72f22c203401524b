"""Crafted responses for the reporting, dashboard and report tests (helpers only, no tests)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from survey.collection import instruments
from survey.collection.responses import Context, Submission, record_response
from survey.models import Response, Target, Unit

MAY = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)  # 2026-Q2 in local time


def answer(session: Session, unit: Unit, ratings: dict[str, int], *, when: datetime = MAY,
           instrument: str = "sipas-short", comment: str | None = None,
           problems: tuple[str, ...] = (), excluded: bool = False, **context: Any) -> Response:
    found = instruments.current(session, instrument)
    assert found is not None
    key = uuid.uuid4().hex
    outcome = record_response(
        session,
        Context.of(found, unit, context.pop("channel", "kiosk"), **context),
        Submission(idempotency_key=key, ratings=ratings, submitted_at=when, comment=comment,
                   problems=list(problems)),
    )
    assert outcome == "recorded"
    response = session.query(Response).filter_by(idempotency_key=key).one()
    if excluded:
        response.excluded = True
        session.flush()
    return response


def many(session: Session, unit: Unit, satisfied: int, unsatisfied: int, **kwargs: Any) -> None:
    """``satisfied`` responses rating everything 5 and ``unsatisfied`` rating everything 2."""
    items = ("overall", "access.place", "procedure.as_posted", "staff.courteous",
             "result.as_promised", "feedback.easy")
    for value, count in ((5, satisfied), (2, unsatisfied)):
        for _i in range(count):
            answer(session, unit, dict.fromkeys(items, value), **kwargs)


def target(session: Session, *, code: str = "T-ADM", jurisdiction: str = "can_tho",
           object: str = "agency_service", threshold: float = 0.9, operator: str = ">=",
           sector_group: str | None = None, start: date = date(2026, 1, 1),
           end: date = date(2030, 12, 31)) -> Target:
    row = Target(code=code, jurisdiction=jurisdiction, source_document="Kế hoạch thử",
                 period_start=start, period_end=end, object=object, sector_group=sector_group,
                 operator=operator, threshold=threshold)
    session.add(row)
    session.flush()
    return row
