"""Responses from a SPEC §3 CSV (paper surveys, other systems), all or nothing.

Every row is read first and every bad row reported by number and column
(:class:`~survey.csvfiles.ImportFailed`); only a file without a single error is recorded, each
row through the one write path (:func:`survey.collection.responses.record_response`). An import
is idempotent: a response is matched on its ``response_id``, from which its idempotency key is
derived. It checks the desk as well as the unit: a unit manager may import only into the units,
and name only the service points, within reach (:mod:`survey.administration.access`). The import
records its own audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.administration.access import desk_in_reach
from survey.collection.exporting import FIXED_COLUMNS
from survey.collection.responses import Context, Submission, SubmissionError, check, record_response
from survey.csvfiles import ImportFailed, Problem, read_rows
from survey.extensions import AnySession
from survey.models import Instrument, Procedure, Response, Sector, ServicePoint, Unit, User
from survey.models.responses import CHANNELS, RESPONDENT_TYPES


def _not_yours(code: str) -> object:
    return _l("%(code)s không thuộc phạm vi của bạn", code=code)


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


def record_paper(session: AnySession, actor: User | None, context: Context, submission: Submission) -> str:
    """One paper form keyed in by staff: recorded as any response, and the keying in is audited.

    The audit entry names the unit and the day, never the ratings: it says who typed a form in,
    not what the citizen answered.
    """
    outcome = record_response(session, context, submission)
    if outcome == "recorded":
        audit.record(session, actor=actor, action="response.paper", object_type="response",
                     after={"unit_id": context.unit_id, "channel": "paper",
                            "submitted_at": submission.submitted_at.date().isoformat()
                            if submission.submitted_at else None})
    return outcome


def import_responses(
    session: AnySession,
    actor: User | None,
    source: IO[str],
    *,
    allowed_unit_ids: frozenset[int] | None = None,
) -> ResponsesReport:
    """Record every row of a SPEC §3 CSV through :func:`record_response`, or nothing at all.

    The channel of each response is the file's ``channel`` column. ``allowed_unit_ids`` (None:
    every unit) limits the units, and the service points, that the rows may name. Audited.
    """
    rows = read_rows(source, (*FIXED_COLUMNS[:3], "channel", "instrument"))
    known = set(FIXED_COLUMNS) | {"comment", "weight", "partial"}
    unknown = [c for c in (rows[0] if rows else {}) if c not in known and not c.startswith("q.")]
    if unknown:
        raise ImportFailed([Problem(1, c, _l("cột không có trong mẫu")) for c in unknown])
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
    audit.record(session, actor=actor, action="responses.import", object_type="response", after=vars(report))
    return report


def _parse_response(
    lookup: _Lookup,
    line: int,
    row: dict[str, str],
    problems: list[Problem],
    allowed: frozenset[int] | None,
) -> tuple[str, Context, Submission] | None:
    def bad(column: str, message: object) -> None:
        problems.append(Problem(line, column, message))

    response_id = row["response_id"]
    if not response_id or len(response_id) > 100:
        bad("response_id", _l("bắt buộc, tối đa 100 ký tự"))
    try:
        submitted_at = datetime.fromisoformat(row["submitted_at"])
    except ValueError:
        submitted_at = None
    if submitted_at is None or submitted_at.tzinfo is None:
        bad("submitted_at", _l("%(value)s không phải thời điểm ISO 8601 có múi giờ (ví dụ "
                               "2026-07-01T09:30:00+07:00)", value=row["submitted_at"]))
    unit = lookup.units.get(row["unit_code"])
    if unit is None:
        bad("unit_code", _l("không có đơn vị %(code)s", code=row["unit_code"]))
    elif allowed is not None and unit.id not in allowed:
        bad("unit_code", _not_yours(row["unit_code"]))
    point = lookup.points.get(row.get("service_point_code", "")) if row.get("service_point_code") else None
    if row.get("service_point_code") and point is None:
        bad("service_point_code", _l("không có điểm phục vụ %(code)s", code=row["service_point_code"]))
    elif not desk_in_reach(allowed, point):
        bad("service_point_code", _not_yours(row["service_point_code"]))
    procedure = lookup.procedures.get(row.get("procedure_code", "")) if row.get("procedure_code") else None
    if row.get("procedure_code") and procedure is None:
        bad("procedure_code", _l("không có thủ tục %(code)s", code=row["procedure_code"]))
    sector_code = row.get("sector_code", "")
    if sector_code and (
        sector_code not in lookup.sectors or (procedure and procedure.sector.code != sector_code)
    ):
        bad("sector_code", _l("%(code)s không có hoặc không phải lĩnh vực của thủ tục", code=sector_code))
    row_channel = row["channel"]
    if row_channel not in CHANNELS:
        bad("channel", _l("%(value)s không phải một trong: %(values)s", value=row_channel,
                          values=", ".join(CHANNELS)))
    if row.get("respondent_type") and row["respondent_type"] not in RESPONDENT_TYPES:
        bad("respondent_type", _l("%(value)s không phải một trong: %(values)s",
                                  value=row["respondent_type"], values=", ".join(RESPONDENT_TYPES)))
    instrument = lookup.instruments.get(row["instrument"])
    if instrument is None:
        bad("instrument", _l("không có mẫu phiếu đã công bố %(ref)s (ví dụ sipas-short@1)",
                             ref=row["instrument"]))
    ratings = _ratings(row, instrument, bad)
    if row.get("partial", "") not in ("", "0", "1"):
        bad("partial", _l("%(value)s không phải một trong: %(values)s", value=row["partial"],
                          values="0, 1"))
    if unit is None or instrument is None or submitted_at is None or submitted_at.tzinfo is None:
        return None
    context = Context.of(instrument, unit, row_channel, service_point=point, procedure=procedure)
    submission = Submission(
        idempotency_key=idempotency_key(response_id),
        ratings=ratings,
        comment=row.get("comment") or None,
        respondent_type=row.get("respondent_type") or None,
        submitted_at=submitted_at,
        partial=row.get("partial") == "1",
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
            bad(column, _l("không phải câu hỏi của %(ref)s", ref=instrument.ref))
        elif value not in ("1", "2", "3", "4", "5"):
            bad(column, _l("%(value)s không phải số từ 1 đến 5 (để trống khi bỏ qua)", value=value))
        else:
            ratings[key] = int(value)
    return ratings
