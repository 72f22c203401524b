"""The procedure catalogue (TTHC: CSV import) and the sector groups that targets name. Audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.csvfiles import ImportFailed, Problem, read_rows
from survey.extensions import AnySession
from survey.models import Procedure, Sector, SectorGroup, Unit, User

PROCEDURE_COLUMNS = ("code", "name", "sector_code", "level", "unit_code")
PROCEDURE_LEVELS = ("city", "department", "commune", "central")
PROCEDURE_FIELDS = ("code", "name", "level", "sector_id", "unit_id")
REQUIRED_40 = _l("bắt buộc, tối đa 40 ký tự")


class GroupError(ValueError):
    """A sector group breaks a rule (its code is taken)."""


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _problems(rows: list[dict[str, str]], units: dict[str, Unit]) -> list[Problem]:
    problems, seen = [], set()
    for line, row in enumerate(rows, start=2):
        if not row["code"] or len(row["code"]) > 40:
            problems.append(Problem(line, "code", REQUIRED_40))
        elif row["code"] in seen:
            problems.append(Problem(line, "code", _l("%(code)s xuất hiện hai lần", code=row["code"])))
        seen.add(row["code"])
        if not row["name"]:
            problems.append(Problem(line, "name", _l("bắt buộc")))
        if not row["sector_code"] or len(row["sector_code"]) > 40:
            problems.append(Problem(line, "sector_code", REQUIRED_40))
        if row["level"] not in PROCEDURE_LEVELS:
            problems.append(Problem(line, "level", _l(
                "%(value)s không phải một trong: %(levels)s", value=row["level"],
                levels=", ".join(PROCEDURE_LEVELS))))
        if row.get("unit_code") and row["unit_code"] not in units:
            problems.append(Problem(line, "unit_code", _l("không có đơn vị %(code)s", code=row["unit_code"])))
    return problems


def import_procedures(session: AnySession, actor: User | None, source: IO[str]) -> Report:
    """Add or update procedures (``code,name,sector_code,level[,unit_code]``); unknown sectors are added.

    All or nothing (:class:`~survey.csvfiles.ImportFailed` names every bad row); each procedure
    added or changed is audited.
    """
    rows = read_rows(source, PROCEDURE_COLUMNS[:4])
    units = {u.code: u for u in session.scalars(select(Unit))}
    problems = _problems(rows, units)
    if problems:
        raise ImportFailed(problems)
    report = Report()
    sectors = {s.code: s for s in session.scalars(select(Sector))}
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    for row in rows:
        sector = sectors.get(row["sector_code"])
        if sector is None:
            sector = sectors[row["sector_code"]] = Sector(code=row["sector_code"], name=row["sector_code"])
            session.add(sector)
        unit = units.get(row.get("unit_code", ""))
        values = {"name": row["name"], "level": row["level"], "sector": sector, "unit": unit}
        _apply(session, actor, existing.get(row["code"]), row["code"], values, report)
    session.flush()
    return report


def _apply(session: AnySession, actor: User | None, procedure: Procedure | None, code: str,
           values: dict[str, Any], report: Report) -> None:
    before = None
    if procedure is None:
        procedure = Procedure(code=code, **values)
        session.add(procedure)
        report.added.append(code)
    elif all(getattr(procedure, k) is v or getattr(procedure, k) == v for k, v in values.items()):
        report.unchanged += 1
        return
    else:
        before = audit.snapshot(procedure, PROCEDURE_FIELDS)
        for name, value in values.items():
            setattr(procedure, name, value)
        report.changed.append(code)
    session.flush()
    audit.record(session, actor=actor, action="procedure.import", object_type="procedure",
                 object_id=procedure.id, before=before, after=audit.snapshot(procedure, PROCEDURE_FIELDS))


def _group_snapshot(group: SectorGroup) -> dict[str, Any]:
    return {"code": group.code, "name": group.name, "sectors": sorted(s.code for s in group.sectors)}


def save_sector_group(session: AnySession, actor: User | None, group: SectorGroup | None, *,
                      code: str, name: str, sector_ids: list[int]) -> SectorGroup:
    """Create or change a sector group (the sectors a target names together). Audited."""
    code = code.strip()
    other = session.scalar(select(SectorGroup.id).filter_by(code=code))
    if other is not None and (group is None or other != group.id):
        raise GroupError(_l("Mã %(code)s đã có.", code=code))
    before = None if group is None else _group_snapshot(group)
    if group is None:
        group = SectorGroup()
        session.add(group)
    group.code, group.name = code, name.strip()
    group.sectors = list(session.scalars(select(Sector).where(Sector.id.in_(sector_ids))))
    session.flush()
    audit.record(session, actor=actor, action="sector_group.save", object_type="sector_group",
                 object_id=group.id, before=before, after=_group_snapshot(group))
    return group
