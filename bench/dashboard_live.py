"""Dashboards and the quarterly report live, at 1,000,000 responses, on SQLite and PostgreSQL.

For each database: build the schema by migrating, load a synthetic merged city (1 city, 20
departments, 100 wards, the demo's sectors, procedures and targets) and N responses with their
answers (sipas-short: overall + one item per component, about 8 % of items skipped), spread over
2025-01 … 2026-11, in bulk (SQLAlchemy Core ``executemany`` on SQLite, ``COPY`` on PostgreSQL, into the
months' partitions made first), past the write path, each response's keys in ``response_key`` as
the write path stores them; then ``flask reporting rebuild``'s recomputation fills the cells (timed). Then,
through the Flask test client, as the administrator:

- the province view ``/admin/province?period=2026-Q3``;
- an agency dashboard (the largest ward) ``/unit/?unit=…&period=2026-Q3``;
- the yearly ranking ``/admin/province/ranking?period=2026`` (every unit's posterior draws,
  redrawn whenever an answer of the year changes the counts);
- the quarterly report for all units (``reports.build`` + XLSX).

Each is timed twice in the same run: **warm**, with nothing written meanwhile (the fits kept by
their inputs are reused), and **live**, while another thread records answers through the real
write path (``record_response``, each committed, several a second, into random units of the
city), so that every request reads cells that have just changed. The process is settled as a gunicorn
worker is (``survey.settle_for_serving``). Budgets: live p95 ≤ 150 ms for
the pages, the report ≤ 1 s. ``verify`` then checks the cells against the responses.

Usage: ``.venv/bin/python bench/dashboard_live.py [--responses 1000000] [--database sqlite|postgresql|both]
[--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard] [--keep] [--rate 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
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

from survey import create_app, settle_for_serving  # noqa: E402
from survey.administration import targets  # noqa: E402
from survey.collection import instruments, partitions  # noqa: E402
from survey.demo import catalogue as cat  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import (  # noqa: E402
    Answer,
    Procedure,
    Response,
    ResponseKey,
    Sector,
    SectorGroup,
    ServicePoint,
    Unit,
    User,
)
from survey.reporting import rebuild  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard"
ITEMS = ("overall", "access.place", "procedure.as_posted", "staff.courteous", "result.as_promised",
         "feedback.easy")
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
BUDGET_PAGE, BUDGET_REPORT = 0.150, 1.0


def make(url: str):  # type: ignore[no-untyped-def]
    return create_app({"ENV": "development", "SECRET_KEY": "bench", "DOSSIER_KEY": "bench",
                       "DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


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
            "submitted_at": (at := datetime.fromtimestamp(START.timestamp() + int(seconds[i]), UTC)),
            "recorded_at": at,
            "unit_id": uid, "service_point_id": point_of[uid], "procedure_id": pid,
            "sector_id": sector_of[pid] if pid else None, "channel": str(channel[i]),
            "respondent_type": "citizen", "instrument_id": instrument_id, "kiosk_id": None,
            "overall": None if skipped[i, 0] else int(ratings[i, 0]), "comment": None,
            "idempotency_key": f"bench-{i:08d}", "dossier_hash": None, "flag": None,
            "excluded": bool(excluded[i]), "partial": False, "service_step": None,
        }, [(item, int(ratings[i, j])) for j, item in enumerate(ITEMS) if not skipped[i, j]])


def load(url: str, n: int) -> tuple[float, int]:
    app = make(url)
    with app.app_context():
        unit_ids, rates, procedure_ids, lookup, instrument_id = reference(db.session)
        partitions.ensure(db.session, since=START.date())  # PostgreSQL: the months' partitions
        db.session.commit()
        started = time.perf_counter()
        rows = synthesize(n, unit_ids, rates, procedure_ids, lookup, instrument_id)
        bulk = _copy if url.startswith("postgresql") else _insert
        answers = bulk(db.engine, rows)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        counts, items, problems = rebuild.rebuild(
            db.session, lambda text: print(f"    {time.perf_counter() - started:6.1f} s  {text}"))
        db.session.commit()
        print(f"  cells: {counts:,} count, {items:,} item, {problems:,} problem cells, "
              f"built in {time.perf_counter() - started:.1f} s")
        with db.engine.begin() as c:
            c.execute(text("ANALYZE"))
        db.engine.dispose()
        return loaded, answers


def _batches(rows, size: int = 20_000):  # type: ignore[no-untyped-def]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _key(r: dict[str, object]) -> dict[str, object]:
    """A response's row in ``response_key``, as the write path stores it."""
    return {"idempotency_key": r["idempotency_key"], "response_id": r["id"],
            "submitted_at": r["submitted_at"], "dossier_hash": r["dossier_hash"]}


