"""Dashboards and the quarterly report at scale: 1,000,000 responses on SQLite and on PostgreSQL.

For each database: build the schema by migrating, load a synthetic merged city (1 city, 20
departments, 100 wards, the demo's sectors, procedures and targets) and N responses with their
answers (sipas-short: overall + one item per component, about 8 % of items skipped), spread over
2025-01 … 2026-11, in bulk (SQLAlchemy Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL — never
the ORM one row at a time). Then, warm, through the Flask test client:

- the province view ``/admin/province?period=2026-Q3`` — p50 and p95 of 20 requests;
- an agency dashboard (the largest ward) ``/unit/?unit=…&period=2026-Q3`` — p50 and p95 of 20;
- the quarterly report for all units (``reports.build`` + XLSX), 3 runs, the slowest.

Budget: p95 ≤ 300 ms per dashboard, report ≤ 5 s. The baseline, in the same run, is the same timings
with the reporting indexes of migration 0002 dropped (and the result cache off), so the figures
show what the indexes and the cache buy.

Usage: ``.venv/bin/python bench/dashboard_scale.py [--responses 1000000] [--database sqlite|postgresql|both]
[--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard] [--keep]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey import create_app  # noqa: E402
from survey.administration import targets  # noqa: E402
from survey.collection import instruments  # noqa: E402
from survey.demo import catalogue as cat  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import (  # noqa: E402
    Answer,
    Procedure,
    Response,
    Sector,
    SectorGroup,
    ServicePoint,
    Unit,
    User,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard"
ITEMS = ("overall", "access.place", "procedure.as_posted", "staff.courteous", "result.as_promised",
         "feedback.easy")
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
BUDGET_PAGE, BUDGET_REPORT = 0.300, 5.0
# Created by migration 0002_reporting_indexes; dropped for the baseline.
_COVER = "instrument_id, overall, excluded, channel, sector_id, procedure_id, id"
INDEXES = {
    "ix_response_reporting_time": f"CREATE INDEX ix_response_reporting_time ON response "
                                  f"(submitted_at, unit_id, {_COVER})",
    "ix_response_reporting_unit": f"CREATE INDEX ix_response_reporting_unit ON response "
                                  f"(unit_id, submitted_at, {_COVER})",
    "ix_response_excluded": "CREATE INDEX ix_response_excluded ON response (excluded)",
    "ix_answer_covering": "CREATE INDEX ix_answer_covering ON answer (response_id, item_key, value)",
}


def make(url: str, cache: bool = True):  # type: ignore[no-untyped-def]
    return create_app({"ENV": "development", "SECRET_KEY": "bench", "DOSSIER_KEY": "bench",
                       "DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "REPORT_CACHE": cache})


def reset(url: str) -> None:
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    if url.startswith("postgresql"):
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        name = make_url(url).database
        with admin.connect() as c:
            if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = create_engine(url)
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    from flask_migrate import upgrade

    app = make(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "survey" / "migrations"))
        db.engine.dispose()


def reference(session):  # type: ignore[no-untyped-def]
    """Units, their true rates, procedures (with their sector), the instrument; returns ids."""
    instruments.load_built_in(session)
    targets.load_seed(session)
    city = Unit(code="CT", name="Thành phố Cần Thơ", level="city", valid_from=date(2008, 1, 1))
    units = [Unit(code=f"CT-S{i:02d}", name=f"Sở thử {i}", level="department", parent=city,
                  valid_from=date(2008, 1, 1)) for i in range(20)]
    units += [Unit(code=f"CT-P{i:03d}", name=f"Phường thử {i}", level="commune", parent=city,
                   valid_from=date(2025, 7, 1)) for i in range(100)]
    session.add(city)
    session.add_all(units)
    sectors = {code: Sector(code=code, name=name) for code, name, _shift in cat.SECTORS}
    session.add_all(sectors.values())
    for code, name, members in cat.SECTOR_GROUPS:
        session.add(SectorGroup(code=code, name=name, sectors=[sectors[m] for m in members]))
    procedures = [Procedure(code=code, name=name, sector=sectors[sector], level=level)
                  for code, name, sector, level, _owner in cat.PROCEDURES]
    session.add_all(procedures)
    for unit in units:
        session.add(ServicePoint(code=f"DP-{unit.code}", name=f"Quầy {unit.name}", unit=unit))
    session.flush()
    session.add(User(email="admin@bench", name="Admin", role="admin", password_hash="x"))  # noqa: S106 - no log-in by password
    session.add(User(email="ward@bench", name="Ward", role="unit_manager", unit=units[20],
                     password_hash="x"))  # noqa: S106 - no log-in by password
    instrument = instruments.current(session, "sipas-short")
    rng = np.random.default_rng(1)
    rates = list(rng.uniform(0.78, 0.97, len(units)))
    points = {p.unit_id: p.id for p in session.query(ServicePoint)}
    ids = ([u.id for u in units], rates, [p.id for p in procedures],
           ({p.id: p.sector_id for p in procedures}, points), instrument.id)  # type: ignore[union-attr]
    session.commit()
    session.remove()
    return ids


def synthesize(n: int, unit_ids: list[int], rates: list[float], procedure_ids: list[int],
               lookup: tuple[dict[int, int], dict[int, int]], instrument_id: int,
               seed: int = 7):  # type: ignore[no-untyped-def]
    sector_of, point_of = lookup
    rng = np.random.default_rng(seed)
    size = rng.gamma(2.0, 1.0, len(unit_ids))
    size[20] = size.max() * 1.5  # the agency timed below is the largest ward
    unit_index = rng.choice(len(unit_ids), n, p=size / size.sum())
    seconds = rng.integers(0, int((END - START).total_seconds()), n)
    channel = rng.choice(np.array(["kiosk", "qr", "link", "paper"]), n, p=[0.55, 0.35, 0.05, 0.05])
    has_procedure = rng.random(n) < 0.7
    procedure = rng.choice(np.array(procedure_ids), n)
    p = np.array(rates)[unit_index]
    base = rng.random((n, len(ITEMS)))
    satisfied = base < p[:, None]
    ratings = np.where(satisfied, rng.integers(4, 6, (n, len(ITEMS))), rng.integers(1, 4, (n, len(ITEMS))))
    skipped = rng.random((n, len(ITEMS))) < 0.08
    excluded = rng.random(n) < 0.002
    for i in range(n):
        pid = int(procedure[i]) if has_procedure[i] else None
        uid = unit_ids[unit_index[i]]
        yield ({
            "id": str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | i)),
            "submitted_at": datetime.fromtimestamp(START.timestamp() + int(seconds[i]), UTC),
            "unit_id": uid, "service_point_id": point_of[uid], "procedure_id": pid,
            "sector_id": sector_of[pid] if pid else None, "channel": str(channel[i]),
            "respondent_type": "citizen", "instrument_id": instrument_id, "kiosk_id": None,
            "overall": None if skipped[i, 0] else int(ratings[i, 0]), "comment": None,
            "idempotency_key": f"bench-{i:08d}", "dossier_hash": None, "flag": None,
            "excluded": bool(excluded[i]),
        }, [(item, int(ratings[i, j])) for j, item in enumerate(ITEMS) if not skipped[i, j]])


def load(url: str, n: int) -> tuple[float, int]:
    app = make(url)
    with app.app_context():
        unit_ids, rates, procedure_ids, lookup, instrument_id = reference(db.session)
        started = time.perf_counter()
        rows = synthesize(n, unit_ids, rates, procedure_ids, lookup, instrument_id)
        bulk = _copy if url.startswith("postgresql") else _insert
        answers = bulk(db.engine, rows)
        with db.engine.begin() as c:
            c.execute(text("ANALYZE"))
        db.engine.dispose()
        return time.perf_counter() - started, answers


def _batches(rows, size: int = 20_000):  # type: ignore[no-untyped-def]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(engine, rows) -> int:  # type: ignore[no-untyped-def]
    answers = 0
    for batch in _batches(rows):
        with engine.begin() as c:
            c.execute(insert(Response.__table__), [r for r, _a in batch])
            values = [{"response_id": r["id"], "item_key": k, "value": v} for r, a in batch for k, v in a]
            c.execute(insert(Answer.__table__), values)
            answers += len(values)
    return answers


def _copy(engine, rows) -> int:  # type: ignore[no-untyped-def]
    columns = [c.name for c in Response.__table__.columns]
    answers = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for batch in _batches(rows, 100_000):
            with cursor.copy(f"COPY response ({', '.join(columns)}) FROM STDIN") as copy:
                for r, _a in batch:
                    copy.write_row([r[c] for c in columns])
            with cursor.copy("COPY answer (response_id, item_key, value) FROM STDIN") as copy:
                for r, a in batch:
                    for k, v in a:
                        copy.write_row((r["id"], k, v))
                        answers += 1
            raw.commit()
    finally:
        raw.close()
    return answers


def timed(run: Callable[[], object], count: int) -> list[float]:
    run()  # warm
    out = []
    for _i in range(count):
        started = time.perf_counter()
        run()
        out.append(time.perf_counter() - started)
    return out


def measure(url: str, cache: bool) -> dict[str, float]:
    from survey.periods import parse_period
    from survey.reporting import reports, workbook
    from survey.reporting.groups import Settings

    app = make(url, cache)
    client = app.test_client()
    with app.app_context():
        admin_id = db.session.query(User.id).filter_by(email="admin@bench").scalar()
        ward = db.session.query(Unit.code).filter_by(code="CT-P000").scalar()

    def page(path: str) -> Callable[[], object]:
        def run() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response
        return run

    with client.session_transaction() as session:
        session["_user_id"] = str(admin_id)
        session["_fresh"] = True
    province = timed(page("/admin/province?period=2026-Q3"), 20)
    agency = timed(page(f"/unit/?unit={ward}&period=2026-Q3"), 20)

    def report() -> object:
        with app.app_context():
            built = reports.build(db.session, parse_period("2026-Q3"), Settings(0.95, 30))
            data = workbook.as_xlsx(built)
            db.session.remove()
            return data

    runs = timed(report, 3)
    with app.app_context():
        db.engine.dispose()
    return {"province_p50": statistics.median(province), "province_p95": _p95(province),
            "agency_p50": statistics.median(agency), "agency_p95": _p95(agency),
            "report": max(runs)}


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def indexes(url: str, create: bool) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        for name, ddl in INDEXES.items():
            c.execute(text(f"DROP INDEX IF EXISTS {name}"))
            if create:
                c.execute(text(ddl))
        c.execute(text("ANALYZE"))
    engine.dispose()


def show(label: str, figures: dict[str, float]) -> None:
    print(f"  {label:<34} province p50 {figures['province_p50'] * 1000:7.1f} ms  p95 "
          f"{figures['province_p95'] * 1000:7.1f} ms | agency p50 {figures['agency_p50'] * 1000:7.1f} ms"
          f"  p95 {figures['agency_p95'] * 1000:7.1f} ms | report {figures['report']:6.2f} s")


def run(name: str, url: str, n: int, keep: bool) -> bool:
    print(f"== {name}: {url}")
    if not keep:
        reset(url)
        seconds, answers = load(url, n)
        print(f"  loaded {n:,} responses and {answers:,} answers in {seconds:.1f} s")
    indexes(url, create=False)
    baseline = measure(url, cache=False)
    show("baseline (no reporting indexes)", baseline)
    indexes(url, create=True)
    uncached = measure(url, cache=False)
    show("reporting indexes, no cache", uncached)
    cached = measure(url, cache=True)
    show("reporting indexes + result cache", cached)
    ok = (max(cached["province_p95"], cached["agency_p95"]) <= BUDGET_PAGE
          and cached["report"] <= BUDGET_REPORT)
    print(f"  budget p95 <= {BUDGET_PAGE * 1000:.0f} ms, report <= {BUDGET_REPORT:.0f} s: "
          f"{'within' if ok else 'OVER'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--sqlite-path", default=None)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded databases")
    args = parser.parse_args()
    ok = True
    if args.database in ("sqlite", "both"):
        path = args.sqlite_path or str(Path(tempfile.gettempdir()) / "bench_dashboard.sqlite3")
        ok &= run("SQLite", f"sqlite:///{path}", args.responses, args.keep)
    if args.database in ("postgresql", "both"):
        ok &= run("PostgreSQL", args.pg_url, args.responses, args.keep)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
