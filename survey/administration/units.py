"""The dated unit tree: its shape in memory (roll-ups, the province), and the audited writes that
set it up (units, service points, closing on a merger, CSV export and import).

A unit is never deleted: it is closed on a date and may name its successor, so responses keep
the unit they were given to. **A unit's roll-up** (:meth:`UnitTree.rollup`) is the unit, its
subtree and, recursively, every unit it succeeded with that unit's subtree: a merged ward's
history belongs to its successor. Reports use the roll-up for a unit's figures, and
:mod:`survey.administration.access` uses the same roll-up for what a unit's staff may see.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.csvfiles import ImportFailed, Problem, read_rows
from survey.extensions import AnySession
from survey.models import ServicePoint, Unit, User
from survey.models.units import SERVICE_POINT_KINDS, UNIT_LEVELS
from survey.periods import Period

UNIT_FIELDS = ("code", "name", "level", "jurisdiction", "parent_id", "successor_id", "valid_from", "valid_to")
POINT_FIELDS = ("code", "name", "kind", "unit_id", "valid_from", "valid_to")
_FIELDS = {"unit": UNIT_FIELDS, "service_point": POINT_FIELDS}
M = TypeVar("M", Unit, ServicePoint)
TREE_COLUMNS = (
    "code", "name", "level", "jurisdiction", "parent_code", "valid_from", "valid_to", "successor_code",
)


class TreeError(ValueError):
    """A change would break the tree (unknown level, a cycle, a closing date before opening …)."""


class UnitTree:
    """The unit table in memory (units number in the hundreds, responses in the millions)."""

    def __init__(self, session: AnySession) -> None:
        self.units = {u.id: u for u in session.scalars(select(Unit).order_by(Unit.code))}
        self.by_code = {u.code: u for u in self.units.values()}
        self.children: dict[int, list[int]] = {}
        self.predecessors: dict[int, list[int]] = {}
        for unit in self.units.values():
            if unit.parent_id is not None:
                self.children.setdefault(unit.parent_id, []).append(unit.id)
            if unit.successor_id is not None:
                self.predecessors.setdefault(unit.successor_id, []).append(unit.id)

    def rollup(self, unit_id: int) -> list[int]:
        """The unit, its subtree and (recursively) the units it succeeded, with their subtrees."""
        seen: list[int] = []
        stack = [unit_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.append(current)
            stack.extend(self.children.get(current, ()))
            stack.extend(self.predecessors.get(current, ()))
        return seen

    def open_during(self, period: Period, levels: Iterable[str]) -> list[Unit]:
        return [u for u in self.units.values() if u.level in tuple(levels)
                and u.valid_from <= period.end and (u.valid_to is None or u.valid_to >= period.start)]

    def province(self) -> Unit | None:
        """The province: the open city-level unit at the top of the tree (any top unit otherwise)."""
        tops = [u for u in self.units.values() if u.parent_id is None and u.successor_id is None]
        return next((u for u in tops if u.level == "city"), tops[0] if tops else None)


def _successors(unit: Unit) -> list[Unit]:
    """``unit``, its successor, that one's successor … (stops on a cycle)."""
    chain = [unit]
    while chain[-1].successor is not None and chain[-1].successor not in chain:
        chain.append(chain[-1].successor)
    return chain


def _check_unit(session: AnySession, unit: Unit) -> None:
    if unit.level not in UNIT_LEVELS:
        raise TreeError(_l("Cấp đơn vị phải là một trong: %(levels)s.", levels=", ".join(UNIT_LEVELS)))
    if not unit.code or not unit.name:
        raise TreeError(_l("Đơn vị cần có mã và tên."))
    if unit.valid_to is not None and unit.valid_from is not None and unit.valid_to < unit.valid_from:
        raise TreeError(_l("Ngày ngừng hoạt động trước ngày bắt đầu hoạt động."))
    seen, parent = {unit.id}, unit.parent
    while parent is not None:
        if parent.id in seen or parent is unit:
            raise TreeError(_l("Một đơn vị không thể nằm trong chính nó."))
        seen.add(parent.id)
        parent = parent.parent
    with session.no_autoflush:
        other = session.scalar(select(Unit.id).where(Unit.code == unit.code))
    if other is not None and other != unit.id:
        raise TreeError(_l("Mã %(code)s đã được dùng.", code=unit.code))


def _create(session: AnySession, actor: User | None, kind: str, model: type[M],
            check: Callable[[AnySession, M], None], values: dict[str, Any]) -> M:
    """A new unit or service point once ``check`` passes; audited as ``<kind>.create``."""
    with session.no_autoflush:
        obj = model(**values)
        session.add(obj)
        check(session, obj)
    session.flush()
    audit.record(session, actor=actor, action=f"{kind}.create", object_type=kind, object_id=obj.id,
                 after=audit.snapshot(obj, _FIELDS[kind]))
    return obj


def _update(session: AnySession, actor: User | None, kind: str, obj: M,
            check: Callable[[AnySession, M], None], values: dict[str, Any]) -> None:
    """Set ``values`` on ``obj`` once ``check`` passes; audited as ``<kind>.update`` with before/after."""
    fields = _FIELDS[kind]
    before = audit.snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    check(session, obj)
    session.flush()
    audit.record(session, actor=actor, action=f"{kind}.update", object_type=kind, object_id=obj.id,
                 before=before, after=audit.snapshot(obj, fields))


