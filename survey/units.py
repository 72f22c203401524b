"""Setting up the dated unit tree and its service points. Audited; flush, never commit.

A unit is never deleted: it is closed on a date and may name its successor, so that responses
keep the unit they were given to and a roll-up can follow :func:`survey.tree.successor_chain`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from typing import IO, Any, TypeVar

from sqlalchemy import select

from survey import audit
from survey.extensions import AnySession
from survey.models import ServicePoint, Unit, User
from survey.models.units import SERVICE_POINT_KINDS, UNIT_LEVELS

UNIT_FIELDS = ("code", "name", "level", "jurisdiction", "parent_id", "successor_id", "valid_from", "valid_to")
POINT_FIELDS = ("code", "name", "kind", "unit_id", "valid_from", "valid_to")
_FIELDS = {"unit": UNIT_FIELDS, "service_point": POINT_FIELDS}
M = TypeVar("M", Unit, ServicePoint)
TREE_COLUMNS = (
    "code",
    "name",
    "level",
    "jurisdiction",
    "parent_code",
    "valid_from",
    "valid_to",
    "successor_code",
)


class TreeError(ValueError):
    """A change would break the tree (unknown level, a cycle, a closing date before opening …)."""


def _check_unit(session: AnySession, unit: Unit) -> None:
    if unit.level not in UNIT_LEVELS:
        raise TreeError(f"level must be one of {', '.join(UNIT_LEVELS)}")
    if not unit.code or not unit.name:
        raise TreeError("a unit needs a code and a name")
    if unit.valid_to is not None and unit.valid_from is not None and unit.valid_to < unit.valid_from:
        raise TreeError("the closing date is before the opening date")
    seen, parent = {unit.id}, unit.parent
    while parent is not None:
        if parent.id in seen or parent is unit:
            raise TreeError("a unit cannot be inside itself")
        seen.add(parent.id)
        parent = parent.parent
    with session.no_autoflush:
        other = session.scalar(select(Unit.id).where(Unit.code == unit.code))
    if other is not None and other != unit.id:
        raise TreeError(f"code {unit.code} is already used")


def _create(
    session: AnySession,
    actor: User | None,
    kind: str,
    model: type[M],
    check: Callable[[AnySession, M], None],
    values: dict[str, Any],
) -> M:
    """A new unit or service point once ``check`` passes; audited as ``<kind>.create``."""
    with session.no_autoflush:
        obj = model(**values)
        session.add(obj)
        check(session, obj)
    session.flush()
    audit.record(session, actor, f"{kind}.create", kind, obj.id, None, audit.snapshot(obj, _FIELDS[kind]))
    return obj


def _update(
    session: AnySession,
    actor: User | None,
    kind: str,
    obj: M,
    check: Callable[[AnySession, M], None],
    values: dict[str, Any],
) -> None:
    """Set ``values`` on ``obj`` once ``check`` passes; audited as ``<kind>.update`` with before/after."""
    fields = _FIELDS[kind]
    before = audit.snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    check(session, obj)
    session.flush()
    audit.record(session, actor, f"{kind}.update", kind, obj.id, before, audit.snapshot(obj, fields))


def create_unit(session: AnySession, actor: User | None, **values: Any) -> Unit:
    return _create(session, actor, "unit", Unit, _check_unit, values)


def update_unit(session: AnySession, actor: User | None, unit: Unit, **values: Any) -> None:
    _update(session, actor, "unit", unit, _check_unit, values)


def close_unit(
    session: AnySession, actor: User | None, unit: Unit, *, on: date, successor: Unit | None = None
) -> None:
    """Close ``unit`` on day ``on`` (its last day), optionally merged into ``successor``.

    Nothing else changes: its responses, service points and children keep pointing at it.
    """
    if successor is not None and (successor.id == unit.id or unit in _chain(successor)):
        raise TreeError("the successor cannot be the unit itself or one it succeeds")
    if successor is not None and successor.valid_to is not None and successor.valid_to < on:
        raise TreeError("the successor is closed before that date")
    update_unit(session, actor, unit, valid_to=on, successor=successor)


def _chain(unit: Unit) -> list[Unit]:
    from survey.tree import successor_chain

    return successor_chain(unit)


def export_tree(session: AnySession, out: IO[str]) -> int:
    """Every unit, open or closed, as CSV (``TREE_COLUMNS``); parents before children."""
    writer = csv.writer(out)
    writer.writerow(TREE_COLUMNS)
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    for unit in units:
        writer.writerow(
            [
                unit.code,
                unit.name,
                unit.level,
                unit.jurisdiction,
                unit.parent.code if unit.parent else "",
                unit.valid_from.isoformat(),
                unit.valid_to.isoformat() if unit.valid_to else "",
                unit.successor.code if unit.successor else "",
            ]
        )
    return len(units)


def create_point(session: AnySession, actor: User | None, **values: Any) -> ServicePoint:
    return _create(session, actor, "service_point", ServicePoint, _check_point, values)


def update_point(session: AnySession, actor: User | None, point: ServicePoint, **values: Any) -> None:
    _update(session, actor, "service_point", point, _check_point, values)


def _check_point(session: AnySession, point: ServicePoint) -> None:
    if point.kind not in SERVICE_POINT_KINDS:
        raise TreeError(f"kind must be one of {', '.join(SERVICE_POINT_KINDS)}")
    if point.valid_to is not None and point.valid_from and point.valid_to < point.valid_from:
        raise TreeError("the closing date is before the opening date")
    with session.no_autoflush:
        other = session.scalar(select(ServicePoint.id).where(ServicePoint.code == point.code))
    if other is not None and other != point.id:
        raise TreeError(f"code {point.code} is already used")


def import_tree(session: AnySession, actor: User | None, source: IO[str]) -> tuple[int, int, int]:
    """Create or update units from the CSV of :func:`export_tree`; all-or-nothing, idempotent.

    Returns (added, changed, unchanged). Raises :class:`survey.importing.ImportFailed` naming
    every bad row and column; nothing is written then.
    """
    from survey.importing import ImportFailed, Problem, _rows

    rows = _rows(source, TREE_COLUMNS[:3])
    codes = {row["code"] for row in rows} | set(session.scalars(select(Unit.code)))
    problems: list[Problem] = []
    for line, row in enumerate(rows, start=2):
        for column in ("parent_code", "successor_code"):
            if row.get(column) and row[column] not in codes:
                problems.append(Problem(line, column, f"no unit {row[column]!r} in the file or the database"))
        if row["level"] not in UNIT_LEVELS:
            problems.append(
                Problem(line, "level", f"{row['level']!r} is not one of {', '.join(UNIT_LEVELS)}")
            )
        for column in ("valid_from", "valid_to"):
            try:
                row[column] = date.fromisoformat(row[column]) if row.get(column) else None  # type: ignore[assignment]
            except ValueError:
                problems.append(Problem(line, column, f"{row[column]!r} is not a date (YYYY-MM-DD)"))
        if not row["code"] or not row["name"]:
            problems.append(Problem(line, "code" if not row["code"] else "name", "required"))
    if problems:
        raise ImportFailed(problems)
    existing = {u.code: u for u in session.scalars(select(Unit))}
    created = {row["code"] for row in rows} - set(existing)
    for code in created:  # first every unit exists, then the links between them
        existing[code] = Unit(code=code, name=code, level="commune")
        session.add(existing[code])
    session.flush()
    changed = unchanged = 0
    for row in rows:
        unit = existing[row["code"]]
        values = {
            "name": row["name"],
            "level": row["level"],
            "jurisdiction": row.get("jurisdiction") or unit.jurisdiction,
            "parent": existing.get(row.get("parent_code", "")),
            "successor": existing.get(row.get("successor_code", "")),
            "valid_from": row.get("valid_from") or unit.valid_from,
            "valid_to": row.get("valid_to"),
        }
        if row["code"] in created:
            for name, value in values.items():
                setattr(unit, name, value)
            _check_unit(session, unit)
            session.flush()
            audit.record(
                session, actor, "unit.import", "unit", unit.id, None, audit.snapshot(unit, UNIT_FIELDS)
            )
        elif all(getattr(unit, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            changed += 1
            update_unit(session, actor, unit, **values)
    return len(created), changed, unchanged
