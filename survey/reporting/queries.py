"""SQL aggregates: responses become per-group counts and sums here, never Python loops over rows.

Every function takes a :class:`Scope` (which responses) and the names of the columns to group by,
and returns plain numbers keyed by the grouping values. Excluded responses never count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from survey.extensions import AnySession
from survey.models import Answer, Instrument, Response, ResponseProblem, ServicePoint
from survey.periods import LOCAL, Period, local_bounds
from survey.reporting import cache

GROUPABLE = {
    "unit": Response.unit_id, "instrument": Response.instrument_id, "sector": Response.sector_id,
    "procedure": Response.procedure_id,
    "service_point": Response.service_point_id, "channel": Response.channel,
    "respondent_type": Response.respondent_type,
}
Key = tuple[object, ...]


@dataclass(frozen=True)
class Scope:
    """Which responses: units (already expanded to their roll-up), local days, and filters."""

    unit_ids: Sequence[int] | None = None
    start: date | None = None
    end: date | None = None
    sector_ids: Sequence[int] | None = None
    instrument_keys: Sequence[str] | None = None
    point_kinds: Sequence[str] | None = None  # with sector_ids and instrument_keys: any of the three
    with_procedure: bool = False
    buckets: Sequence[Period] = field(default_factory=tuple)

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Response.excluded.is_(False)]
        lower, upper = local_bounds(self.start, self.end)
        if lower is not None:
            clauses.append(Response.submitted_at >= lower)
        if upper is not None:
            clauses.append(Response.submitted_at < upper)
        if self.unit_ids is not None:
            clauses.append(Response.unit_id.in_(list(self.unit_ids)))
        if self.with_procedure:
            clauses.append(Response.procedure_id.is_not(None))
        either = []
        if self.sector_ids is not None:
            either.append(Response.sector_id.in_(list(self.sector_ids)))
        if self.instrument_keys is not None:
            keys = select(Instrument.id).where(Instrument.key.in_(list(self.instrument_keys)))
            either.append(Response.instrument_id.in_(keys))
        if self.point_kinds is not None:
            points = select(ServicePoint.id).where(ServicePoint.kind.in_(list(self.point_kinds)))
            either.append(Response.service_point_id.in_(points))
        if either:
            clauses.append(or_(*either))
        return clauses


def _bucket(periods: Sequence[Period]) -> ColumnElement[str]:
    """A CASE expression naming the period of each response (portable: no date functions)."""
    whens = []
    for period in periods:
        lower, upper = local_bounds(period.start, period.end)
        whens.append((and_(Response.submitted_at >= lower, Response.submitted_at < upper),
                      literal(period.label)))
    return case(*whens, else_=literal(None))


def _columns(scope: Scope, by: Sequence[str]) -> list[Any]:
    return [_bucket(scope.buckets) if name == "period" else GROUPABLE[name] for name in by]


def _grouped(query: Any, columns: list[Any], scope: Scope) -> Any:
    query = query.where(*scope.where())
    if scope.buckets:
        first, last = scope.buckets[0], scope.buckets[-1]
        lower, upper = local_bounds(first.start, last.end)
        query = query.where(Response.submitted_at >= lower, Response.submitted_at < upper)
    return query.group_by(*columns) if columns else query


@dataclass
class OverallCounts:
    """Per group: responses, answers to ``overall`` and satisfied answers (4 or 5)."""

    responses: int = 0
    n: int = 0
    s: int = 0

    def add(self, other: OverallCounts) -> None:
        self.responses += other.responses
        self.n += other.n
        self.s += other.s


def overall_counts(session: AnySession, scope: Scope, by: Sequence[str] = ()) -> dict[Key, OverallCounts]:
    """One scan of ``response`` (the denormalised ``overall`` column) grouped by ``by``."""
    return cache.remember(session, ("overall", repr(scope), tuple(by)),
                          lambda: _overall_counts(session, scope, by))


def _overall_counts(session: AnySession, scope: Scope, by: Sequence[str]) -> dict[Key, OverallCounts]:
    columns = _columns(scope, by)
    satisfied = func.sum(case((Response.overall >= 4, 1), else_=0))
    query = select(*columns, func.count(), func.count(Response.overall), satisfied)
    rows = session.execute(_grouped(query, columns, scope)).all()
    k = len(columns)
    return {tuple(row[:k]): OverallCounts(int(row[k]), int(row[k + 1]), int(row[k + 2] or 0))
            for row in rows if row[k]}


@dataclass
class ItemSums:
    """Sufficient statistics of the component items of one group (see ``analysis.ItemStats``)."""

    items: list[str]
    yy: np.ndarray
    ya: np.ndarray
    aa: np.ndarray
    respondents: int = 0

    @classmethod
    def empty(cls, items: list[str]) -> ItemSums:
        k = len(items)
        return cls(items, np.zeros((k, k)), np.zeros((k, k)), np.zeros((k, k)))

    def add(self, other: ItemSums) -> None:
        index = [self.items.index(item) for item in other.items]
        grid = np.ix_(index, index)
        self.yy[grid] += other.yy
        self.ya[grid] += other.ya
        self.aa[grid] += other.aa
        self.respondents += other.respondents


def is_component_item(key: str) -> bool:
    return key != "overall" and not key.startswith("overall.")


def item_sums(session: AnySession, scope: Scope, by: Sequence[str] = ()) -> dict[Key, ItemSums]:
    """Σ y_j y_k, Σ y_j a_k and Σ a_j a_k of the component items per group (never ``overall``).

    Items only co-occur within an instrument, so each instrument present in the scope gets one
    query: an inner GROUP BY pivots each response's answers into 0/1 columns y_j, a_j, and the
    outer GROUP BY sums their products. This reads each answer once (a self-join of ``answer``
    would read k² rows per response).
    """
    key = ("items", repr(scope), tuple(by))
    return cache.remember(session, key, lambda: _item_sums(session, scope, by))


def _item_sums(session: AnySession, scope: Scope, by: Sequence[str]) -> dict[Key, ItemSums]:
    present = overall_counts(session, scope, ("instrument",))
    out: dict[Key, ItemSums] = {}
    for instrument in session.scalars(select(Instrument).where(
            Instrument.id.in_([key[0] for key in present]))):
        keys = sorted(k for k in instrument.item_keys if is_component_item(k))
        if not keys:
            continue
        for group, sums in _pivot(session, scope, by, instrument.id, keys).items():
            if group not in out:
                out[group] = sums
                continue
            merged = ItemSums.empty(sorted(set(out[group].items) | set(sums.items)))
            merged.add(out[group])
            merged.add(sums)
            out[group] = merged
    return out


def _pivot(session: AnySession, scope: Scope, by: Sequence[str], instrument_id: int,
           keys: list[str]) -> dict[Key, ItemSums]:
    """One pass over the instrument's component answers; the cross-products are summed in numpy.

    Building the k(k+1) SUM expressions in SQL cost more than the query itself (about 80 ms per
    call for a 9-item instrument), so the database returns one row per answer and each group's
    ``Y'Y``, ``A'A`` and ``Y'A`` are matrix products over its respondents.
    """
    columns = _columns(scope, by)
    query = _grouped(
        select(*columns, Answer.response_id, Answer.item_key, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.instrument_id == instrument_id, Answer.item_key.in_(keys),
               Answer.value.is_not(None)), [], scope)
    width = len(columns)
    column_of = {key: j for j, key in enumerate(keys)}
    row_of: dict[object, int] = {}
    group_rows: dict[Key, list[int]] = {}
    cells: list[tuple[int, int, float]] = []
    for row in session.execute(query).all():
        respondent = row[width]
        index = row_of.get(respondent)
        if index is None:
            index = row_of[respondent] = len(row_of)
            group_rows.setdefault(tuple(row[:width]), []).append(index)
        cells.append((index, column_of[row[width + 1]], float(row[width + 2])))
    k = len(keys)
    values = np.zeros((len(row_of), k))
    answered = np.zeros((len(row_of), k))
    if cells:
        at = np.array(cells)
        rows, cols = at[:, 0].astype(int), at[:, 1].astype(int)
        values[rows, cols] = at[:, 2]
        answered[rows, cols] = 1.0
    satisfied = (values >= 4).astype(float)
    out: dict[Key, ItemSums] = {}
    for group, members in group_rows.items():
        y, a = satisfied[members], answered[members]
        result = ItemSums(list(keys), yy=y.T @ y, ya=y.T @ a, aa=a.T @ a, respondents=len(members))
        out[group] = _only(result, np.diag(result.aa) > 0)
    return out


def _only(sums: ItemSums, keep: np.ndarray) -> ItemSums:
    """The statistics restricted to the items with answers in this group."""
    index = np.flatnonzero(keep)
    grid = np.ix_(index, index)
    return ItemSums([sums.items[i] for i in index], sums.yy[grid], sums.ya[grid], sums.aa[grid],
                    sums.respondents)


def problem_tallies(session: AnySession, scope: Scope) -> list[tuple[str, int]]:
    """"What went wrong" codes and how many responses chose each, most frequent first."""
    query = (select(ResponseProblem.code, func.count())
             .join(Response, Response.id == ResponseProblem.response_id)
             .where(*scope.where()).group_by(ResponseProblem.code)
             .order_by(func.count().desc(), ResponseProblem.code))
    return [(code, int(count)) for code, count in session.execute(query).all()]


def comments(session: AnySession, scope: Scope, *, limit: int = 50,
             before: datetime | None = None) -> list[tuple[date, str, int | None]]:
    """The latest comments as (local day, text, overall rating), newest day first.

    SPEC §6: a comment is shown with its day, never its time, and within a day in no order that
    follows the time (by the response's random id), so an officer cannot match it to the citizen
    served at a given moment. ``before`` leaves out the newest ones (the dashboard shows a comment
    from the next day on). Callers check who may read comments
    (:func:`survey.administration.access.may_read_comments`).
    """
    query = (select(Response.submitted_at, Response.id, Response.comment, Response.overall)
             .where(*scope.where(), Response.comment.is_not(None), Response.comment != ""))
    if before is not None:
        query = query.where(Response.submitted_at < before)
    rows = session.execute(query.order_by(Response.submitted_at.desc()).limit(limit)).all()
    days = [(at.astimezone(LOCAL).date(), rid, text, overall) for at, rid, text, overall in rows]
    return [(day, str(text), overall) for day, _rid, text, overall in
            sorted(days, key=lambda row: (-row[0].toordinal(), row[1]))]