def create_unit(session: AnySession, actor: User | None, **values: Any) -> Unit:
    return _create(session, actor, "unit", Unit, _check_unit, values)


def update_unit(session: AnySession, actor: User | None, unit: Unit, **values: Any) -> None:
    _update(session, actor, "unit", unit, _check_unit, values)


def close_unit(session: AnySession, actor: User | None, unit: Unit, *, on: date,
               successor: Unit | None = None) -> None:
    """Close ``unit`` on day ``on`` (its last day), optionally merged into ``successor``.

    Nothing else changes: its responses, service points and children keep pointing at it.
    """
    if successor is not None and (successor.id == unit.id or unit in _successors(successor)):
        raise TreeError(_l("Đơn vị kế thừa không thể là chính đơn vị này hoặc đơn vị mà nó kế thừa."))
    if successor is not None and successor.valid_to is not None and successor.valid_to < on:
        raise TreeError(_l("Đơn vị kế thừa đã ngừng hoạt động trước ngày đó."))
    update_unit(session, actor, unit, valid_to=on, successor=successor)


def export_tree(session: AnySession, out: IO[str]) -> int:
    """Every unit, open or closed, as CSV (``TREE_COLUMNS``); parents before children."""
    writer = csv.writer(out)
    writer.writerow(TREE_COLUMNS)
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    for unit in units:
        writer.writerow([
            unit.code, unit.name, unit.level, unit.jurisdiction,
            unit.parent.code if unit.parent else "", unit.valid_from.isoformat(),
            unit.valid_to.isoformat() if unit.valid_to else "",
            unit.successor.code if unit.successor else "",
        ])
    return len(units)


def create_point(session: AnySession, actor: User | None, **values: Any) -> ServicePoint:
    return _create(session, actor, "service_point", ServicePoint, _check_point, values)


def update_point(session: AnySession, actor: User | None, point: ServicePoint, **values: Any) -> None:
    _update(session, actor, "service_point", point, _check_point, values)


def _check_point(session: AnySession, point: ServicePoint) -> None:
    if point.kind not in SERVICE_POINT_KINDS:
        raise TreeError(_l("Loại điểm phục vụ phải là một trong: %(kinds)s.",
                           kinds=", ".join(SERVICE_POINT_KINDS)))
    if point.valid_to is not None and point.valid_from and point.valid_to < point.valid_from:
        raise TreeError(_l("Ngày ngừng hoạt động trước ngày bắt đầu hoạt động."))
    with session.no_autoflush:
        other = session.scalar(select(ServicePoint.id).where(ServicePoint.code == point.code))
    if other is not None and other != point.id:
        raise TreeError(_l("Mã %(code)s đã được dùng.", code=point.code))


def _tree_problems(rows: list[dict[str, Any]], codes: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for line, row in enumerate(rows, start=2):
        for column in ("parent_code", "successor_code"):
            if row.get(column) and row[column] not in codes:
                problems.append(Problem(line, column, _l("không có đơn vị %(code)s trong tệp hoặc trên "
                                                         "hệ thống", code=row[column])))
        if row["level"] not in UNIT_LEVELS:
            problems.append(Problem(line, "level", _l("%(value)s không phải một trong: %(levels)s",
                                                      value=row["level"], levels=", ".join(UNIT_LEVELS))))
        for column in ("valid_from", "valid_to"):
            try:
                row[column] = date.fromisoformat(row[column]) if row.get(column) else None
            except ValueError:
                problems.append(Problem(line, column, _l("%(value)s không phải ngày (NNNN-TT-NN)",
                                                         value=row[column])))
        if not row["code"] or not row["name"]:
            problems.append(Problem(line, "code" if not row["code"] else "name", _l("bắt buộc")))
    return problems


def import_tree(session: AnySession, actor: User | None, source: IO[str]) -> tuple[int, int, int]:
    """Create or update units from the CSV of :func:`export_tree`; all-or-nothing, idempotent.

    Returns (added, changed, unchanged). Raises :class:`~survey.csvfiles.ImportFailed` naming
    every bad row and column; nothing is written then.
    """
    rows: list[dict[str, Any]] = list(read_rows(source, TREE_COLUMNS[:3]))
    problems = _tree_problems(rows, {row["code"] for row in rows} | set(session.scalars(select(Unit.code))))
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
            "name": row["name"], "level": row["level"],
            "jurisdiction": row.get("jurisdiction") or unit.jurisdiction,
            "parent": existing.get(row.get("parent_code", "")),
            "successor": existing.get(row.get("successor_code", "")),
            "valid_from": row.get("valid_from") or unit.valid_from, "valid_to": row.get("valid_to"),
        }
        if row["code"] in created:
            for name, value in values.items():
                setattr(unit, name, value)
            _check_unit(session, unit)
            session.flush()
            audit.record(session, actor=actor, action="unit.import", object_type="unit", object_id=unit.id,
                         after=audit.snapshot(unit, UNIT_FIELDS))
        elif all(getattr(unit, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            changed += 1
            update_unit(session, actor, unit, **values)
    return len(created), changed, unchanged
