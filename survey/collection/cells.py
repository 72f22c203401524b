"""Keeping the reporting cells (:mod:`survey.models.cells`) equal to the responses, as they are written.

Cells are changed in the same transaction as the responses they sum, never by a later roll-up:

- a new response adds its part (:func:`add`, from ``record_response``);
- answers added to a response (a phone's "say more") add the difference (:func:`replace_items`);
- an exclusion takes a response's part away and its reversal gives it back (:func:`apply`).

Why in the transaction and not by folding past a watermark with a live tail (``docs/scaling.md``):
a tail query is a second way of computing every figure, and it grows with the writes since the
last fold, which is what the cells exist to avoid. A response adds one statement to each of three
small tables, and the lock it takes on its cells is held only until its commit.

Every writer changes the three tables in the same order, and the rows of each in key order, so
two transactions never wait for each other in a cycle on PostgreSQL. The count cells are added to
in SQL (``ON CONFLICT … DO UPDATE SET responses = responses + …``); the item cells' matrices are
read under the row lock that the same upsert takes, then written back.

:func:`recompute` is the independent check: the same sums computed from the responses with
grouped SQL and matrix products, the way the reports computed them before there were cells.
``flask reporting verify`` compares, ``flask reporting rebuild`` replaces.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from flask import g, has_app_context
from sqlalchemy import Connection, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from survey.extensions import AnySession
from survey.models import Answer, Instrument, Response, ResponseProblem
from survey.models.cells import CountCell, ItemCell, ProblemCell
from survey.periods import LOCAL

COUNTS: Table = CountCell.__table__  # type: ignore[assignment]
ITEMS: Table = ItemCell.__table__  # type: ignore[assignment]
PROBLEMS: Table = ProblemCell.__table__  # type: ignore[assignment]
DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}
CHUNK = 500


def is_component_item(key: str) -> bool:
    return key != "overall" and not key.startswith("overall.")


def component_keys(instrument: Instrument) -> list[str]:
    """The items whose cross-products an item cell holds, in the cell's order."""
    return sorted(k for k in instrument.item_keys if is_component_item(k))


