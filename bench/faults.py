"""Faults in the middle of the load: nothing acknowledged is lost, and the app heals by itself.

Two faults, each during a run of bench/load_retries.py (clients retry with the same idempotency key
until acknowledged):

- **kill -9 of one gunicorn worker** once a third of the requests are done (SQLite and PostgreSQL).
  In-flight requests on that worker die with it; gunicorn starts a new worker. Required: every
  acknowledged response is stored, none twice, and every submission is acknowledged in the end.
- **PostgreSQL restart** (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``) once
  a third of the requests are done. Only with ``--restart-postgresql``: the server is shared, so
  ``make bench`` does not restart it. Required: the same, plus every request that failed during
  the outage got the clean 503 page (no 500, no traceback), and requests succeed again afterwards
  without restarting the app (``pool_pre_ping``).

Prints, per fault: acknowledged, stored, duplicated, lost, the statuses the clients saw, and for the
restart the outage as the clients saw it (first and last non-303 answer, seconds to recover).

**Through the proxy** (``--proxy [--submissions 10000] [--kiosks 24]``): the production-shaped
stack (nginx over HTTPS → gunicorn, 2 workers, production settings) on a PostgreSQL cluster and a
Redis server of the bench's own (bench/proxy_load.py: never the machine's shared servers), with
enrolled kiosks and phones, 10 % resent, and three faults in one run: ``kill -9`` of a gunicorn
worker at a quarter of the answers, a Redis restart at half, a PostgreSQL restart at three
quarters. The baseline, in the same run on the same stack, is a run without faults. Required:
0 lost, 0 duplicated, 0 × 500, nothing stuck unacknowledged at the end.

Usage: ``.venv/bin/python bench/faults.py [--submissions 3000] [--restart-postgresql]``,
``.venv/bin/python bench/faults.py --proxy``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from _servers import start, stop
from load_retries import PG_URL, Tally, drive, figures, plan, prepare_database, server_env, stored


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def when_a_third_done(total: int, tally: Tally) -> None:
    while tally.requests < total // 3:
        time.sleep(0.01)


def kill_a_worker(master: int, total: int, report: dict[str, object]):  # type: ignore[no-untyped-def]
    def fault(tally: Tally) -> None:
        when_a_third_done(total, tally)
        victim = workers_of(master)[0]
        os.kill(victim, signal.SIGKILL)
        report["killed worker"] = f"pid {victim} after {tally.requests} requests"
    return fault


def restart_postgresql(total: int, report: dict[str, object]):  # type: ignore[no-untyped-def]
    version = sorted(os.listdir("/etc/postgresql"))[-1]

    def fault(tally: Tally) -> None:
        when_a_third_done(total, tally)
        started = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                       check=True, capture_output=True)
        report["restart took (s)"] = round(time.monotonic() - started, 2)
        report["restart began"] = started
    return fault


def outage(tally: Tally, began: float) -> dict[str, object]:
    """The outage as the clients saw it: failed answers after the restart began, and recovery."""
    failures = [(t, s) for t, s in tally.events if t >= began and s != "303"]
    if not failures:
        return {"failed answers during outage": 0}
    last_failure = failures[-1][0]
    return {
        "failed answers during outage": len(failures),
        "of which 503": sum(1 for _t, s in failures if s == "503"),
        "of which 500": sum(1 for _t, s in failures if s == "500"),
        "seconds from restart to recovery": round(last_failure - began, 2),
    }


def run_fault(name: str, url: str, submissions: int, clients: int, make_fault) -> bool:  # type: ignore[no-untyped-def]
    token = prepare_database(url)
    jobs = plan(submissions, 0.10, seed=3)
    run = uuid.uuid4().hex[:8]
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start("wsgi:app", server_env(url), Path(tmp) / "gunicorn.log")
        try:
            tally, seconds = drive(base, token, jobs, clients, run,
                                   during=make_fault(process.pid, len(jobs), report))
        finally:
            stop(process)
    result = figures(name, jobs, tally, seconds, stored(url, run))
    if "restart began" in report:
        report.update(outage(tally, float(report.pop("restart began"))))  # type: ignore[arg-type]
    for key, value in report.items():
        print(f"  {key:>20}: {value}")
    bad = (result["lost"] or result["duplicated"] or result["acknowledged"] < result["submissions"]
           or result["5xx with traceback"] or tally.statuses.get("500", 0))
    print(f"  {'verdict':>20}: {'FAILED' if bad else 'ok'}")
    return not bad


def proxy_faults(stack, postgres, redis_server, total: int, report: dict[str, object]):  # type: ignore[no-untyped-def]
    """kill -9 a worker, restart Redis, restart PostgreSQL, at 1/4, 1/2 and 3/4 of the answers."""
    steps = [(0.25, "kill -9 a gunicorn worker", lambda: os.kill(stack.worker_pids()[0], signal.SIGKILL)),
             (0.50, "restart Redis", redis_server.restart),
             (0.75, "restart PostgreSQL", postgres.restart)]

    def fault(tally: Tally) -> None:
        for share, name, act in steps:
            while len(tally.acknowledged) < total * share:
                time.sleep(0.01)
            began = time.monotonic()
            act()
            report[name] = (began, round(time.monotonic() - began, 2))
    return fault


def proxy_outages(tally: Tally, report: dict[str, object]) -> None:
    """Per fault: the answers that failed from the fault until the next one, and time to recover."""
    ok = {"200", "303", "GET 200", "429"}  # a 429 is a limit doing its work: sent again later
    marks = sorted((began, name, took) for name, (began, took) in report.items())  # type: ignore[misc]
    for n, (began, name, took) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else float("inf")
        failures = [(t, s) for t, s in tally.events if began <= t < end and s not in ok]
        seen = dict(sorted(Counter(s for _t, s in failures).items()))
        recovery = round(failures[-1][0] - began, 2) if failures else 0.0
        print(f"  {name:>26}: took {took} s; {len(failures)} failed requests {seen}; "
              f"last failure {recovery} s after")


def run_proxy(submissions: int, clients: int, kiosks: int) -> int:
    import proxy_load

    with proxy_load.own_servers() as (postgres, redis_server), \
            proxy_load.stack_on(postgres, redis_server, kiosks=kiosks, posters=8) as (stack, world):
        base_jobs = proxy_load.plan(max(1000, submissions // 3), 0.10, seed=2)
        base_run = uuid.uuid4().hex[:8]
        tally, seconds = proxy_load.drive(stack, world, base_jobs, phones=clients, run=base_run)
        baseline = proxy_load.figures("baseline: the same stack, no fault", base_jobs, tally, seconds,
                                      proxy_load.stored(postgres.url, base_run))
        jobs = proxy_load.plan(submissions, 0.10, seed=3)
        run = uuid.uuid4().hex[:8]
        report: dict[str, object] = {}
        fault = proxy_faults(stack, postgres, redis_server, submissions, report)
        tally, seconds = proxy_load.drive(stack, world, jobs, phones=clients, run=run, during=fault)
        result = proxy_load.figures("kill -9 a worker, restart Redis, restart PostgreSQL, through nginx",
                                    jobs, tally, seconds, proxy_load.stored(postgres.url, run))
        proxy_outages(tally, report)
    print(f"\n  answers/s with the faults / without: {result['answers/s'] / baseline['answers/s']:.2f}")
    bad = proxy_load.failed(result) or proxy_load.failed(baseline)
    print("required: 0 lost, 0 duplicated, 0 × 500, nothing stuck:", "FAILED" if bad else "ok")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=None,
                        help="default 3000; 10000 with --proxy")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--restart-postgresql", action="store_true",
                        help="also restart this machine's PostgreSQL server in the middle of a run")
    parser.add_argument("--proxy", action="store_true",
                        help="through nginx over HTTPS, with faults on servers of the bench's own")
    parser.add_argument("--kiosks", type=int, default=24, help="enrolled kiosks (with --proxy)")
    args = parser.parse_args()
    if args.proxy:
        return run_proxy(args.submissions or 10_000, args.clients, args.kiosks)
    args.submissions = args.submissions or 3000
    ok = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'faults.sqlite3'}"
        kills = (("kill -9 a worker, SQLite", sqlite), ("kill -9 a worker, PostgreSQL", args.pg_url))
        for name, url in kills:
            ok.append(run_fault(name, url, args.submissions, args.clients,
                                lambda master, total, report: kill_a_worker(master, total, report)))
    if args.restart_postgresql:
        ok.append(run_fault("restart PostgreSQL", args.pg_url, args.submissions, args.clients,
                            lambda _master, total, report: restart_postgresql(total, report)))
    else:
        print("\n(PostgreSQL restart skipped: pass --restart-postgresql; it restarts the shared server)")
    print("\nrequired: 0 lost, 0 duplicated, no 500, everything acknowledged:", "ok" if all(ok) else "FAILED")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
