"""The reporting cells recomputed from the responses: ``flask reporting rebuild`` and ``verify``.

:func:`recompute` does not share the write path's arithmetic (:mod:`survey.collection.cells`): the
counts and problem tallies are grouped SQL sums, and each item cell's matrices are products over
its respondents' 0/1 answer matrix, so that :func:`verify` is an independent check of the cells
that every write kept. :func:`rebuild` takes the three tables' lock on PostgreSQL (``EXCLUSIVE``:
reads go on, writers wait), so that a response committed meanwhile is either in the recomputation or adds
itself to the rebuilt cells afterwards, never both and never neither. :func:`verify` takes the
lock only to confirm a difference it found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
from sqlalchemy import and_, case, func, insert, literal, select

from survey.collection import cells
from survey.collection.cells import COUNTS, ITEMS, PROBLEMS, Delta, Facts
from survey.extensions import AnySession
from survey.models import Answer, Response, ResponseProblem
from survey.models.responses import of_response
from survey.periods import LOCAL, bounds, parse_period

Progress = Callable[[str], None]


def _months(session: AnySession) -> list[date]:
    first, last = session.execute(select(func.min(Response.submitted_at),
                                         func.max(Response.submitted_at))).one()
    if first is None:
        return []
    month, end, out = cells.month_of(first), cells.month_of(last), []
    while month <= end:
        out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _bounds(months: list[date]) -> list[tuple[datetime, datetime]]:
    """Each month's first moment and the next month's, in local time."""
    return [bounds(parse_period(f"{month:%Y-%m}")) for month in months]


def _bucket(months: list[date]):
    whens = [(and_(Response.submitted_at >= lower, Response.submitted_at < upper), literal(i))
             for i, (lower, upper) in enumerate(_bounds(months))]
    return case(*whens, else_=literal(-1))


DIMS = [Response.unit_id, Response.instrument_id, Response.service_point_id, Response.procedure_id,
        Response.sector_id, Response.channel, Response.respondent_type]


def _facts(months: list[date], row: Sequence[Any]) -> Facts:
    """The dimensions of a grouped row (month index, unit, instrument, point, procedure, sector,
    channel, respondent type) as :class:`Facts`, for their cell keys."""
    at = datetime.combine(months[int(row[0])], time(12), LOCAL)
    return Facts(at, unit_id=row[1], instrument_id=row[2], service_point_id=row[3],
                 procedure_id=row[4], sector_id=row[5], channel=row[6], respondent_type=row[7],
                 overall=None)


def recompute(session: AnySession, progress: Progress | None = None) -> Delta:
    """Every non-empty cell, from the responses that are not excluded."""
    months = _months(session)
    delta = Delta()
    if not months:
        return delta
    bucket = _bucket(months)
    live = Response.excluded.is_(False)
    satisfied = func.sum(case((Response.overall >= 4, 1), else_=0))
    for row in session.execute(select(bucket, *DIMS, func.count(), func.count(Response.overall),
                                      satisfied).where(live).group_by(bucket, *DIMS)):
        facts = _facts(months, tuple(row))
        delta.counts[facts.count_key()] = [int(row[8]), int(row[9]), int(row[10] or 0)]
        delta.rows[("count", facts.count_key())] = facts.count_row()
    if progress:
        progress(f"{len(delta.counts)} count cells")
    with_procedure = Response.procedure_id.is_not(None)
    item_dims = [Response.unit_id, Response.instrument_id, Response.service_point_id,
                 with_procedure, Response.sector_id]
    for row in session.execute(select(bucket, *item_dims, func.count(), func.count(Response.overall),
                                      satisfied).where(live).group_by(bucket, *item_dims)):
        facts = _facts(months, (row[0], row[1], row[2], row[3], 1 if row[4] else None, row[5],
                                "", None))
        delta.unit_counts[facts.item_key()] = [int(row[6]), int(row[7]), int(row[8] or 0)]
        delta.rows[("item", facts.item_key())] = facts.item_row()
    for row in session.execute(select(bucket, *item_dims, ResponseProblem.code, func.count())
                               .join(Response, of_response(ResponseProblem))
                               .where(live).group_by(bucket, *item_dims, ResponseProblem.code)):
        facts = _facts(months, (row[0], row[1], row[2], row[3], 1 if row[4] else None, row[5],
                                "", None))
        key = f"{facts.item_key()}|{row[6]}"
        delta.problems[key] = int(row[7])
        delta.rows[("problem", key)] = {**facts.item_row(), "key": key, "code": row[6]}
    _items(session, months, delta, progress)
    if progress:
        progress(f"{len(delta.unit_counts)} item cells, {len(delta.problems)} problem cells")
    return delta


def _items(session: AnySession, months: list[date], delta: Delta,
           progress: Progress | None = None) -> None:
    """The item cells' matrices, a month at a time: an item cell is one month's, so memory holds
    one month's answers, not all of them (ten million responses hold some sixty million)."""
    keys_of = cells.instrument_keys(session)
    with_procedure = Response.procedure_id.is_not(None)
    for i, (lower, upper) in enumerate(_bounds(months)):
        query = (select(literal(i), Response.unit_id, Response.instrument_id,
                        Response.service_point_id, with_procedure, Response.sector_id,
                        Answer.response_id, Answer.item_key, Answer.value)
                 .join(Response, of_response(Answer))
                 # Both tables' month: on PostgreSQL each is partitioned by it, and the bounds on
                 # the answers read the month's partition alone, not every month's.
                 .where(Response.submitted_at >= lower, Response.submitted_at < upper,
                        Answer.submitted_at >= lower, Answer.submitted_at < upper,
                        Response.excluded.is_(False), Answer.value.is_not(None),
                        Answer.item_key != "overall", ~Answer.item_key.startswith("overall.")))
        by_instrument: dict[int, list[Any]] = {}
        for row in session.execute(query):
            if cells.is_component_item(row[7]):
                by_instrument.setdefault(int(row[2]), []).append(row)
        for instrument_id, rows in by_instrument.items():
            _item_blocks(months, keys_of[instrument_id], rows, delta)
        if progress:
            progress(f"item cells of {months[i]:%m/%Y} ({i + 1}/{len(months)})")


