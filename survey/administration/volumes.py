"""Dossier volumes per unit and period (``unit_code,period,dossiers[,dossiers_unsatisfied]``). Audited."""

from __future__ import annotations

import csv
from typing import IO

from sqlalchemy import select

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import DossierVolume, Unit, User
from survey.periods import parse_period

COLUMNS = ("unit_code", "period", "dossiers", "dossiers_unsatisfied")


class VolumeError(ValueError):
    """A bad row, named by its line and column."""


def import_volumes(session: AnySession, actor: User | None, source: IO[str]) -> int:
    """Insert or replace one volume per (unit, period); audited; flushes, never commits."""
    it = iter(csv.reader(source))
    header = [h.strip() for h in next(it, [])]
    if header[:3] != list(COLUMNS[:3]) or len(header) > 4 or (len(header) == 4 and header[3] != COLUMNS[3]):
        raise VolumeError(f"dòng 1: cột phải là {','.join(COLUMNS[:3])}[,{COLUMNS[3]}], "
                          f"không phải {header!r}")
    units = dict(session.execute(select(Unit.code, Unit.id)).all())
    count = 0
    for line, row in enumerate(it, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        code, label = values.get("unit_code", ""), values.get("period", "")
        if code not in units:
            raise VolumeError(f"dòng {line}, cột unit_code: không có đơn vị {code!r}")
        try:
            parse_period(label)
        except ValueError:
            raise VolumeError(f"dòng {line}, cột period: {label!r} không phải kỳ như 2026-Q3") from None
        dossiers = _count(values.get("dossiers", ""), line, "dossiers")
        unsatisfied = values.get("dossiers_unsatisfied") or None
        bad = None if unsatisfied is None else _count(unsatisfied, line, "dossiers_unsatisfied")
        if bad is not None and bad > dossiers:
            raise VolumeError(f"dòng {line}, cột dossiers_unsatisfied: lớn hơn số hồ sơ")
        volume = session.scalar(select(DossierVolume).filter_by(unit_id=units[code], period=label))
        if volume is None:
            volume = DossierVolume(unit_id=units[code], period=label)
            session.add(volume)
        volume.dossiers, volume.dossiers_unsatisfied = dossiers, bad
        count += 1
    session.flush()
    audit.record(session, actor=actor, action="volumes.import", object_type="dossier_volume",
                 after={"rows": count})
    return count


def _count(text: str, line: int, column: str) -> int:
    if not text.isdigit():
        raise VolumeError(f"dòng {line}, cột {column}: {text!r} không phải số nguyên không âm")
    return int(text)
