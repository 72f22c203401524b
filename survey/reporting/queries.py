"""Reads of the reporting cells: per-group counts and sums, never a loop over responses.

Every function takes a :class:`Scope` (which responses) and the names of the columns to group by,
and returns plain numbers keyed by the grouping values. They read the cells
(:mod:`survey.models.cells`, kept by :mod:`survey.collection.cells`), so a page's cost grows with
the units and months it shows, not with the answers. Excluded responses never count. Only
:func:`comments` reads responses, the latest few of a scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Table, and_, case, func, literal, or_, select

from survey.collection import cells
from survey.collection.cells import COUNTS, ITEMS, PROBLEMS
from survey.extensions import AnySession
from survey.models import Instrument, Response, ServicePoint
from survey.models.responses import commented
from survey.periods import LOCAL, Period, local_bounds
from survey.reporting import cache

GROUPABLE = {
    "unit": "unit_id", "instrument": "instrument_id", "sector": "sector_id",
    "procedure": "procedure_id", "service_point": "service_point_id", "channel": "channel",
    "respondent_type": "respondent_type",
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
        """On ``response``: the responses of the scope that are not excluded."""
        clauses: list[ColumnElement[bool]] = [Response.excluded.is_(False)]
        lower, upper = local_bounds(self.start, self.end)
        if lower is not None:
            clauses.append(Response.submitted_at >= lower)
        if upper is not None:
            clauses.append(Response.submitted_at < upper)
        return clauses + _narrowing(self, Response.unit_id, Response.procedure_id.is_not(None),
                                    Response.sector_id, Response.instrument_id,
                                    Response.service_point_id)


def _narrowing(scope: Scope, unit: Any, named: ColumnElement[bool], sector: Any, instrument: Any,
               point: Any) -> list[ColumnElement[bool]]:
    """The scope's units, procedure and sector/instrument/point filters on the given columns."""
    clauses: list[ColumnElement[bool]] = []
    if scope.unit_ids is not None:
        clauses.append(unit.in_(list(scope.unit_ids)))
    if scope.with_procedure:
        clauses.append(named)
    either = []
    if scope.sector_ids is not None:
        either.append(sector.in_(list(scope.sector_ids)))
    if scope.instrument_keys is not None:
        either.append(instrument.in_(
            select(Instrument.id).where(Instrument.key.in_(list(scope.instrument_keys)))))
    if scope.point_kinds is not None:
        either.append(point.in_(
            select(ServicePoint.id).where(ServicePoint.kind.in_(list(scope.point_kinds)))))
    if either:
        clauses.append(or_(*either))
    return clauses


def _months(first: date, last: date) -> tuple[date, date]:
    """The months a span of whole months covers (cells hold months; a period is a union of them)."""
    if first.day != 1 or (last + timedelta(days=1)).day != 1:
        raise ValueError(f"reporting periods are whole months, not {first} – {last}")
    return first, last.replace(day=1)


def _cell_where(scope: Scope, table: Table) -> list[ColumnElement[bool]]:
    """``Scope.where`` on a cell table (cells hold only responses that are not excluded)."""
    c = table.c
    clauses: list[ColumnElement[bool]] = []
    if scope.start is not None:
        if scope.start.day != 1:
            raise ValueError(f"reporting periods begin on a month's first day, not {scope.start}")
        clauses.append(c.month >= scope.start)
    if scope.end is not None:
        if (scope.end + timedelta(days=1)).day != 1:
            raise ValueError(f"reporting periods end on a month's last day, not {scope.end}")
        clauses.append(c.month <= scope.end)
    if scope.buckets:
        clauses.append(c.month >= scope.buckets[0].start)
        clauses.append(c.month <= scope.buckets[-1].end)
    named = c.procedure_id.is_not(None) if "procedure_id" in c else c.with_procedure.is_(True)
    return clauses + _narrowing(scope, c.unit_id, named, c.sector_id, c.instrument_id,
                                c.service_point_id)


def _bucket(periods: Sequence[Period], table: Table) -> ColumnElement[str]:
    """A CASE expression naming the period of each cell's month."""
    whens = []
    for period in periods:
        first, last = _months(period.start, period.end)
        whens.append((and_(table.c.month >= first, table.c.month <= last), literal(period.label)))
    return case(*whens, else_=literal(None))


def _columns(scope: Scope, by: Sequence[str], table: Table) -> list[Any]:
    out = []
    for name in by:
        if name == "period":
            out.append(_bucket(scope.buckets, table))
        elif GROUPABLE[name] not in table.c:
            raise ValueError(f"{table.name} is not kept by {name}")
        else:
            out.append(table.c[GROUPABLE[name]])
    return out


