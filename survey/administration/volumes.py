"""Dossier volumes per unit and period, imported from ``unit_code,period,dossiers[,dossiers_unsatisfied]``.

The file is read by the one reader of that format, :mod:`analysis.tool.volumes` (the analyst
command line uses it too, so the two can never disagree); this module maps its reasons to
Vietnamese messages, matches unit codes, and stores one volume per (unit, period), replacing an
earlier one. All or nothing, and audited. One-stop software sends the same row over the API
(``PUT /api/v1/volumes/{unit_code}/{period}``, :func:`put_volume`): checked by the same reader,
stored and audited by the same code.
"""

from __future__ import annotations

from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from analysis.tool.volumes import COLUMNS, VolumeRow, VolumesError, parse_volumes, read_volumes
from survey.administration import audit
from survey.extensions import AnySession
from survey.models import DossierVolume, Unit, User

AUDITED = ("dossiers", "dossiers_unsatisfied")

REASONS = {
    "no_header": _l("tệp trống hoặc thiếu dòng tiêu đề"),
    "duplicate_column": _l("cột %(value)s xuất hiện hai lần"),
    "unknown_column": _l("cột %(value)s không có trong mẫu"),
    "missing_column": _l("thiếu cột này"),
    "wrong_field_count": _l("số ô khác số cột của dòng tiêu đề"),
    "empty_unit_code": _l("thiếu mã đơn vị"),
    "bad_period": _l("%(value)s không phải kỳ như 2026, 2026-H1, 2026-Q3 hoặc 2026-07"),
    "bad_count": _l("%(value)s không phải số nguyên không âm"),
    "unsatisfied_above_dossiers": _l("lớn hơn số hồ sơ"),
    "not_utf8": _l("tệp không phải UTF-8"),
    "malformed_csv": _l("tệp CSV bị lỗi định dạng"),
}


class VolumeError(ValueError):
    """A bad row, named by its line and column, in the user's language."""


def _message(error: VolumesError) -> object:
    detail = str(REASONS.get(error.reason, _l("dòng không hợp lệ"))) % {"value": error.value}
    if error.column:
        return _l("dòng %(line)s, cột %(column)s: %(detail)s", line=error.line, column=error.column,
                  detail=detail)
    return _l("dòng %(line)s: %(detail)s", line=error.line, detail=detail)


def _rows(source: IO[str]) -> list[VolumeRow]:
    try:
        return list(read_volumes(source))
    except VolumesError as error:
        raise VolumeError(_message(error)) from None


def import_volumes(session: AnySession, actor: User | None, source: IO[str]) -> int:
    """Insert or replace one volume per (unit, period); audited; flushes, never commits."""
    rows = _rows(source)
    units = dict(session.execute(select(Unit.code, Unit.id)).all())
    for row in rows:
        if row.unit_code not in units:
            raise VolumeError(_l("dòng %(line)s, cột unit_code: không có đơn vị %(code)s",
                                 line=row.line, code=row.unit_code))
    _store(session, [(units[row.unit_code], row) for row in rows])
    audit.record(session, actor=actor, action="volumes.import", object_type="dossier_volume",
                 after={"rows": len(rows)})
    return len(rows)


def check_volume(unit_code: str, period: str, dossiers: int, dossiers_unsatisfied: int | None) -> VolumeRow:
    """One volume checked by the file's own reader (same period labels, same counts), or
    :class:`VolumesError` naming the column (``reason`` as in :mod:`analysis.tool.volumes`)."""
    unsatisfied = "" if dossiers_unsatisfied is None else str(dossiers_unsatisfied)
    cells = [unit_code, period, str(dossiers), unsatisfied]
    return next(parse_volumes([COLUMNS, cells]))


def put_volume(session: AnySession, unit: Unit, row: VolumeRow, *, api_token: str) -> bool:
    """Set the volume of ``unit`` for ``row.period``, replacing an earlier one; audited with what
    it was, what it is and the label of the API token that sent it. True when the volume is new.
    Flushes, never commits."""
    volume = session.scalar(select(DossierVolume).filter_by(unit_id=unit.id, period=row.period))
    before = audit.snapshot(volume, AUDITED) if volume is not None else None
    _store(session, [(unit.id, row)])
    audit.record(session, actor=None, action="volumes.put", object_type="dossier_volume",
                 object_id=f"{unit.code}/{row.period}", before=before,
                 after={"dossiers": row.dossiers, "dossiers_unsatisfied": row.dossiers_unsatisfied,
                        "api_token": api_token})
    return before is None


def _store(session: AnySession, rows: list[tuple[int, VolumeRow]]) -> None:
    existing = {(v.unit_id, v.period): v for v in session.scalars(
        select(DossierVolume).where(DossierVolume.unit_id.in_({unit_id for unit_id, _row in rows})))}
    for unit_id, row in rows:
        key = (unit_id, row.period)
        volume = existing.get(key)
        if volume is None:
            volume = existing[key] = DossierVolume(unit_id=unit_id, period=row.period)
            session.add(volume)
        volume.dossiers, volume.dossiers_unsatisfied = row.dossiers, row.dossiers_unsatisfied
    session.flush()