def _item_blocks(months: list[date], keys: Sequence[str], rows: list[Any], delta: Delta) -> None:
    """One instrument's answers in one month: each cell's products of its respondents' 0/1
    answer matrix (satisfied, answered)."""
    column = {key: j for j, key in enumerate(keys)}
    index: dict[object, int] = {}
    group_of: dict[str, list[int]] = {}
    for row in rows:
        if row[6] not in index:
            index[row[6]] = len(index)
            facts = _facts(months, (row[0], row[1], row[2], row[3], 1 if row[4] else None,
                                    row[5], "", None))
            group_of.setdefault(facts.item_key(), []).append(index[row[6]])
            delta.rows[("item", facts.item_key())] = facts.item_row()
    y = np.zeros((len(index), len(keys)), dtype=np.int64)
    a = np.zeros_like(y)
    for row in rows:
        i, j = index[row[6]], column[str(row[7])]
        a[i, j] = 1
        y[i, j] = int(int(row[8]) >= 4)
    for key, members in group_of.items():
        ym, am = y[members], a[members]
        delta.respondents[key] = len(members)
        delta.blocks[key] = np.stack([ym.T @ ym, ym.T @ am, am.T @ am])


def _lock(session: AnySession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(func.now().select())  # begin before the lock
        session.connection().exec_driver_sql(
            "LOCK TABLE cell_count, cell_items, cell_problem IN EXCLUSIVE MODE")


def rebuild(session: AnySession, progress: Progress | None = None) -> tuple[int, int, int]:
    """Replace every cell by its recomputation; returns the numbers of count, item and problem cells."""
    _lock(session)
    delta = recompute(session, progress)
    cells.clear(session)
    counts = [{**delta.rows[("count", k)], "responses": r, "n": n, "s": s}
              for k, (r, n, s) in delta.counts.items()]
    items = [{**delta.rows[("item", k)], "responses": r, "n": n, "s": s,
              "respondents": delta.respondents.get(k, 0),
              "stats": cells.encode(delta.blocks[k]) if k in delta.blocks else b""}
             for k, (r, n, s) in delta.unit_counts.items()]
    problems = [{**delta.rows[("problem", k)], "responses": v} for k, v in delta.problems.items()]
    for table, rows in ((COUNTS, counts), (ITEMS, items), (PROBLEMS, problems)):
        # In key order, which begins with the month: a period's cells are then stored together
        # (a city's quarter of count cells on 600 pages of PostgreSQL's heap instead of 3,500).
        rows.sort(key=lambda row: str(row["key"]))
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start:start + 5000])
    session.flush()
    return len(counts), len(items), len(problems)


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    stored: object
    recomputed: object


def verify(session: AnySession, progress: Progress | None = None) -> list[Difference]:
    """Every cell whose stored sums differ from the recomputation (empty: the cells are exact).

    Writers are not held up: on PostgreSQL a response committed between the recomputation's
    statements and the reading of the cells can show as a difference, so differences are
    checked once more under the tables' lock, and only those that remain are returned.
    """
    found = _differences(session, progress)
    if found and session.get_bind().dialect.name == "postgresql":
        _lock(session)
        found = _differences(session, progress)
    return found


def _differences(session: AnySession, progress: Progress | None) -> list[Difference]:
    fresh = recompute(session, progress)
    out: list[Difference] = []
    stored_counts = {row.key: [row.responses, row.n, row.s] for row in session.execute(select(COUNTS))
                     if row.responses or row.n or row.s}
    for key in sorted(set(stored_counts) | set(fresh.counts)):
        if stored_counts.get(key) != fresh.counts.get(key):
            out.append(Difference("cell_count", key, stored_counts.get(key), fresh.counts.get(key)))
    stored_items = {row.key: ([row.responses, row.n, row.s, row.respondents], row.stats)
                    for row in session.execute(select(ITEMS))}
    for key in sorted(set(stored_items) | set(fresh.unit_counts)):
        counts, blob = stored_items.get(key, ([0, 0, 0, 0], b""))
        want = [*fresh.unit_counts.get(key, [0, 0, 0]), fresh.respondents.get(key, 0)]
        block = fresh.blocks.get(key)
        same = (np.array_equal(cells.decode(blob, block.shape[1]), block) if block is not None
                else not np.frombuffer(blob, dtype="<i4").any())
        if counts != want or not same:
            out.append(Difference("cell_items", key, counts, want))
    stored_problems = {row.key: row.responses for row in session.execute(select(PROBLEMS))
                       if row.responses}
    for key in sorted(set(stored_problems) | set(fresh.problems)):
        if stored_problems.get(key) != fresh.problems.get(key):
            out.append(Difference("cell_problem", key, stored_problems.get(key),
                                  fresh.problems.get(key)))
    return out