def month_of(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date().replace(day=1)


@dataclass(frozen=True)
class Facts:
    """What a response contributes: its dimensions, ``overall``, component answers and problems."""

    submitted_at: datetime
    unit_id: int
    instrument_id: int
    service_point_id: int | None
    procedure_id: int | None
    sector_id: int | None
    channel: str
    respondent_type: str | None
    overall: int | None
    ratings: Mapping[str, int] = field(default_factory=dict)
    problems: Sequence[str] = ()

    @classmethod
    def of_row(cls, row: Mapping[str, object], ratings: Mapping[str, int],
               problems: Sequence[str]) -> Facts:
        """From the ``response`` row dict that ``record_response`` inserts."""
        return cls(**{name: row[name] for name in _DIMENSIONS}, overall=row["overall"],  # type: ignore[arg-type]
                   ratings=ratings, problems=tuple(problems))

    # Each is computed once per response: a response is written on every submission.
    @functools.cached_property
    def month(self) -> date:
        return month_of(self.submitted_at)

    @functools.cached_property
    def _count_key(self) -> str:
        return "|".join(_text(v) for v in (
            f"{self.month:%Y-%m}", self.unit_id, self.instrument_id, self.service_point_id,
            self.procedure_id, self.sector_id, self.channel, self.respondent_type))

    @functools.cached_property
    def _item_key(self) -> str:
        return "|".join(_text(v) for v in (
            f"{self.month:%Y-%m}", self.unit_id, self.instrument_id, self.service_point_id,
            self.sector_id, int(self.procedure_id is not None)))

    def count_key(self) -> str:
        return self._count_key

    def item_key(self) -> str:
        return self._item_key

    def count_row(self) -> dict[str, object]:
        return {"key": self.count_key(), "month": self.month, "unit_id": self.unit_id,
                "instrument_id": self.instrument_id, "service_point_id": self.service_point_id,
                "procedure_id": self.procedure_id, "sector_id": self.sector_id,
                "channel": self.channel, "respondent_type": self.respondent_type}

    def item_row(self) -> dict[str, object]:
        return {"key": self.item_key(), "month": self.month, "unit_id": self.unit_id,
                "instrument_id": self.instrument_id, "service_point_id": self.service_point_id,
                "sector_id": self.sector_id, "with_procedure": self.procedure_id is not None}


_DIMENSIONS = ("submitted_at", "unit_id", "instrument_id", "service_point_id", "procedure_id",
               "sector_id", "channel", "respondent_type")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def contribution(keys: Sequence[str], ratings: Mapping[str, int]) -> tuple[int, np.ndarray]:
    """(1 if any component item was answered, the 3 × k × k block of y yᵀ, y aᵀ, a aᵀ)."""
    has, block = _block(tuple(k in ratings for k in keys), tuple(ratings.get(k, 0) >= 4 for k in keys))
    return has, block.astype(np.int64)


@functools.lru_cache(maxsize=4096)
def _block(answered: tuple[bool, ...], satisfied: tuple[bool, ...]) -> tuple[int, np.ndarray]:
    """:func:`contribution` of one pattern of answered and satisfied items, as stored (``<i4``),
    read-only: a kiosk's responses repeat a few hundred patterns."""
    a = np.array(answered, dtype="<i4")
    y = np.array(satisfied, dtype="<i4")
    block = np.stack([np.outer(y, y), np.outer(y, a), np.outer(a, a)])
    block.flags.writeable = False
    return int(a.any()), block


def decode(blob: bytes | None, k: int) -> np.ndarray:
    if not blob:
        return np.zeros((3, k, k), dtype=np.int64)
    return np.frombuffer(blob, dtype="<i4").astype(np.int64).reshape(3, k, k)


def encode(block: np.ndarray) -> bytes:
    return np.ascontiguousarray(block, dtype="<i4").tobytes()


@dataclass
class Delta:
    """Changes to cells, summed per key before any is written (one statement per cell)."""

    counts: dict[str, list[int]] = field(default_factory=dict)   # key → [responses, n, s]
    unit_counts: dict[str, list[int]] = field(default_factory=dict)  # item cells: the same
    respondents: dict[str, int] = field(default_factory=dict)  # item cells
    blocks: dict[str, np.ndarray] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    rows: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)

    def add(self, facts: Facts, keys: Sequence[str], sign: int) -> None:
        self.rows[("count", facts.count_key())] = facts.count_row()
        self.rows[("item", facts.item_key())] = facts.item_row()
        for count in (self.counts.setdefault(facts.count_key(), [0, 0, 0]),
                      self.unit_counts.setdefault(facts.item_key(), [0, 0, 0])):
            count[0] += sign
            if facts.overall is not None:
                count[1] += sign
                count[2] += sign * int(facts.overall >= 4)
        has, block = contribution(keys, facts.ratings)
        if has:
            self.item(facts, has * sign, sign * block)
        for code in sorted(set(facts.problems)):
            key = f"{facts.item_key()}|{code}"
            self.rows[("problem", key)] = {**facts.item_row(), "key": key, "code": code}
            self.problems[key] = self.problems.get(key, 0) + sign

    def item(self, facts: Facts, respondents: int, block: np.ndarray) -> None:
        key = facts.item_key()
        self.rows[("item", key)] = facts.item_row()
        self.respondents[key] = self.respondents.get(key, 0) + respondents
        self.blocks[key] = self.blocks[key] + block if key in self.blocks else block


def add(connection: Connection, facts: Facts, keys: Sequence[str], sign: int = 1) -> None:
    """Add (``sign`` 1) or take away (−1) one response's part.

    What :class:`Delta` and :func:`write` do for many responses, for one (every submission):
    the same statements in the same order, without summing per key first.
    """
    written()
    upserts = _upserts(connection.dialect.name)
    n = 0 if facts.overall is None else sign
    s = n if facts.overall is not None and facts.overall >= 4 else 0
    connection.execute(upserts[COUNTS.name], {**facts.count_row(), "responses": sign, "n": n, "s": s})
    has, block = _block(tuple(k in facts.ratings for k in keys),
                        tuple(facts.ratings.get(k, 0) >= 4 for k in keys))
    row = {**facts.item_row(), "responses": sign, "n": n, "s": s, "respondents": has * sign,
           "stats": b""}
    if not has:
        connection.execute(upserts[ITEMS.name], row)
    else:
        held = connection.execute(upserts["stats"], row).scalar_one()
        summed = block.ravel() * sign if sign != 1 else block.ravel()
        if held:  # int32 throughout, as stored: the same sums as decode → add → encode
            summed = np.frombuffer(held, dtype="<i4") + summed
        connection.execute(upserts["store"], {"cell": row["key"], "blob": summed.tobytes()})
    if facts.problems:
        item_row, key = facts.item_row(), facts.item_key()
        connection.execute(upserts[PROBLEMS.name], [
            {**item_row, "key": f"{key}|{code}", "code": code, "responses": sign}
            for code in sorted(set(facts.problems))])