def _grouped(table: Table, scope: Scope, by: Sequence[str], *measures: Any) -> Any:
    columns = _columns(scope, by, table)
    query = select(*columns, *measures).where(*_cell_where(scope, table))
    return (query.group_by(*columns) if columns else query), len(columns)


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
    """The count cells in ``scope``, summed by ``by`` (groups without responses left out)."""
    return cache.remember(session, ("overall", repr(scope), tuple(by)),
                          lambda: _overall_counts(session, scope, by))


def _overall_counts(session: AnySession, scope: Scope, by: Sequence[str]) -> dict[Key, OverallCounts]:
    # The coarse item cells hold the same counts in far fewer rows; the count cells are read only
    # for what they alone keep (a procedure, a channel, a respondent type).
    coarse = all(name == "period" or GROUPABLE[name] in ITEMS.c for name in by)
    table = ITEMS if coarse else COUNTS
    c = table.c
    query, k = _grouped(table, scope, by, func.sum(c.responses), func.sum(c.n), func.sum(c.s))
    return {tuple(row[:k]): OverallCounts(int(row[k]), int(row[k + 1]), int(row[k + 2]))
            for row in session.execute(query).all() if row[k]}


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


def item_sums(session: AnySession, scope: Scope, by: Sequence[str] = ()) -> dict[Key, ItemSums]:
    """Σ y_j y_k, Σ y_j a_k and Σ a_j a_k of the component items per group (never ``overall``).

    Items only co-occur within an instrument: each group's item cells are added up per
    instrument (one matrix sum over their stored blocks), then the instruments side by side.
    """
    key = ("items", repr(scope), tuple(by))
    return cache.remember(session, key, lambda: _item_sums(session, scope, by))


def _item_sums(session: AnySession, scope: Scope, by: Sequence[str]) -> dict[Key, ItemSums]:
    c = ITEMS.c
    columns = _columns(scope, by, ITEMS)
    width = len(columns)
    query = select(*columns, c.instrument_id, c.respondents, c.stats).where(*_cell_where(scope, ITEMS))
    parts: dict[tuple[Key, int], tuple[int, list[bytes]]] = {}
    for row in session.execute(query).all():
        held = parts.setdefault((tuple(row[:width]), int(row[width])), (0, []))
        parts[(tuple(row[:width]), int(row[width]))] = (held[0] + int(row[width + 1]), held[1])
        if row[width + 2]:
            held[1].append(bytes(row[width + 2]))
    keys = (cache.remember(session, ("instrument keys",), lambda: cells.instrument_keys(session))
            if parts else {})
    out: dict[Key, ItemSums] = {}
    for (group, instrument_id), (respondents, blobs) in parts.items():
        items = keys[instrument_id]
        k = len(items)
        if not respondents or not blobs or not k:
            continue
        block = np.frombuffer(b"".join(blobs), dtype="<i4").reshape(-1, 3, k, k).sum(axis=0)
        sums = _only(ItemSums(list(items), yy=block[0].astype(float), ya=block[1].astype(float),
                              aa=block[2].astype(float), respondents=respondents),
                     np.diag(block[2]) > 0)
        if group not in out:
            out[group] = sums
            continue
        merged = ItemSums.empty(sorted(set(out[group].items) | set(sums.items)))
        merged.add(out[group])
        merged.add(sums)
        out[group] = merged
    return out


def _only(sums: ItemSums, keep: np.ndarray) -> ItemSums:
    """The statistics restricted to the items with answers in this group."""
    index = np.flatnonzero(keep)
    grid = np.ix_(index, index)
    return ItemSums([sums.items[i] for i in index], sums.yy[grid], sums.ya[grid], sums.aa[grid],
                    sums.respondents)


def problem_tallies(session: AnySession, scope: Scope) -> list[tuple[str, int]]:
    """"What went wrong" codes and how many responses chose each, most frequent first."""
    c = PROBLEMS.c
    total = func.sum(c.responses)
    query = (select(c.code, total).where(*_cell_where(scope, PROBLEMS)).group_by(c.code)
             .order_by(total.desc(), c.code))
    return [(code, int(count)) for code, count in session.execute(query).all() if count]


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
             .where(*scope.where(), commented))
    if before is not None:
        query = query.where(Response.submitted_at < before)
    rows = session.execute(query.order_by(Response.submitted_at.desc()).limit(limit)).all()
    days = [(at.astimezone(LOCAL).date(), rid, text, overall) for at, rid, text, overall in rows]
    return [(day, str(text), overall) for day, _rid, text, overall in
            sorted(days, key=lambda row: (-row[0].toordinal(), row[1]))]
