"""Statutory targets: loaded from the plans' seed file, then edited by Sở Nội vụ as data."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import select

from survey.extensions import AnySession
from survey.models import Target

SEED = Path(__file__).resolve().parent / "seed" / "targets.csv"


def load_targets(session: AnySession, source: IO[str]) -> tuple[int, int]:
    """Insert the rows whose ``id`` is new; leave existing (possibly edited) rows alone.

    Returns (added, already present). Raises ``ValueError`` naming the row for a bad value.
    """
    added = present = 0
    for line, row in enumerate(csv.DictReader(source), start=2):
        if session.scalar(select(Target.id).filter_by(code=row["id"])):
            present += 1
            continue
        try:
            target = Target(
                code=row["id"],
                jurisdiction=row["jurisdiction"],
                source_document=row["source_document"],
                source_clause=row.get("source_clause", ""),
                period_start=date.fromisoformat(row["period_start"]),
                period_end=date.fromisoformat(row["period_end"]),
                object=row["object"],
                sector_group=row.get("sector_group") or None,
                population=row.get("population", ""),
                operator=row["operator"],
                threshold=float(row["threshold"]),
                note=row.get("note", ""),
                needs_confirmation=row.get("needs_confirmation", "0") == "1",
            )
        except (KeyError, ValueError) as error:
            raise ValueError(f"targets row {line}: {error}") from error
        if target.operator not in (">", ">=") or not 0 < target.threshold < 1:
            raise ValueError(f"targets row {line}: operator or threshold out of range")
        session.add(target)
        added += 1
    session.flush()
    return added, present


def load_seed(session: AnySession) -> tuple[int, int]:
    with SEED.open(encoding="utf-8") as source:
        return load_targets(session, source)
