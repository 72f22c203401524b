"""Statutory targets: loaded from the plans' seed file, then kept by Sở Nội vụ as data. Audited.

Which targets apply to a group of responses, and how each is measured, is the read side's
business: :mod:`survey.reporting.applicability`.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import Target, User

SEED = Path(__file__).resolve().parent.parent / "seed" / "targets.csv"
FIELDS = (
    "code", "jurisdiction", "source_document", "source_clause", "period_start", "period_end",
    "object", "sector_group", "levels", "population", "operator", "threshold", "note",
    "needs_confirmation",
)
LEVELS = ("city", "department", "commune")


class TargetError(ValueError):
    """A target row or change breaks a rule (bad date, operator or threshold; duplicate code)."""


def _parse(line: int, row: dict[str, str]) -> Target:
    try:
        target = Target(
            code=row["id"], jurisdiction=row["jurisdiction"], source_document=row["source_document"],
            source_clause=row.get("source_clause", ""),
            period_start=date.fromisoformat(row["period_start"]),
            period_end=date.fromisoformat(row["period_end"]), object=row["object"],
            sector_group=row.get("sector_group") or None, levels=row.get("levels") or None,
            population=row.get("population", ""),
            operator=row["operator"], threshold=float(row["threshold"]), note=row.get("note", ""),
            needs_confirmation=row.get("needs_confirmation", "0") == "1",
        )
    except (KeyError, ValueError) as error:
        raise TargetError(_l("Dòng %(line)s của tệp chỉ tiêu: %(error)s", line=line, error=error)) from error
    if target.levels and not set(target.levels.split("+")) <= set(LEVELS):
        raise TargetError(_l("Dòng %(line)s của tệp chỉ tiêu: cấp không hợp lệ.", line=line))
    if target.operator not in (">", ">=") or not 0 < target.threshold < 1:
        raise TargetError(_l("Dòng %(line)s của tệp chỉ tiêu: phép so sánh hoặc ngưỡng không hợp lệ.",
                             line=line))
    return target


def load_targets(session: AnySession, actor: User | None, source: IO[str]) -> tuple[int, int]:
    """Insert the rows whose ``id`` is new; leave existing (possibly edited) rows alone.

    Returns (added, already present); audited when anything was added.
    """
    added = present = 0
    for line, row in enumerate(csv.DictReader(source), start=2):
        if session.scalar(select(Target.id).filter_by(code=row["id"])):
            present += 1
            continue
        session.add(_parse(line, row))
        added += 1
    session.flush()
    if added:
        audit.record(session, actor=actor, action="target.seed", object_type="target",
                     after={"added": added, "present": present})
    return added, present


def load_seed(session: AnySession, actor: User | None = None) -> tuple[int, int]:
    with SEED.open(encoding="utf-8") as source:
        return load_targets(session, actor, source)


def save_target(session: AnySession, actor: User | None, target: Target | None,
                values: dict[str, Any]) -> Target:
    """Create or change a target; a change by an administrator counts as confirming it. Audited."""
    if values["period_end"] < values["period_start"]:
        raise TargetError(_l("Ngày kết thúc trước ngày bắt đầu."))
    other = session.scalar(select(Target.id).filter_by(code=values["code"]))
    if other is not None and (target is None or other != target.id):
        raise TargetError(_l("Mã %(code)s đã có.", code=values["code"]))
    before = None if target is None else audit.snapshot(target, FIELDS)
    if target is None:
        target = Target()
        session.add(target)
    for name, value in values.items():
        setattr(target, name, value)
    target.needs_confirmation = False
    session.flush()
    audit.record(session, actor=actor, action="target.save", object_type="target", object_id=target.id,
                 before=before, after=audit.snapshot(target, FIELDS))
    return target


def confirm_target(session: AnySession, actor: User | None, target: Target) -> bool:
    """An administrator confirms the operator of a target the plan left ambiguous. Audited."""
    if not target.needs_confirmation:
        return False
    target.needs_confirmation = False
    session.flush()
    audit.record(session, actor=actor, action="target.confirm", object_type="target", object_id=target.id,
                 before={"needs_confirmation": True},
                 after={"needs_confirmation": False, "operator": target.operator})
    return True

