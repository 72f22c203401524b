"""SQL aggregates: responses become per-group counts and sums here, never Python loops over rows.

Every function takes a :class:`Scope` (which responses) and the names of the columns to group by,
and returns plain numbers keyed by the grouping values. Excluded responses never count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from survey.exporting import local_bounds
from survey.extensions import AnySession
from survey.models import Answer, Instrument, Response, ResponseProblem
from survey.reporting import cache
from survey.reporting.periods import Period

GROUPABLE = {
    "unit": Response.unit_id, "sector": Response.sector_id, "procedure": Response.procedure_id,
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


def item_sums(session: AnySession, scope: Scope, by: Sequence[str] = (),
              items: Sequence[str] | None = None) -> dict[Key, ItemSums]:
    """Σ y_j y_k, Σ y_j a_k and Σ a_j a_k per group by a self-join of ``answer`` on the response.

    ``items`` restricts the items (default: every component item, never ``overall``).
    """
    key = ("items", repr(scope), tuple(by), None if items is None else tuple(items))
    return cache.remember(session, key, lambda: _item_sums(session, scope, by, items))


def _item_sums(session: AnySession, scope: Scope, by: Sequence[str],
               items: Sequence[str] | None) -> dict[Key, ItemSums]:
    first, second = aliased(Answer), aliased(Answer)
    columns = _columns(scope, by)
    both = case((and_(first.value >= 4, second.value >= 4), 1), else_=0)
    query = (
        select(*columns, first.item_key, second.item_key, func.sum(both),
               func.sum(case((first.value >= 4, 1), else_=0)), func.count())
        .select_from(Response)
        .join(first, first.response_id == Response.id)
        .join(second, second.response_id == Response.id)
    )
    for alias in (first, second):
        if items is not None:
            query = query.where(alias.item_key.in_(list(items)))
        else:
            query = query.where(alias.item_key != "overall", alias.item_key.not_like("overall.%"))
    rows = session.execute(_grouped(query, columns, scope).group_by(first.item_key,
                                                                     second.item_key)).all()
    k = len(columns)
    cells: dict[Key, list[tuple[str, str, float, float, float]]] = {}
    for row in rows:
        cells.setdefault(tuple(row[:k]), []).append(
            (row[k], row[k + 1], float(row[k + 2] or 0), float(row[k + 3] or 0), float(row[k + 4]))
        )
    out: dict[Key, ItemSums] = {}
    for key, group in cells.items():
        names = sorted({c[0] for c in group})
        sums = ItemSums.empty(names)
        position = {name: i for i, name in enumerate(names)}
        for a, b, yy, ya, aa in group:
            i, j = position[a], position[b]
            sums.yy[i, j], sums.ya[i, j], sums.aa[i, j] = yy, ya, aa
        out[key] = sums
    respondents = _respondents(session, scope, by, items)
    for key, sums in out.items():
        sums.respondents = respondents.get(key, 0)
    return out


def _respondents(session: AnySession, scope: Scope, by: Sequence[str],
                 items: Sequence[str] | None) -> dict[Key, int]:
    columns = _columns(scope, by)
    answered = select(Answer.response_id).where(
        Answer.item_key.in_(list(items)) if items is not None
        else and_(Answer.item_key != "overall", Answer.item_key.not_like("overall.%"))
    )
    query = select(*columns, func.count()).where(Response.id.in_(answered))
    rows = session.execute(_grouped(query, columns, scope)).all()
    return {tuple(row[:-1]): int(row[-1]) for row in rows}


def problem_tallies(session: AnySession, scope: Scope) -> list[tuple[str, int]]:
    """"What went wrong" codes and how many responses chose each, most frequent first."""
    query = (select(ResponseProblem.code, func.count())
             .join(Response, Response.id == ResponseProblem.response_id)
             .where(*scope.where()).group_by(ResponseProblem.code)
             .order_by(func.count().desc(), ResponseProblem.code))
    return [(code, int(count)) for code, count in session.execute(query).all()]


def comments(session: AnySession, scope: Scope, *, limit: int = 50) -> list[tuple[object, str, int | None]]:
    """The latest comments (time, text, overall rating); callers check who may read them."""
    query = (select(Response.submitted_at, Response.comment, Response.overall)
             .where(*scope.where(), Response.comment.is_not(None), Response.comment != "")
             .order_by(Response.submitted_at.desc()).limit(limit))
    return [tuple(row) for row in session.execute(query).all()]  # type: ignore[misc]

