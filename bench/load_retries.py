"""Nothing lost, nothing counted twice: 10,000 phone submissions with resends, on SQLite and PostgreSQL.

gunicorn (2 sync workers, 127.0.0.1, a free port) serves ``wsgi:app`` with CSRF on: each client
thread opens the QR survey once (``GET /s/<token>``) for its session cookie and CSRF token, then
posts its share of the submissions. 10 % of the submissions are sent a second time with the same
idempotency key, from another client at a random later moment (so some resends race the original,
some come long after). A client that gets no acknowledgement (connection error, 5xx, 429) retries
with the same key, as the kiosk's outbox does; only a 303 to ``/thanks?result=recorded`` counts as
acknowledged.

Every submission carries a serial number in its comment, so duplicates are counted independently
of the idempotency-key constraint. Printed per database: submissions, resends, acknowledged,
stored, duplicated, lost (acknowledged but not stored), requests per second. Required: 0 lost and
0 duplicated (exit status 1 otherwise).

The bench app runs with ``SURVEY_ENV=development`` (plain-HTTP cookies; the secret key is set) and
the rate limiter off: all clients share one address here.

Usage: ``.venv/bin/python bench/load_retries.py [--submissions 10000] [--clients 16]
[--database sqlite|postgresql|both]``. PostgreSQL uses the database ``bench_reliability`` on
``postgresql+psycopg://postgres@127.0.0.1:5432`` (``--pg-url`` to change), dropped and migrated.

**Through the proxy** (``--proxy [--kiosks 24]``): the production-shaped stack (nginx over HTTPS →
gunicorn, 2 workers, production settings, rate limits in Redis) on a PostgreSQL cluster and a Redis
server of the bench's own (bench/proxy_load.py). Half the answers come from enrolled kiosks with
an outbox, half from phones, one new session per citizen; 10 % resent. The baseline, in the same
run on the same PostgreSQL, is this bench's plain mode: phones straight into gunicorn, no TLS, no
limiter. Required: 0 lost, 0 duplicated, 0 × 500, nothing stuck unacknowledged.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from _servers import start, stop
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-reliability-secret-0123456789abcdef"  # noqa: S105 - a throwaway bench server
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_reliability"
ITEMS = ("q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
         "q_result__as_promised", "q_feedback__easy")


def prepare_database(url: str) -> str:
    """Empty ``url``, migrate it, add instruments and a service point; return a signed QR token."""
    from survey import create_app
    from survey.collection import instruments
    from survey.collection.signing import SurveyPayload, sign_payload
    from survey.extensions import db
    from survey.models import ServicePoint, Unit
    from tests.conftest import reset_database

    if url.startswith("postgresql"):
        _create_pg_database(url)
    app = create_app({"ENV": "development", "SECRET_KEY": SECRET, "DATABASE_URL": url})
    reset_database(app)
    with app.app_context():
        instruments.load_built_in(db.session)
        unit = Unit(code="BENCH", name="Phường Thử tải", level="commune",
                    valid_from=datetime.date(2025, 7, 1))
        db.session.add(ServicePoint(code="BENCH-1", name="Bộ phận một cửa", unit=unit))
        db.session.commit()
        token = sign_payload(SurveyPayload("sipas-full", "BENCH", "BENCH-1"))
        db.session.remove()
        db.engine.dispose()
    return token


def _create_pg_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def server_env(url: str) -> dict[str, str]:
    # Each client thread is one browser answering many times in a row: the kind refusal of a
    # second answer from one browser within minutes (SURVEY_PHONE_REPEAT_MINUTES) is turned off,
    # so what is measured is the write path and its idempotency, not that guard.
    return {"SURVEY_ENV": "development", "SURVEY_SECRET_KEY": SECRET, "SURVEY_DATABASE_URL": url,
            "SURVEY_RATELIMIT_ENABLED": "false", "SURVEY_PHONE_REPEAT_MINUTES": "0"}


@dataclass
class Tally:
    """What the clients saw."""

    acknowledged: set[int] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    tracebacks: int = 0
    requests: int = 0
    events: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, status)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, what: str, body: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.statuses[what] += 1
            self.events.append((time.monotonic(), what))
            if "Traceback" in body or "File \"/" in body:
                self.tracebacks += 1


class Client:
    """One browser session: a cookie jar and a CSRF token, retrying until acknowledged."""

    def __init__(self, base: str, token: str, tally: Tally, run: str) -> None:
        self.url, self.tally, self.run = f"{base}/s/{token}", tally, run
        self.session = requests.Session()
        self.csrf = ""

    def open_form(self) -> None:
        page = self.session.get(self.url, timeout=30)
        marker = 'name="csrf_token" type="hidden" value="'
        self.csrf = page.text.split(marker, 1)[1].split('"', 1)[0]

    def submit(self, serial: int, key: str, attempts: int = 60) -> bool:
        rng = random.Random(serial)
        data = {name: str(rng.randint(1, 5)) for name in ITEMS} | {
            "idempotency_key": key, "comment": f"bench-{self.run}-{serial}"}
        for attempt in range(attempts):
            try:
                if not self.csrf:
                    self.open_form()
                response = self.session.post(self.url, data={**data, "csrf_token": self.csrf},
                                             allow_redirects=False, timeout=30)
            except requests.RequestException as error:
                self.tally.saw(f"error {type(error).__name__}")
                time.sleep(min(0.05 * 2 ** attempt, 2))
                continue
            self.tally.saw(str(response.status_code), response.text if response.status_code >= 500 else "")
            if response.status_code == 303 and "result=recorded" in response.headers.get("Location", ""):
                return True
            if response.status_code == 400:  # a CSRF token from a lost session: open the form again
                self.csrf = ""
            time.sleep(min(0.05 * 2 ** attempt, 2))
        return False


def plan(submissions: int, resend_share: float, seed: int) -> list[tuple[int, str]]:
    """(serial, key) jobs: every submission once, plus resends of a share of them, shuffled."""
    rng = random.Random(seed)
    keys = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(submissions)]
    jobs = list(enumerate(keys))
    jobs += rng.sample(jobs, int(submissions * resend_share))
    rng.shuffle(jobs)
    return jobs


def drive(base: str, token: str, jobs: list[tuple[int, str]], clients: int, run: str,
          during: Callable[[Tally], None] | None = None) -> tuple[Tally, float]:
    """Send ``jobs`` from ``clients`` threads; ``during(tally)`` runs alongside (a fault)."""
    tally = Tally()
    shares = [jobs[i::clients] for i in range(clients)]

    def work(share: list[tuple[int, str]]) -> None:
        client = Client(base, token, tally, run)
        for serial, key in share:
            if client.submit(serial, key):
                with tally.lock:
                    tally.acknowledged.add(serial)

    started = time.perf_counter()
    fault = threading.Thread(target=during, args=(tally,)) if during else None
    if fault:
        fault.start()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(work, shares))
    if fault:
        fault.join()
    return tally, time.perf_counter() - started


def stored(url: str, run: str) -> Counter[int]:
    """How many rows the database holds for each serial of ``run``."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT comment FROM response WHERE comment LIKE :p"),
                                  {"p": f"bench-{run}-%"})
        counts = Counter(int(comment.rsplit("-", 1)[1]) for (comment,) in rows)
    engine.dispose()
    return counts