def replace_items(connection: Connection, facts: Facts, keys: Sequence[str],
                  before: Mapping[str, int], after: Mapping[str, int]) -> None:
    """A response's component answers went from ``before`` to ``after`` (answers added later)."""
    had, old = contribution(keys, before)
    has, new = contribution(keys, after)
    if not (new - old).any() and has == had:
        return
    delta = Delta()
    delta.item(facts, has - had, new - old)
    write(connection, delta)


def written() -> None:
    """Tell the request's reads (``survey.reporting.cache``) that the cells changed."""
    if has_app_context():
        g.cells_written = g.get("cells_written", 0) + 1


@functools.cache
def _upserts(dialect: str) -> dict[str, Any]:
    """The three tables' additive upserts, built once per dialect (building ``excluded`` costs
    more than running the statement)."""
    insert = DIALECTS[dialect].insert
    out: dict[str, Any] = {}
    for table, added in ((COUNTS, ("responses", "n", "s")),
                         (ITEMS, ("responses", "n", "s", "respondents")),
                         (PROBLEMS, ("responses",))):
        stmt = insert(table)
        out[table.name] = stmt.on_conflict_do_update(
            index_elements=[table.c.key], set_={c: table.c[c] + stmt.excluded[c] for c in added})
    out["stats"] = out[ITEMS.name].returning(ITEMS.c.stats)
    out["store"] = update(ITEMS).where(ITEMS.c.key == bindparam("cell")).values(
        stats=bindparam("blob"))
    return out


def write(connection: Connection, delta: Delta) -> None:
    written()
    upserts = _upserts(connection.dialect.name)
    if delta.counts:
        connection.execute(upserts[COUNTS.name], [
            {**delta.rows[("count", key)], "responses": r, "n": n, "s": s}
            for key, (r, n, s) in sorted(delta.counts.items())])
    for key in sorted(set(delta.unit_counts) | set(delta.blocks)):
        responses, n, s = delta.unit_counts.get(key, (0, 0, 0))
        row = {**delta.rows[("item", key)], "responses": responses, "n": n, "s": s,
               "respondents": delta.respondents.get(key, 0), "stats": b""}
        block = delta.blocks.get(key)
        if block is None or not block.any():
            connection.execute(upserts[ITEMS.name], row)
            continue
        held = connection.execute(upserts["stats"], row).scalar_one()
        connection.execute(upserts["store"], {"cell": key,
                                              "blob": encode(decode(held, block.shape[1]) + block)})
    if delta.problems:
        connection.execute(upserts[PROBLEMS.name], [
            {**delta.rows[("problem", key)], "responses": count}
            for key, count in sorted(delta.problems.items())])


def facts_of(session: AnySession, ids: Sequence[str]) -> list[Facts]:
    """The stored responses' facts (whatever their ``excluded``).

    The responses are read first: their times bound the answers' and choices' reads, so that on
    PostgreSQL only the months' partitions they lie in are read."""
    out: list[Facts] = []
    names = (*_DIMENSIONS, "overall")
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        rows = session.execute(select(Response.id, Response.submitted_at,
                                      *[getattr(Response, name) for name in names])
                               .where(Response.id.in_(chunk))).all()
        if not rows:
            continue
        first, last = min(row[1] for row in rows), max(row[1] for row in rows)
        ratings: dict[str, dict[str, int]] = {}
        for rid, key, value in session.execute(
                select(Answer.response_id, Answer.item_key, Answer.value)
                .where(Answer.response_id.in_(chunk), Answer.submitted_at.between(first, last))):
            ratings.setdefault(rid, {})[key] = value
        problems: dict[str, list[str]] = {}
        for rid, code in session.execute(
                select(ResponseProblem.response_id, ResponseProblem.code)
                .where(ResponseProblem.response_id.in_(chunk),
                       ResponseProblem.submitted_at.between(first, last))):
            problems.setdefault(rid, []).append(code)
        for row in rows:
            values = dict(zip(names, row[2:], strict=True))
            out.append(Facts(**values, ratings=ratings.get(row[0], {}),
                             problems=tuple(problems.get(row[0], ()))))
    return out


def apply(session: AnySession, ids: Sequence[str], sign: int) -> None:
    """Add or take away the parts of stored responses (an exclusion, or its reversal)."""
    keys = instrument_keys(session)
    delta = Delta()
    for facts in facts_of(session, ids):
        delta.add(facts, keys[facts.instrument_id], sign)
    write(session.connection(), delta)


def instrument_keys(session: AnySession) -> dict[int, list[str]]:
    return {i.id: component_keys(i) for i in session.scalars(select(Instrument))}


def clear(session: AnySession) -> None:
    written()
    for table in (COUNTS, ITEMS, PROBLEMS):
        session.execute(delete(table))