def _insert(engine, rows) -> int:  # type: ignore[no-untyped-def]
    answers = 0
    for batch in _batches(rows):
        with engine.begin() as c:
            c.execute(insert(ResponseKey.__table__), [_key(r) for r, _a in batch])
            c.execute(insert(Response.__table__), [r for r, _a in batch])
            values = [{"response_id": r["id"], "submitted_at": r["submitted_at"], "item_key": k,
                       "value": v} for r, a in batch for k, v in a]
            c.execute(insert(Answer.__table__), values)
            answers += len(values)
    return answers


def _copy(engine, rows) -> int:  # type: ignore[no-untyped-def]
    columns = [c.name for c in Response.__table__.columns]
    answers = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # As pg_restore --disable-triggers does: the rows are made consistent, so the foreign keys'
        # triggers are not fired row by row (while answers still referred to the partitioned
        # response by a foreign key, they took the load of 1,000,000 responses to 6.5 minutes).
        cursor.execute("SET session_replication_role = replica")
        for batch in _batches(rows, 100_000):
            with cursor.copy("COPY response_key (idempotency_key, response_id, submitted_at, "
                             "dossier_hash) FROM STDIN") as copy:
                for r, _a in batch:
                    copy.write_row(list(_key(r).values()))
            with cursor.copy(f"COPY response ({', '.join(columns)}) FROM STDIN") as copy:
                for r, _a in batch:
                    copy.write_row([r[c] for c in columns])
            with cursor.copy("COPY answer (response_id, submitted_at, item_key, value) FROM STDIN") as copy:
                for r, a in batch:
                    for k, v in a:
                        copy.write_row((r["id"], r["submitted_at"], k, v))
                        answers += 1
            raw.commit()
    finally:
        raw.close()
    return answers


def timed(run: Callable[[], object], count: int) -> list[float]:
    out = []
    for _i in range(count):
        started = time.perf_counter()
        run()
        out.append(time.perf_counter() - started)
    return out


class Writer(threading.Thread):
    """Answers through the real write path, ``rate`` a second, each in its own committed transaction."""

    def __init__(self, url: str, rate: float) -> None:
        super().__init__(daemon=True)
        self.url, self.rate, self.written, self.stop = url, rate, 0, threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        from survey.collection.responses import Context, Submission, record_response

        app = make(self.url)
        rng = np.random.default_rng(11)
        try:
            with app.app_context():
                instrument = instruments.current(db.session, "sipas-short")
                units = db.session.query(Unit).filter(Unit.level != "city").all()
                points = {p.unit_id: p for p in db.session.query(ServicePoint)}
                while not self.stop.is_set():
                    unit = units[int(rng.integers(len(units)))]
                    ratings = {item: int(rng.integers(1, 6)) for item in ITEMS}
                    record_response(db.session, Context.of(instrument, unit, "kiosk",  # type: ignore[arg-type]
                                                           service_point=points[unit.id]),
                                    Submission(idempotency_key=uuid.uuid4().hex, ratings=ratings,
                                               submitted_at=datetime(2026, 8, 15, 3, tzinfo=UTC)))
                    db.session.commit()
                    self.written += 1
                    self.stop.wait(1 / self.rate)
                db.engine.dispose()
        except BaseException as error:
            self.errors.append(error)


