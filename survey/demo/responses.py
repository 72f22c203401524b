"""Simulated responses with a known truth: rates differ by unit, sector and channel, and one ward
slips in mid-2026, so the statistics have something real to find.

They are written in bulk through SQLAlchemy Core (no ORM bookkeeping per row); on PostgreSQL the
answers, a dozen rows per response, go through psycopg's ``COPY`` (``Cursor.copy``), which loads
them several times faster than a multi-row ``INSERT``. Each response's keys go to ``response_key``
as the write path's do, and on PostgreSQL the month partitions of the days generated are made first.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert, select

from survey.collection import partitions
from survey.demo import catalogue as cat
from survey.extensions import AnySession
from survey.models import (
    Answer,
    DossierVolume,
    Instrument,
    Procedure,
    Response,
    ResponseKey,
    ResponseProblem,
    Sector,
    ServicePoint,
    Unit,
)
from survey.periods import LOCAL

START = date(2025, 1, 2)
CHANNELS = (("kiosk", 0.55), ("qr", 0.35), ("link", 0.05), ("paper", 0.05))
COMPONENT_SHIFT = {"access": 0.2, "procedure": 0.0, "staff": 0.3, "result": -0.1, "feedback": -0.5}
SLIPPING = ("CT-P-NGABAY", date(2026, 7, 1), -1.0)
PROBLEMS = ("wait_long", "many_trips", "unclear_guidance", "extra_papers",
            "rude_staff", "late_result", "poor_facilities", "other")


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def generate_responses(
    session: AnySession, units: dict[str, Unit], points: dict[str, ServicePoint],
    procedures: dict[str, Procedure], *, total: int, seed: int, end: date | None = None,
) -> int:
    rng = random.Random(seed)
    now = datetime.now(LOCAL)
    end = end or now.date()
    days = [START + timedelta(n) for n in range((end - START).days + 1)]
    days = [d for d in days if d.weekday() < 5 or (d.weekday() == 5 and rng.random() < 0.3)]
    per_day = max(1, round(total / len(days)))
    base = {code: rate for code, _n, rate, _s in cat.DEPARTMENTS}
    base |= {code: rate for code, _n, rate, _s, _b in cat.COMMUNES}
    size = {code: s for code, _n, _r, s in cat.DEPARTMENTS}
    size |= {code: s for code, _n, _r, s, _b in cat.COMMUNES}
    for _code, _n, rate, s, before in cat.COMMUNES:
        if before:
            base[before[0]], size[before[0]] = rate - 0.02, s
    shift = {code: value for code, _n, value in cat.SECTORS}
    instruments = {i.key: i for i in session.scalars(select(Instrument))}
    codes = {s.code: s.id for s in session.scalars(select(Sector))}
    sectors = {"hospital": codes.get("health"), "school": codes.get("education")}
    by_owner: dict[str | None, list[Procedure]] = {}
    for procedure in procedures.values():
        owner = procedure.unit.code if procedure.unit else None
        by_owner.setdefault(owner, []).append(procedure)

    rows: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []
    for day in days:
        open_units = [u for code, u in units.items() if code in size and u.is_open_on(day)]
        weights = [size[u.code] for u in open_units]
        for unit in rng.choices(open_units, weights, k=per_day):
            row = _one(rng, day, unit, points, by_owner, instruments, base, shift, len(rows), seed,
                       sectors)
            if row["submitted_at"] > now:  # today's answers so far only: a demo never shows the future
                continue
            rows.append(row)
            at = row["submitted_at"]
            answers.extend({"response_id": row["id"], "submitted_at": at, "item_key": k, "value": v}
                           for k, v in row.pop("_answers").items())
            problems.extend({"response_id": row["id"], "submitted_at": at, "code": c}
                            for c in row.pop("_problems"))
    partitions.ensure(session, since=START)
    _bulk(session, ResponseKey, [{"idempotency_key": r["idempotency_key"], "response_id": r["id"],
                                  "submitted_at": r["submitted_at"], "dossier_hash": r["dossier_hash"]}
                                 for r in rows])
    _bulk(session, Response, rows)
    _bulk(session, Answer, answers, plain=True)
    _bulk(session, ResponseProblem, problems, plain=True)
    session.flush()
    return len(rows)


def _bulk(session: AnySession, model: type[Any], rows: list[dict[str, object]], *,
          plain: bool = False) -> None:
    """Insert ``rows``; copied on PostgreSQL when ``plain`` (no column needs SQLAlchemy's own
    conversion of its values, such as the UTC timestamps' type)."""
    table: Table = model.__table__
    connection = session.connection()
    if plain and rows and connection.dialect.driver == "psycopg":
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        with (connection.connection.driver_connection.cursor() as cursor,  # type: ignore[union-attr]
              cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), 5000):
        session.execute(table.insert(), rows[start:start + 5000])


