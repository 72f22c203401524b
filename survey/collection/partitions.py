"""The month partitions of a response's three tables on PostgreSQL: ``flask responses partitions``.

On PostgreSQL, ``response``, ``answer`` and ``response_problem`` are partitioned by the local
month of ``submitted_at`` (migration 0013), so that retention and vacuum can work on one month
at a time: :func:`drop_before` drops a month past its keeping time whole
(:mod:`survey.collection.retention`). Each table has a partition per month
(``response_2026_12`` …) and a default one (``response_default``) which takes any answer dated
where no month has a partition yet (a late offline kiosk answer, a paper import of an old year):
nothing is ever refused for its date.

:func:`ensure` (nightly, and the command) creates the partitions of the months ahead, and of
every month that has rows in a default partition, moving those rows into their month: a month
that was never ahead (an old year's import) gets a partition only if it has rows. A new
partition is made as a table of its own, given its month's rows from the default partition, and
then attached, which locks the parent less than ``CREATE TABLE … PARTITION OF`` (PostgreSQL
refuses to attach a month whose rows are still in the default partition).
On SQLite the tables are not partitioned and :func:`ensure` does nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Table, text

from survey.extensions import AnySession
from survey.models import Answer, Response, ResponseProblem
from survey.periods import LOCAL, bounds, parse_period, today

TABLES: tuple[Table, ...] = (Response.__table__, Answer.__table__, ResponseProblem.__table__)  # type: ignore[assignment]
NAMES = tuple(table.name for table in TABLES)
MONTHLY = re.compile(r"^(?P<table>[a-z_]+)_(?P<year>\d{4})_(?P<month>\d{2})$")
PARTITION = re.compile(rf"^(?:{'|'.join(NAMES)})_(?:\d{{4}}_\d{{2}}|default)$")
LOCK_TIMEOUT = "10s"  # an attach waits this long for the tables' locks, then fails (the job retries)


@dataclass(frozen=True)
class Created:
    """A month whose partitions were created, and how many rows each table moved into them."""

    month: date
    moved: dict[str, int]


def is_partition(name: str) -> bool:
    """Whether ``name`` is one of the tables' partitions: Alembic leaves them out of comparisons
    with the models (:data:`ALEMBIC`), which describe the partitioned tables only."""
    return PARTITION.match(name) is not None


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: every table except the partitions."""
    return not (type_ == "table" and name is not None and is_partition(name))


ALEMBIC = {"include_name": include_name}
"""The options that compare the database with the models (env.py, the migration tests)."""


def partitioned(session: AnySession) -> bool:
    """Whether the database keeps ``response`` partitioned (PostgreSQL after migration 0013)."""
    if session.connection().dialect.name != "postgresql":
        return False
    return bool(session.scalar(text(
        "SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass('response')")))


def months(session: AnySession) -> dict[str, set[date]]:
    """The months each table has a partition of."""
    found: dict[str, set[date]] = {name: set() for name in NAMES}
    rows = session.execute(text(
        "SELECT parent.relname, child.relname FROM pg_inherits i"
        " JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid"
        " WHERE parent.oid = ANY(CAST(:tables AS regclass[]))"), {"tables": list(NAMES)})
    for parent, child in rows:
        named = MONTHLY.match(child)
        if named and named["table"] == parent:
            found[parent].add(date(int(named["year"]), int(named["month"]), 1))
    return found


def ensure(session: AnySession, *, ahead: int = 3, since: date | None = None,
           on: date | None = None) -> list[Created]:
    """Create the missing partitions: every month from this one (the month of ``on``, today),
    or from ``since`` if given, to ``ahead`` months after this one, and every month with rows in
    a default partition, whose rows are moved into it; so that after a run every row is in its
    month's partition. Idempotent; flushes, never commits. Nothing on SQLite."""
    if not partitioned(session):
        return []
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    have = months(session)
    current = (on or today()).replace(day=1)
    first = min(current, since.replace(day=1)) if since else current
    wanted = set(_month_range(first, _add(current, ahead)))
    wanted |= {month for name in NAMES for month in _default_months(session, name)}
    done = []
    for month in sorted(wanted):
        missing = [table for table in TABLES if month not in have[table.name]]
        if missing:
            done.append(Created(month, _create(session, month, missing)))
    session.flush()
    return done


def drop_before(session: AnySession, before: date) -> list[date]:
    """Drop the partitions of every month before ``before`` (retention: a month's rows go at
    once, with no dead rows left for vacuum); the months dropped. Rows of those months in a
    default partition stay for the caller to delete. Flushes, never commits. Nothing on SQLite."""
    if not partitioned(session):
        return []
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    dropped: set[date] = set()
    have = months(session)
    for table in reversed(TABLES):  # the answers and choices before their responses
        for month in sorted(m for m in have[table.name] if m < before):
            session.execute(text(f"DROP TABLE {_name(table, month)}"))
            dropped.add(month)
    session.flush()
    return sorted(dropped)


def _create(session: AnySession, month: date, tables: list[Table]) -> dict[str, int]:
    """One month's partitions of ``tables``: made apart, given the default partitions' rows of
    the month, then attached."""
    lower, upper = (_literal(moment) for moment in bounds(parse_period(f"{month:%Y-%m}")))
    moved = {}
    for table in tables:
        session.execute(text(f"CREATE TABLE {_name(table, month)} "
                             f"(LIKE {table.name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    for table in tables:
        columns = ", ".join(table.c.keys())
        result = session.execute(text(
            f"WITH moved AS (DELETE FROM {table.name}_default"  # noqa: S608 - names from the models, bounds from dates
            f" WHERE submitted_at >= {lower} AND submitted_at < {upper} RETURNING {columns})"
            f" INSERT INTO {_name(table, month)} ({columns}) SELECT {columns} FROM moved"))
        moved[table.name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    for table in tables:
        session.execute(text(f"ALTER TABLE {table.name} ATTACH PARTITION {_name(table, month)}"
                             f" FOR VALUES FROM ({lower}) TO ({upper})"))
    return {table.name: moved[table.name] for table in tables}


def _default_months(session: AnySession, name: str) -> list[date]:
    """The local months of the rows in a table's default partition (kept small: this job empties it)."""
    return [moment.date() for (moment,) in session.execute(text(
        f"SELECT DISTINCT date_trunc('month', submitted_at AT TIME ZONE '{LOCAL.key}')"  # noqa: S608 - names from the models
        f" FROM {name}_default"))]


def _name(table: Table, month: date) -> str:
    return f"{table.name}_{month:%Y_%m}"


def _literal(moment: datetime) -> str:
    """A bound as SQL (partition bounds take no parameters); made from a datetime, never input."""
    return f"'{moment.isoformat()}'"


def _add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_range(first: date, last: date) -> list[date]:
    out = []
    while first <= last:
        out.append(first)
        first = _add(first, 1)
    return out