def figures(name: str, jobs: list[tuple[int, str]], tally: Tally, seconds: float,
            rows: Counter[int]) -> dict[str, float]:
    submissions = len({serial for serial, _key in jobs})
    result = {
        "submissions": submissions, "resends": len(jobs) - submissions,
        "acknowledged": len(tally.acknowledged), "stored": len(rows),
        "duplicated": sum(n - 1 for n in rows.values()),
        "lost": len(tally.acknowledged - set(rows)), "requests": tally.requests,
        "requests/s": round(tally.requests / seconds, 1), "seconds": round(seconds, 1),
        "5xx with traceback": tally.tracebacks,
    }
    print(f"\n== {name}")
    for key, value in result.items():
        print(f"  {key:>20}: {value}")
    print(f"  {'statuses':>20}: {dict(sorted(tally.statuses.items()))}")
    return result


def run_one(url: str, name: str, submissions: int, clients: int, resend_share: float,
            seed: int = 1) -> dict[str, float]:
    token = prepare_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start("wsgi:app", server_env(url), Path(tmp) / "gunicorn.log")
        try:
            jobs = plan(submissions, resend_share, seed)
            run = uuid.uuid4().hex[:8]
            tally, seconds = drive(base, token, jobs, clients, run)
        finally:
            stop(process)
    return figures(name, jobs, tally, seconds, stored(url, run))


def run_proxy(submissions: int, clients: int, kiosks: int, resend: float) -> int:
    """Through nginx over HTTPS on servers of the bench's own, against the direct baseline."""
    import proxy_load

    with proxy_load.own_servers() as (postgres, redis_server):
        baseline = run_one(postgres.url, "baseline: phones straight into gunicorn (HTTP, no limiter)",
                           submissions, clients, resend)
        with proxy_load.stack_on(postgres, redis_server, kiosks=kiosks, posters=8) as (stack, world):
            jobs = proxy_load.plan(submissions, resend, seed=1)
            run = uuid.uuid4().hex[:8]
            tally, seconds = proxy_load.drive(stack, world, jobs, phones=clients, run=run)
            result = proxy_load.figures(f"through nginx over HTTPS: {kiosks} kiosks, {clients} phone clients",
                                        jobs, tally, seconds, proxy_load.stored(postgres.url, run))
    ratio = result["answers/s"] / (len(jobs) / baseline["seconds"])
    print(f"\n  answers/s through the proxy / straight into gunicorn: {ratio:.2f} "
          "(the proxy adds TLS, the limiter's Redis round trips and a page load per phone answer)")
    bad = proxy_load.failed(result)
    print("required: 0 lost, 0 duplicated, 0 × 500, nothing stuck:", "FAILED" if bad else "ok")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--resend", type=float, default=0.10)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--proxy", action="store_true",
                        help="through nginx over HTTPS, on PostgreSQL and Redis servers of the bench's own")
    parser.add_argument("--kiosks", type=int, default=24, help="enrolled kiosks (with --proxy)")
    args = parser.parse_args()
    if args.proxy:
        return run_proxy(args.submissions, args.clients, args.kiosks, args.resend)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.database in ("sqlite", "both"):
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            results.append(run_one(url, "SQLite (WAL)", args.submissions, args.clients, args.resend))
        if args.database in ("postgresql", "both"):
            results.append(run_one(args.pg_url, "PostgreSQL", args.submissions, args.clients, args.resend))
    failed = [r for r in results if r["lost"] or r["duplicated"] or r["acknowledged"] < r["submissions"]]
    print("\nrequired: 0 lost, 0 duplicated, every submission acknowledged:",
          "FAILED" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
