"""The record of outside indices: SIPAS, PAR INDEX, PAPI and PCI per year, with the city's score,
its rank and the plans' goal ("top 15": a rank of 15 or better). Entered by an administrator or
imported from a CSV whose header names the columns in Vietnamese (``Chỉ số,Năm,Điểm,Thứ hạng,
Mục tiêu[,Ghi chú]``) or by their SPEC-style codes (``index,year,score,rank,goal[,note]``); all
or nothing, every bad line named by its row and its Vietnamese column. Every change is audited.
"""

from __future__ import annotations

import csv
import io
import re
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.csvfiles import ImportFailed, Problem, read_rows
from survey.extensions import AnySession
from survey.labels import VOCABULARIES
from survey.models import OutsideIndex, User
from survey.models.operations import OUTSIDE_INDICES

HEADERS = {"index": "Chỉ số", "year": "Năm", "score": "Điểm", "rank": "Thứ hạng", "goal": "Mục tiêu",
           "note": "Ghi chú"}
COLUMNS = tuple(HEADERS[c] for c in ("index", "year", "score", "rank", "goal"))
INDEX, YEAR, SCORE, RANK, GOAL, NOTE = HEADERS.values()
FIELDS = ("index_code", "year", "score", "rank", "goal_rank", "note")
NAMES = VOCABULARIES["outside_index"]
_GOAL = re.compile(r"^(?:top|tốp|nhóm)?\s*(\d{1,3})$", re.IGNORECASE)


def index_code(text: str) -> str | None:
    """``SIPAS``, ``PAR INDEX`` / ``PAR_INDEX`` / ``par index`` … as the stored code, None if unknown."""
    code = re.sub(r"[\s_-]+", "_", text.strip().upper())
    return code if code in OUTSIDE_INDICES else None


def parse_goal(text: str) -> int | None:
    """"top 15", "tốp 15" or "15" → 15; "" → None; ValueError otherwise."""
    if not text.strip():
        return None
    match = _GOAL.match(text.strip())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(text)
    return int(match.group(1))


def _renamed(source: IO[str]) -> IO[str]:
    """The file with its header's codes (``index`` …) replaced by the Vietnamese column names."""
    first, newline, rest = source.read().partition("\n")
    wanted = {**HEADERS, **{v.lower(): v for v in HEADERS.values()}}
    names = [wanted.get(n.strip().lower(), n.strip()) for n in next(csv.reader([first]), [])]
    header = io.StringIO()
    csv.writer(header, lineterminator="").writerow(names)
    return io.StringIO(header.getvalue() + newline + rest)


def _row_values(line: int, row: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {"note": row.get(NOTE, "")[:500]}
    values["index_code"] = index_code(row[INDEX])
    if values["index_code"] is None:
        problems.append(Problem(line, INDEX, _l("“%(v)s” không phải SIPAS, PAR INDEX, PAPI hay PCI",
                                                v=row[INDEX])))
    year = row[YEAR]
    values["year"] = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    if values["year"] is None:
        problems.append(Problem(line, YEAR, _l("năm phải là số từ 2000 đến 2100")))
    try:
        values["score"] = float(row[SCORE].replace(",", ".")) if row[SCORE] else None
        if values["score"] is not None and not 0 <= values["score"] <= 1000:
            raise ValueError(row[SCORE])
    except ValueError:
        problems.append(Problem(line, SCORE, _l("điểm phải là một số, ví dụ 82,5")))
    rank = row[RANK]
    values["rank"] = int(rank) if rank.isdigit() and int(rank) >= 1 else None
    if rank and values["rank"] is None:
        problems.append(Problem(line, RANK, _l("thứ hạng phải là số nguyên từ 1 trở lên")))
    try:
        values["goal_rank"] = parse_goal(row[GOAL])
    except ValueError:
        problems.append(Problem(line, GOAL, _l("mục tiêu viết như “top 15” hoặc “15”")))
    return values, problems


def import_csv(session: AnySession, actor: User | None, source: IO[str]) -> int:
    """Store every line (adding or replacing the index of that year); :class:`ImportFailed`
    naming every bad line, with nothing stored, if any line is bad. Returns the lines stored."""
    rows = read_rows(_renamed(source), COLUMNS)
    parsed, problems, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        values, wrong = _row_values(line, row)
        key = (values["index_code"], values["year"])
        if not wrong and key in seen:
            wrong.append(Problem(line, INDEX, _l("chỉ số này của năm %(y)s đã có ở dòng trên",
                                                   y=values["year"])))
        seen.add(key)
        problems += wrong
        parsed.append(values)
    if problems:
        raise ImportFailed(problems)
    for values in parsed:
        save(session, actor, values)
    return len(parsed)


def save(session: AnySession, actor: User | None, values: dict[str, Any]) -> OutsideIndex:
    """Add the index of a year, or replace its figures; audited; flush, never commit."""
    row = session.scalars(select(OutsideIndex).where(OutsideIndex.index_code == values["index_code"],
                                                     OutsideIndex.year == values["year"])).first()
    before = audit.snapshot(row, FIELDS) if row is not None else None
    if row is None:
        row = OutsideIndex(index_code=values["index_code"], year=values["year"])
        session.add(row)
    for name in ("score", "rank", "goal_rank", "note"):
        setattr(row, name, values.get(name) if name != "note" else (values.get("note") or ""))
    session.flush()
    audit.record(session, actor=actor, action="outside_index.save", object_type="outside_index",
                 object_id=row.id, before=before, after=audit.snapshot(row, FIELDS))
    return row


def by_year(session: AnySession) -> dict[int, list[OutsideIndex]]:
    """Every recorded index, newest year first, in the order SIPAS, PAR INDEX, PAPI, PCI."""
    out: dict[int, list[OutsideIndex]] = {}
    rows = session.scalars(select(OutsideIndex).order_by(OutsideIndex.year.desc()))
    for row in sorted(rows, key=lambda r: (-r.year, OUTSIDE_INDICES.index(r.index_code))):
        out.setdefault(row.year, []).append(row)
    return out
