"""CSV imports: the procedure catalogue, and responses in the SPEC §3 format (paper, other systems).

Both read every row first and report every bad row by number and column; only a file without a
single error is applied, so an import is all-or-nothing. Both are idempotent: a procedure is matched
on its code, a response on its ``response_id`` (its idempotency key is derived from it).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select

from survey import audit
from survey.collection import Context, Submission, SubmissionError, check, record_response
from survey.exporting import FIXED_COLUMNS
from survey.extensions import AnySession
from survey.models import Instrument, Procedure, Response, Sector, ServicePoint, Unit, User
from survey.models.responses import CHANNELS, RESPONDENT_TYPES

MAX_ROWS = 100_000
PROCEDURE_COLUMNS = ("code", "name", "sector_code", "level", "unit_code")
PROCEDURE_LEVELS = ("city", "department", "commune", "central")
PROCEDURE_FIELDS = ("code", "name", "level", "sector_id", "unit_id")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class ImportFailed(ValueError):
    """The file has bad rows; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:20]))
        self.problems = problems


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _rows(source: IO[str], required: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(source)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed([Problem(1, c, "missing column") for c in missing])
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([Problem(MAX_ROWS + 2, "-", f"more than {MAX_ROWS} rows")])
        if None in row:
            raise ImportFailed([Problem(reader.line_num, "-", "more values than columns")])
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def import_procedures(session: AnySession, actor: User | None, source: IO[str]) -> Report:
    """Add or update procedures (``code,name,sector_code,level[,unit_code]``); unknown sectors are added."""
    rows = _rows(source, PROCEDURE_COLUMNS[:4])
    units = {u.code: u for u in session.scalars(select(Unit))}
    problems, seen = [], set()
    for line, row in enumerate(rows, start=2):
        if not row["code"] or len(row["code"]) > 40:
            problems.append(Problem(line, "code", "required, at most 40 characters"))
        elif row["code"] in seen:
            problems.append(Problem(line, "code", f"{row['code']} appears twice"))
        seen.add(row["code"])
        if not row["name"]:
            problems.append(Problem(line, "name", "required"))
        if not row["sector_code"] or len(row["sector_code"]) > 40:
            problems.append(Problem(line, "sector_code", "required, at most 40 characters"))
        if row["level"] not in PROCEDURE_LEVELS:
            problems.append(
                Problem(line, "level", f"{row['level']!r} is not one of {', '.join(PROCEDURE_LEVELS)}")
            )
        if row.get("unit_code") and row["unit_code"] not in units:
            problems.append(Problem(line, "unit_code", f"no unit {row['unit_code']!r}"))
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
        _apply_procedure(session, actor, existing.get(row["code"]), row["code"], values, report)
    session.flush()
    return report


def _apply_procedure(
    session: AnySession,
    actor: User | None,
    procedure: Procedure | None,
    code: str,
    values: dict[str, Any],
    report: Report,
) -> None:
    if procedure is None:
        procedure = Procedure(code=code, **values)
        session.add(procedure)
        session.flush()
        _record_import(session, actor, procedure, None)
        report.added.append(code)
        return
    if all(getattr(procedure, k) is v or getattr(procedure, k) == v for k, v in values.items()):
        report.unchanged += 1
        return
    before = audit.snapshot(procedure, PROCEDURE_FIELDS)
    for name, value in values.items():
        setattr(procedure, name, value)
    session.flush()
    _record_import(session, actor, procedure, before)
    report.changed.append(code)


def _record_import(
    session: AnySession, actor: User | None, procedure: Procedure, before: dict[str, Any] | None
) -> None:
    after = audit.snapshot(procedure, PROCEDURE_FIELDS)
    audit.record(session, actor, "procedure.import", "procedure", procedure.id, before, after)


def idempotency_key(response_id: str) -> str:
    """The key of an imported response: the same ``response_id`` always gives the same key."""
    return "csv-" + hashlib.sha256(response_id.encode("utf-8")).hexdigest()[:48]


@dataclass
class ResponsesReport:
    recorded: int = 0
    duplicates: int = 0
    dossier_used: int = 0


class _Lookup:
    """Codes → rows, loaded once per import."""

    def __init__(self, session: AnySession) -> None:
        self.units = {u.code: u for u in session.scalars(select(Unit))}
        self.points = {p.code: p for p in session.scalars(select(ServicePoint))}
        self.procedures = {p.code: p for p in session.scalars(select(Procedure))}
        self.sectors = {s.code: s for s in session.scalars(select(Sector))}
        self.instruments = {
            i.ref: i for i in session.scalars(select(Instrument)) if i.published_at is not None
        }


def import_responses(
    session: AnySession,
    source: IO[str],
    *,
    allowed_unit_ids: set[int] | None = None,
) -> ResponsesReport:
    """Record every row of a SPEC §3 CSV through :func:`record_response`, or nothing at all.

    The channel of each response is the file's ``channel`` column. ``allowed_unit_ids`` limits the
    units a unit manager may import into.
    """
    rows = _rows(source, (*FIXED_COLUMNS[:3], "channel", "instrument"))
    known = set(FIXED_COLUMNS) | {"comment", "weight"}
    unknown = [c for c in (rows[0] if rows else {}) if c not in known and not c.startswith("q.")]
    if unknown:
        raise ImportFailed([Problem(1, c, "unknown column") for c in unknown])
    lookup, problems = _Lookup(session), list[Problem]()
    parsed = []
    for line, row in enumerate(rows, start=2):
        before = len(problems)
        item = _parse_response(lookup, line, row, problems, allowed_unit_ids)
        if item is not None and len(problems) == before:
            parsed.append(item)
    if problems:
        raise ImportFailed(problems)
    report = ResponsesReport()
    for response_id, context, submission in parsed:
        if session.scalar(select(Response.id).where(Response.id == response_id)):
            report.duplicates += 1
            continue
        outcome = record_response(session, context, submission)
        if outcome == "recorded":
            report.recorded += 1
        elif outcome == "duplicate":
            report.duplicates += 1
        else:
            report.dossier_used += 1
    return report


def _parse_response(
    lookup: _Lookup,
    line: int,
    row: dict[str, str],
    problems: list[Problem],
    allowed: set[int] | None,
) -> tuple[str, Context, Submission] | None:
    def bad(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    response_id = row["response_id"]
    if not response_id or len(response_id) > 100:
        bad("response_id", "required, at most 100 characters")
    try:
        submitted_at = datetime.fromisoformat(row["submitted_at"])
    except ValueError:
        submitted_at = None
    if submitted_at is None or submitted_at.tzinfo is None:
        bad(
            "submitted_at",
            f"{row['submitted_at']!r} is not ISO 8601 with an offset (e.g. 2026-07-01T09:30:00+07:00)",
        )
    unit = lookup.units.get(row["unit_code"])
    if unit is None:
        bad("unit_code", f"no unit {row['unit_code']!r}")
    elif allowed is not None and unit.id not in allowed:
        bad("unit_code", f"{row['unit_code']} is not one of your units")
    point = lookup.points.get(row.get("service_point_code", "")) if row.get("service_point_code") else None
    if row.get("service_point_code") and point is None:
        bad("service_point_code", f"no service point {row['service_point_code']!r}")
    procedure = lookup.procedures.get(row.get("procedure_code", "")) if row.get("procedure_code") else None
    if row.get("procedure_code") and procedure is None:
        bad("procedure_code", f"no procedure {row['procedure_code']!r}")
    sector_code = row.get("sector_code", "")
    if sector_code and (
        sector_code not in lookup.sectors or (procedure and procedure.sector.code != sector_code)
    ):
        bad("sector_code", f"{sector_code!r} is unknown or not the procedure's sector")
    row_channel = row["channel"]
    if row_channel not in CHANNELS:
        bad("channel", f"{row_channel!r} is not one of {', '.join(CHANNELS)}")
    if row.get("respondent_type") and row["respondent_type"] not in RESPONDENT_TYPES:
        bad("respondent_type", f"{row['respondent_type']!r} is not one of {', '.join(RESPONDENT_TYPES)}")
    instrument = lookup.instruments.get(row["instrument"])
    if instrument is None:
        bad("instrument", f"no published instrument {row['instrument']!r} (e.g. sipas-short@1)")
    ratings = _ratings(row, instrument, bad)
    if unit is None or instrument is None or submitted_at is None or submitted_at.tzinfo is None:
        return None
    context = Context.of(instrument, unit, row_channel, service_point=point, procedure=procedure)
    submission = Submission(
        idempotency_key=idempotency_key(response_id),
        ratings=ratings,
        comment=row.get("comment") or None,
        respondent_type=row.get("respondent_type") or None,
        submitted_at=submitted_at,
    )
    try:
        check(context, submission)
    except SubmissionError as error:
        bad("-", str(error))
    return response_id, context, submission


def _ratings(row: dict[str, str], instrument: Instrument | None, bad: Any) -> dict[str, int]:
    ratings = {}
    keys = set(instrument.item_keys) if instrument else set()
    for column, value in row.items():
        if not column.startswith("q.") or not value:
            continue
        key = column[2:]
        if instrument is not None and key not in keys:
            bad(column, f"not an item of {instrument.ref}")
        elif value not in ("1", "2", "3", "4", "5"):
            bad(column, f"{value!r} is not 1–5 (leave empty when skipped)")
        else:
            ratings[key] = int(value)
    return ratings


__all__ = [
    "ImportFailed",
    "Problem",
    "Report",
    "ResponsesReport",
    "idempotency_key",
    "import_procedures",
    "import_responses",
]
