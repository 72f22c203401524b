"""Cases that staff enter (received at the desk, by letter, by phone) and 1022 tickets imported
from a CSV file or through the API, each keeping its own ticket id.

An import is idempotent: a ticket is matched on (``source``, ``ticket_id``), a unique
constraint, so a file or a call sent twice stores each ticket once. A CSV file is read whole
first and every bad row named by row and column; only a file without an error is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.casework import cases, contacts
from survey.csvfiles import ImportFailed, Problem, read_rows
from survey.extensions import AnySession
from survey.models import Procedure, Sector, Unit, User
from survey.models.casework import KINDS
from survey.periods import LOCAL

HOTLINE = "1022"
COLUMNS = ("ticket_id", "received_at", "unit_code", "kind", "text", "name", "phone", "email",
           "sector_code", "procedure_code", "publish_consent")
REQUIRED = ("ticket_id", "received_at", "unit_code", "text")
YES = {"1", "true", "yes", "co", "có", "x"}


def parse_moment(value: str) -> datetime:
    """ISO 8601; without an offset it is local time; a bare date is local midnight."""
    if len(value) == 10:
        return datetime.combine(datetime.fromisoformat(value).date(), time(), LOCAL)
    moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


@dataclass
class Imported:
    stored: int = 0
    already: int = 0


class Codes:
    def __init__(self, session: AnySession) -> None:
        self.units = {u.code: u for u in session.scalars(select(Unit))}
        self.sectors = {s.code: s for s in session.scalars(select(Sector))}
        self.procedures = {p.code: p for p in session.scalars(select(Procedure))}


def ticket_intake(row: dict[str, Any], codes: Codes, allowed: frozenset[int] | None,
                  line: int) -> tuple[cases.Intake | None, list[Problem]]:
    """One ticket (a CSV row or an API object) as an :class:`~cases.Intake`, or its problems."""
    problems: list[Problem] = []

    def bad(column: str, message: object) -> None:
        problems.append(Problem(line, column, message))

    for column in REQUIRED:
        if not str(row.get(column) or "").strip():
            bad(column, _l("bắt buộc"))
    unit = codes.units.get(str(row.get("unit_code") or ""))
    if row.get("unit_code") and (unit is None or (allowed is not None and unit.id not in allowed)):
        bad("unit_code", _l("không có đơn vị %(code)s trong phạm vi của bạn", code=row["unit_code"]))
    kind = str(row.get("kind") or "phan_anh")
    if kind not in KINDS:
        bad("kind", _l("%(value)s không phải một trong: %(kinds)s", value=kind, kinds=", ".join(KINDS)))
    received = None
    if row.get("received_at"):
        try:
            received = parse_moment(str(row["received_at"]))
        except ValueError:
            bad("received_at", _l("%(value)s không phải thời điểm (NNNN-TT-NN GG:PP)",
                                  value=row["received_at"]))
    sector = codes.sectors.get(str(row.get("sector_code") or ""))
    procedure = codes.procedures.get(str(row.get("procedure_code") or ""))
    for column, value, found in (("sector_code", row.get("sector_code"), sector),
                                 ("procedure_code", row.get("procedure_code"), procedure)):
        if value and found is None:
            bad(column, _l("không có mã %(code)s", code=value))
    contact = _contact(row, bad)
    if len(str(row.get("text") or "")) > cases.MAX_TEXT:
        bad("text", _l("dài quá %(n)s ký tự", n=cases.MAX_TEXT))
    if problems or unit is None:
        return None, problems
    return cases.Intake(
        unit_id=unit.id, kind=kind, channel="hotline", text=str(row["text"]), received_at=received,
        sector_id=sector.id if sector else (procedure.sector_id if procedure else None),
        procedure_id=procedure.id if procedure else None, contact=contact,
        publish_consent=str(row.get("publish_consent") or "").strip().lower() in YES,
        source=HOTLINE, external_id=str(row["ticket_id"]).strip()[:80]), []


def _contact(row: dict[str, Any], bad: Any) -> contacts.Contact:
    values = {"name": str(row.get("name") or "")}
    for column in ("phone", "email"):
        try:
            values[column] = getattr(contacts.Contact.clean(**{column: row.get(column)}), column)
        except contacts.ContactError as error:
            bad(column, error)
    return contacts.Contact.clean(**values)


def import_tickets(session: AnySession, actor: User | None, source: IO[str], *,
                   allowed_unit_ids: frozenset[int] | None = None) -> Imported:
    """Store every 1022 ticket of the CSV file, or nothing; tickets stored before are left."""
    rows = read_rows(source, REQUIRED)
    unknown = [c for c in (rows[0] if rows else {}) if c not in COLUMNS]
    if unknown:
        raise ImportFailed([Problem(1, c, _l("cột không có trong mẫu")) for c in unknown])
    codes, problems, intakes = Codes(session), list[Problem](), []
    for line, row in enumerate(rows, start=2):
        intake, found = ticket_intake(row, codes, allowed_unit_ids, line)
        problems += found
        if intake is not None:
            intakes.append(intake)
    if problems:
        raise ImportFailed(problems)
    report = Imported()
    for intake in intakes:
        _case, created = cases.receive(session, actor, intake)
        report.stored += created
        report.already += not created
    audit.record(session, actor=actor, action="complaint.import", object_type="complaint",
                 after={"source": HOTLINE, "stored": report.stored, "already": report.already})
    return report