def measure(url: str, writer: Writer | None) -> dict[str, float]:
    from survey.periods import parse_period
    from survey.reporting import reports, workbook
    from survey.reporting.groups import Settings

    app = make(url)
    settle_for_serving()  # as wsgi.py does in each gunicorn worker
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
    page("/admin/province?period=2026-Q3")()  # templates compiled, connections opened
    before = writer.written if writer else 0
    started = time.perf_counter()
    province = timed(page("/admin/province?period=2026-Q3"), 30)
    agency = timed(page(f"/unit/?unit={ward}&period=2026-Q3"), 30)
    ranked = timed(page("/admin/province/ranking?period=2026"), 30)

    def report() -> object:
        with app.app_context():
            built = reports.build(db.session, parse_period("2026-Q3"), Settings(0.95, 30))
            data = workbook.as_xlsx(built)
            db.session.remove()
            return data

    runs = timed(report, 3)
    elapsed = time.perf_counter() - started
    with app.app_context():
        db.engine.dispose()
    return {"province_p50": statistics.median(province), "province_p95": _p95(province),
            "agency_p50": statistics.median(agency), "agency_p95": _p95(agency),
            "ranking_p50": statistics.median(ranked), "ranking_p95": _p95(ranked),
            "report": max(runs), "writes": ((writer.written - before) / elapsed) if writer else 0.0}


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def show(warm: dict[str, float], live: dict[str, float]) -> None:
    for name, label in (("province", "province view"), ("agency", "agency dashboard"),
                        ("ranking", "yearly ranking")):
        print(f"  {label:<17} live p50 {live[name + '_p50'] * 1000:6.1f} ms  p95 "
              f"{live[name + '_p95'] * 1000:6.1f} ms  (warm p95 {warm[name + '_p95'] * 1000:6.1f} ms,"
              f" live/warm {live[name + '_p95'] / warm[name + '_p95']:.2f})  budget "
              f"{BUDGET_PAGE * 1000:.0f} ms")
    print(f"  {'quarterly report':<17} live {live['report']:.2f} s  (warm {warm['report']:.2f} s)"
          f"  budget {BUDGET_REPORT:.0f} s")
    print(f"  answers written while timing: {live['writes']:.1f} a second")


def run(name: str, url: str, n: int, keep: bool, rate: float) -> bool:
    print(f"== {name}: {url}")
    if not keep:
        reset(url)
        seconds, answers = load(url, n)
        print(f"  loaded {n:,} responses and {answers:,} answers in {seconds:.1f} s")
    warm = measure(url, None)
    writer = Writer(url, rate)
    writer.start()
    time.sleep(1.0)
    live = measure(url, writer)
    writer.stop.set()
    writer.join()
    if writer.errors:
        raise writer.errors[0]
    show(warm, live)
    app = make(url)
    with app.app_context():
        differences = rebuild.verify(db.session)
        db.session.rollback()
        db.engine.dispose()
    print(f"  cells after {writer.written} live answers: "
          f"{'equal to the responses' if not differences else f'{len(differences)} DIFFER'}")
    ok = (max(live["province_p95"], live["agency_p95"], live["ranking_p95"]) <= BUDGET_PAGE
          and live["report"] <= BUDGET_REPORT and not differences)
    print(f"  budget live p95 <= {BUDGET_PAGE * 1000:.0f} ms, report <= {BUDGET_REPORT:.0f} s: "
          f"{'within' if ok else 'OVER'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--sqlite-path", default=None)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded databases")
    parser.add_argument("--rate", type=float, default=5.0, help="live answers a second")
    args = parser.parse_args()
    ok = True
    if args.database in ("sqlite", "both"):
        path = args.sqlite_path or str(Path(tempfile.gettempdir()) / "bench_dashboard.sqlite3")
        ok &= run("SQLite", f"sqlite:///{path}", args.responses, args.keep, args.rate)
    if args.database in ("postgresql", "both"):
        ok &= run("PostgreSQL", args.pg_url, args.responses, args.keep, args.rate)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
