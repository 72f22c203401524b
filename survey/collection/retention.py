"""Deleting responses past their keeping time, with their answers, keys and reporting cells.

The province may keep citizens' answers for a fixed number of months
(``RESPONSE_RETENTION_MONTHS``; unset, they are kept for ever). Only whole local months go: a
reporting cell holds one local month (:mod:`survey.models.cells`), so a month's cells are
deleted with its responses, and every figure of a later month stays what it was, to the answer.
A report already issued keeps the figures it was issued with (:mod:`survey.reporting.publication`).
The deletion is audited (how many responses, before which month), never with what they said.

On PostgreSQL the old months' partitions are dropped whole (:func:`partitions.drop_before`), and
only the rows of those months that wait in a default partition are deleted row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from survey.administration import audit
from survey.collection import partitions
from survey.extensions import AnySession
from survey.models import Answer, CountCell, ItemCell, ProblemCell, Response, ResponseKey, ResponseProblem
from survey.periods import local_bounds


class RetentionError(ValueError):
    """The cut is not the first day of a month."""


@dataclass(frozen=True)
class Purged:
    before: date
    responses: int
    cells: int


def cut(today: date, months: int) -> date:
    """The first day of the month ``months`` months before ``today``'s: what is kept begins there."""
    if months < 1:
        raise RetentionError(f"a retention of {months} months keeps nothing")
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def purge(session: AnySession, before: date) -> Purged:
    """Delete every response answered before the local month that begins on ``before``, with its
    answers, "what went wrong" choices and keys, and the cells of those months. Audited when
    anything went; flushes, never commits."""
    if before.day != 1:
        raise RetentionError(f"responses are kept or deleted by whole months, not from {before}")
    instant = local_bounds(before, None)[0]
    count = session.scalar(select(func.count()).select_from(Response).where(Response.submitted_at < instant))
    partitions.drop_before(session, before)
    for model in (Answer, ResponseProblem, ResponseKey, Response):
        session.execute(delete(model).where(model.submitted_at < instant)
                        .execution_options(synchronize_session=False))
    cells = 0
    for table in (CountCell, ItemCell, ProblemCell):
        result: Any = session.execute(delete(table).where(table.month < before)
                                      .execution_options(synchronize_session=False))
        cells += result.rowcount
    if count:
        audit.record(session, actor=None, action="responses.purge", object_type="response",
                     object_id=before.isoformat(), before={"responses": count, "before": before.isoformat()},
                     after={"responses": 0})
    session.flush()
    return Purged(before, int(count or 0), cells)