def _one(rng, day, unit, points, by_owner, instruments, base, shift, index, seed, sectors):
    point = points[f"DP-{unit.code}"]
    instrument_key, place_shift, sector_id = None, 0.0, None
    for code, _name, kind, unit_code, share, shift_there in cat.SECTOR_POINTS:
        if unit_code == unit.code and rng.random() < share:
            point, place_shift = points[code], shift_there
            instrument_key = "health-short" if kind == "hospital" else "education-short"
            break
    owner = None if unit.level == "commune" else unit.code
    procedure = rng.choice(by_owner[owner]) if by_owner.get(owner) else None
    if instrument_key is not None:  # a patient or a parent, not a dossier at the desk
        procedure = None
        sector_id = sectors[point.kind]
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    if instrument_key is None:
        instrument_key = "sipas-short" if channel == "kiosk" else "sipas-full"
    instrument = instruments[instrument_key]

    x = _logit(base[unit.code]) + (shift[procedure.sector.code] if procedure else place_shift)
    x += 0.25 if channel == "kiosk" else 0.0
    code, since, drop = SLIPPING
    if unit.code == code and day >= since:
        x += drop
    satisfied = rng.random() < _expit(x)
    ratings: dict[str, int] = {}
    for item in instrument.items:
        if rng.random() < (0.01 if item["key"] == "overall" else 0.05):
            continue
        if item["key"] == "overall":
            ok = satisfied
        else:
            p = 0.93 if satisfied else 0.32
            ok = rng.random() < _expit(_logit(p) + COMPONENT_SHIFT[item["component"]])
        ratings[item["key"]] = _rating(rng, ok)
    low = any(v <= 2 for v in ratings.values())
    moment = datetime.combine(day, time(7, 30), LOCAL) + timedelta(seconds=rng.randrange(32400))
    comment = None
    if rng.random() < 0.08:
        comment = rng.choice(cat.COMMENTS_GOOD if satisfied else cat.COMMENTS_BAD)
    organisation = procedure is not None and procedure.sector.code in (
        "investment", "business_registration", "construction")
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "submitted_at": moment,
        "unit_id": unit.id,
        "service_point_id": point.id,
        "procedure_id": procedure.id if procedure else None,
        "sector_id": procedure.sector_id if procedure else sector_id,
        "channel": channel,
        "respondent_type": None if rng.random() < 0.05 else (
            "organisation" if rng.random() < (0.6 if organisation else 0.05) else "citizen"),
        "instrument_id": instrument.id,
        "kiosk_id": None,
        "overall": ratings.get("overall"),
        "comment": comment,
        "idempotency_key": f"demo-{seed}-{index:08d}",
        "dossier_hash": None,
        "flag": None,
        "excluded": False,
        "_answers": ratings,
        "_problems": sorted(set(rng.sample(PROBLEMS, rng.randint(1, 2)))) if low else [],
    }


def _rating(rng: random.Random, satisfied: bool) -> int:
    if satisfied:
        return 5 if rng.random() < 0.45 else 4
    r = rng.random()
    return 3 if r < 0.55 else 2 if r < 0.85 else 1


def generate_volumes(session: AnySession, units: dict[str, Unit], *, seed: int) -> None:
    """Dossiers handled per unit and quarter (what the one-stop software reports)."""
    rng = random.Random(seed + 1)
    counts: Counter[tuple[int, str]] = Counter()
    for unit_id, moment in session.execute(select(Response.unit_id, Response.submitted_at)):
        local = moment.astimezone(LOCAL)
        counts[(unit_id, f"{local.year}-Q{(local.month - 1) // 3 + 1}")] += 1
    rows = []
    for (unit_id, period), n in sorted(counts.items()):
        dossiers = n * rng.randint(6, 30)
        rows.append({"unit_id": unit_id, "period": period, "dossiers": dossiers,
                     "dossiers_unsatisfied": round(dossiers * rng.uniform(0.002, 0.02))})
    session.execute(insert(DossierVolume), rows)
    session.flush()
