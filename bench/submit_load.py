"""Submission throughput through the real kiosk form path, against a bare baseline and a floor.

The three servers (``_servers.py``) are gunicorn with 2 sync workers on 127.0.0.1 and the same
database settings:

- **survey**: ``wsgi:app``, a kiosk enrolled through the enrolment form, CSRF on (each client
  process fetches a token from ``/kiosk/token`` with the kiosk's cookie, as the tablet does), the
  rate limiter on with a limit too high to bite (counters in the local Redis, shared by the workers,
  as in production); every POST goes through form validation, ``record_response``, the reporting
  cells (kept current in the same transaction) and the commit.
- **baseline**: a minimal Flask app whose one view inserts one row through SQLAlchemy Core.
- **floor**: the baseline's insert behind the kiosk's protections and nothing else: the signed
  session cookie, Flask-WTF's CSRF check, a Flask-Limiter limit per device in the same Redis and a
  WTForms form of the kiosk's fields. Its ratio is the most the survey could reach while it keeps
  them; the survey over the floor is what the survey's own work (the kiosk's look-up, the
  response, its answers, the cells, the commit) costs.

``--database sqlite`` (default): a fresh file in WAL mode with the app's connection settings (busy
timeout, ``synchronous=NORMAL``, the writers' queue, ``BEGIN IMMEDIATE``). ``--database
postgresql``: ``bench_w12s`` on 127.0.0.1:5432 (``--pg-url``), dropped and created afresh for every
run, the app's pool settings.

**The client cannot cap the baseline.** Raw non-blocking sockets in a ``selectors`` loop, in several
processes (not threads under one GIL), ``--connections`` requests in flight in all. Every request's
bytes are built before the clock starts; during the run a request costs the client a connect, a
send, reads to the end and one JSON parse. (gunicorn's sync workers close every connection after its
response, so there is no keep-alive to reuse; the requests say ``Connection: close``.) Each run
prints the client processes' CPU time over the wall time, and the baseline runs with 1, 2 and 4
client processes at the same number of connections: a rate that does not grow with more client
processes is not held back by the client.

Each run prints responses/s, acknowledged / stored / lost (acknowledged but not stored: budget 0),
CPU (client, gunicorn workers, whole machine) and the load average; then the survey's rate over
the mean of the baseline runs with as many client processes (before and after it; budget ≥ 0.5),
the floor's rate over the same mean, and whether the cells equal a recomputation from the
responses.

Usage: ``.venv/bin/python bench/submit_load.py [--database sqlite|postgresql] [--requests 3000]
[--processes 2] [--connections 8]``. ``--profile 300`` instead runs 300 kiosk POSTs in-process
(Flask's test client) and prints where each one's time goes, under cProfile.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from _servers import (
    ITEMS,
    ROOT,
    SURVEY_SETTINGS,
    WORKERS,
    machine_ticks,
    settle,
    start,
    stop,
    workers,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_w12s"
SWEEP = (1, 2, 4)  # client processes for the baseline runs before the survey
Run = dict[str, Any]


# The client: one process per share of the requests, raw sockets in a selector loop.

def request_bytes(port: int, path: str, fields: dict[str, str], cookie: str) -> bytes:
    body = urlencode(fields).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
            "Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")
    return head.encode() + body


def kiosk_session(port: int, kiosk_cookie: str) -> tuple[str, str]:
    """GET /kiosk/token as the tablet does: (a CSRF token, the Cookie header with its session)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/kiosk/token", headers={"Cookie": kiosk_cookie})
    reply = connection.getresponse()
    token = json.loads(reply.read())["csrf_token"]
    session = [c.split(";", 1)[0] for c in reply.headers.get_all("Set-Cookie") or []]
    connection.close()
    return token, "; ".join([kiosk_cookie, *session])


def answers(key: str, rng: random.Random) -> dict[str, str]:
    data = {name: str(rng.randint(1, 5)) for name in ITEMS}
    return data | {"idempotency_key": key, "respondent_type": "citizen"}


def client(port: int, path: str, kiosk_cookie: str, count: int, connections: int, seed: int,
           barrier: Any, results: Any) -> None:
    """One client process: build ``count`` requests, wait for the start, keep ``connections`` busy."""
    rng = random.Random(seed)
    token, cookie = kiosk_session(port, kiosk_cookie) if kiosk_cookie else ("", "")
    extra = {"csrf_token": token} if token else {}
    keys = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(count)]
    queue = iter([(key, request_bytes(port, path, answers(key, rng) | extra, cookie)) for key in keys])
    acknowledged: list[str] = []
    refused: Counter[str] = Counter()
    selector = selectors.DefaultSelector()

    def launch() -> None:
        if (item := next(queue, None)) is not None:
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            selector.register(sock, selectors.EVENT_WRITE, [item[0], memoryview(item[1]), []])

    def done(sock: Any, key: str, reply: bytes) -> None:
        selector.unregister(sock)
        sock.close()
        status = reply[9:12].decode("ascii", "replace") if reply else "no reply"
        if status == "200" and json.loads(reply.split(b"\r\n\r\n", 1)[1]).get("status") == "recorded":
            acknowledged.append(key)
        else:
            refused[status] += 1
        launch()

    barrier.wait()
    cpu = time.process_time()
    for _ in range(connections):
        launch()
    while selector.get_map():
        for event, _mask in selector.select():
            sock, state = event.fileobj, event.data
            try:
                if state[1]:  # still sending
                    state[1] = state[1][sock.send(state[1]):]  # type: ignore[union-attr]
                    if not state[1]:
                        selector.modify(sock, selectors.EVENT_READ, state)
                    continue
                chunk = sock.recv(65536)  # type: ignore[union-attr]
            except OSError:  # refused or reset: not acknowledged
                chunk, state[2] = b"", []
            if chunk:
                state[2].append(chunk)
            else:
                done(sock, state[0], b"".join(state[2]))
    results.put((acknowledged, refused, time.process_time() - cpu, time.monotonic()))


def fire(master: int, port: int, path: str, kiosk_cookie: str, total: int, processes: int,
         connections: int) -> Run:
    """``total`` POSTs from ``processes`` client processes: what the clients and the server saw."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes + 1), context.Queue()
    shares = [total // processes + (n < total % processes) for n in range(processes)]
    children = [context.Process(target=client, args=(
        port, path, kiosk_cookie, share, max(1, connections // processes), seed, barrier, results))
        for seed, share in enumerate(shares)]
    for child in children:
        child.start()
    barrier.wait()  # every client is ready: its requests built, its token fetched
    started, load, before = time.monotonic(), os.getloadavg()[0], (workers(master)[1], *machine_ticks())
    outcomes = [results.get(timeout=900) for _ in children]
    after = (workers(master)[1], *machine_ticks())
    for child in children:
        child.join()
    return {"seconds": max(finished for *_rest, finished in outcomes) - started, "processes": processes,
            "acknowledged": {key for keys, *_rest in outcomes for key in keys},
            "refused": sum((refused for _a, refused, _c, _f in outcomes), Counter()),
            "client_cpu": sum(cpu for _a, _r, cpu, _f in outcomes), "server_cpu": after[0] - before[0],
            "busy": 1 - (after[2] - before[2]) / (after[1] - before[1]),
            "load": (load, os.getloadavg()[0])}


# The two servers and their databases.

def fresh_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def stored_keys(url: str, query: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        keys = {key for (key,) in connection.execute(text(query))}
    engine.dispose()
    return keys


def survey_run(url: str, tmp: Path, total: int, processes: int, connections: int) -> Run:
    from page_weight import enrol, prepare_database

    code, _token = prepare_database(url)
    env = {f"SURVEY_{name}": value for name, value in SURVEY_SETTINGS.items()} | {"SURVEY_DATABASE_URL": url}
    process, base = start("wsgi:app", env, tmp / "survey.log")
    try:
        enrolled = requests.Session()
        enrol(enrolled, base, code)
        settle(process.pid)
        run = fire(process.pid, int(base.rsplit(":", 1)[1]), "/kiosk",
                   f"kiosk={enrolled.cookies['kiosk']}", total, processes, connections)
    finally:
        stop(process)
    return run | {"stored": stored_keys(url, "SELECT idempotency_key FROM response")}


def baseline_run(url: str, tmp: Path, total: int, processes: int, connections: int,
                 floor: bool = False) -> Run:
    """The bare baseline, or (``floor``) the floor: its insert behind the kiosk's protections."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        if url.startswith("sqlite"):
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        serial = "BIGSERIAL" if url.startswith("postgresql") else "INTEGER"
        connection.execute(text(f"CREATE TABLE submission (id {serial} PRIMARY KEY, key TEXT UNIQUE "
                                "NOT NULL, overall INTEGER NOT NULL, body TEXT NOT NULL)"))
    engine.dispose()
    app, path, cookie = ("floor_app", "/kiosk", "kiosk=bench-device") if floor else (
        "baseline_app", "/submit", "")
    process, base = start(f"_servers:{app}()", {"BENCH_BASELINE_DB": url}, tmp / f"{app}.log")
    try:
        settle(process.pid)
        run = fire(process.pid, int(base.rsplit(":", 1)[1]), path, cookie, total, processes, connections)
    finally:
        stop(process)
    return run | {"stored": stored_keys(url, "SELECT key FROM submission")}


def cells_differences(url: str) -> int:
    from survey import create_app
    from survey.extensions import db
    from survey.reporting import rebuild

    app = create_app(SURVEY_SETTINGS | {"DATABASE_URL": url})
    with app.app_context():
        found = len(rebuild.verify(db.session))
        db.session.remove()
        db.engine.dispose()
    return found


def report(label: str, total: int, run: Run) -> int:
    """Print one run; return how many submissions were lost or not acknowledged."""
    lost, refused, wall = len(run["acknowledged"] - run["stored"]), run["refused"].total(), run["seconds"]
    print(f"  {label:<8} {run['processes']} client processes {total / wall:7.1f} responses/s ({wall:4.1f} s) "
          f"acknowledged {len(run['acknowledged'])}, stored {len(run['stored'])}, lost {lost}"
          + (f", NOT ACKNOWLEDGED {dict(run['refused'])}" if refused else ""))
    client, server = run["client_cpu"], run["server_cpu"]
    print(f"           CPU: client {client / wall:4.2f} of a core ({client / total * 1e6:3.0f} µs/request), "
          f"gunicorn workers {server / wall:4.2f} ({server / total * 1e3:4.2f} ms/request), "
          f"machine {run['busy']:4.0%} busy; load average {run['load'][0]:.2f} → {run['load'][1]:.2f}")
    return lost + refused


def measure(args: argparse.Namespace) -> int:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"{args.requests} submissions per run, gunicorn -w {WORKERS} (sync), {args.database}, "
          f"{args.connections} connections in flight, {os.cpu_count()} CPUs shared by client and server\n"
          f"uptime: {uptime}")
    # The baseline runs before and after the survey, so that a change in the machine's load shows
    # as two different baseline figures rather than as a skewed ratio; the runs before it sweep
    # the number of client processes.
    # the number of client processes. The floor runs between the survey and the last baseline.
    plan = [("baseline", n) for n in SWEEP] + [
        ("survey", args.processes), ("floor", args.processes), ("baseline", args.processes)]
    rates: dict[str, list[float]] = {"baseline": [], "survey": [], "floor": []}
    cpu: dict[str, list[float]] = {"baseline": [], "survey": [], "floor": []}
    failures = 0
    with tempfile.TemporaryDirectory() as name:
        for n, (label, processes) in enumerate(plan):
            tmp = Path(name) / str(n)
            tmp.mkdir()
            url = f"sqlite:///{tmp / label}.sqlite3" if args.database == "sqlite" else args.pg_url
            if args.database == "postgresql":
                fresh_pg(url)
            run = survey_run(url, tmp, args.requests, processes, args.connections) if label == "survey" \
                else baseline_run(url, tmp, args.requests, processes, args.connections, label == "floor")
            failures += report(label, args.requests, run)
            if processes == args.processes:
                rates[label].append(args.requests / run["seconds"])
                cpu[label].append(run["server_cpu"] / args.requests)
            if label == "survey":
                differences = cells_differences(url)
                print("           cells: " + (f"{differences} DIFFER from" if differences else "equal to")
                      + " a recomputation from the responses")
                failures += differences
    baseline, survey = sum(rates["baseline"]) / len(rates["baseline"]), rates["survey"][0]
    ratio = survey / baseline
    print(f"  survey {survey:.1f}/s over the mean baseline {baseline:.1f}/s ({args.processes} client "
          f"processes): ratio {ratio:.2f} (budget ≥ 0.5: {'within' if ratio >= 0.5 else 'BELOW'}); "
          f"lost or not acknowledged: {failures} (budget 0)")
    floor = rates["floor"][0]
    print(f"  the floor (the baseline's insert behind the kiosk's protections) {floor:.1f}/s: ratio "
          f"{floor / baseline:.2f}, the most the survey can reach with them; the survey over the floor "
          f"{survey / floor:.2f}")
    bare = sum(cpu["baseline"]) / len(cpu["baseline"])
    print(f"  gunicorn CPU per request: survey {cpu['survey'][0] * 1e3:.2f} ms, floor "
          f"{cpu['floor'][0] * 1e3:.2f} ms, baseline {bare * 1e3:.2f} ms")
    return 0 if ratio >= 0.5 and not failures else 1


# Where one kiosk POST spends its time: (label, file ending, function[, counted only when called
# from (file ending, function)]), as cProfile's cumulative time per request.
PARTS: tuple[tuple[Any, ...], ...] = (
    ("the whole request (Flask's wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  request context: session cookie", "flask/ctx.py", "push"),
    ("  before-request hooks", "flask/app.py", "preprocess_request"),
    ("    CSRF check (CSRFProtect)", "flask_wtf/csrf.py", "protect"),
    ("    rate limiter, first check", "flask_limiter/_extension.py", "_check_request_limit",
     ("flask/app.py", "preprocess_request")),
    ("  the view, with its limit", "flask_limiter/_limits.py", "__inner"),
    ("    rate limiter, the kiosk's limit (Redis)", "flask_limiter/_extension.py", "_check_request_limit",
     ("flask_limiter/_limits.py", "__inner")),
    ("    the kiosk's lookup (Core query, read transaction)", "survey/public/kiosk.py", "_current_kiosk"),
    ("    the form: built", "survey/public/forms.py", "survey_form"),
    ("    the form: validated", "flask_wtf/form.py", "validate_on_submit"),
    ("    record_response", "survey/collection/responses.py", "record_response"),
    ("      response row + answers (2 statements)", "sqlalchemy/engine/base.py", "execute",
     ("survey/collection/responses.py", "record_response")),
    ("      cells.add: count, item and stats statements", "survey/collection/cells.py", "add"),
    ("        of which executing them", "sqlalchemy/engine/base.py", "execute",
     ("survey/collection/cells.py", "write")),
    ("    commit", "sqlalchemy/orm/scoping.py", "commit"),
    ("    the JSON reply", "flask/json/__init__.py", "jsonify"),
    ("  after-request hooks, session saved", "flask/app.py", "finalize_request"),
)


def profile(args: argparse.Namespace) -> int:
    """Kiosk POSTs in-process through Flask's test client (no HTTP, no gunicorn), timed, then profiled."""
    import cProfile
    import pstats

    from page_weight import prepare_database

    from survey import create_app

    with tempfile.TemporaryDirectory() as name:
        url = f"sqlite:///{Path(name) / 'survey.sqlite3'}" if args.database == "sqlite" else args.pg_url
        if args.database == "postgresql":
            fresh_pg(url)
        code, _token = prepare_database(url)
        http = create_app(SURVEY_SETTINGS | {"DATABASE_URL": url}).test_client()
        form = http.get("/kiosk/enrol").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        http.post("/kiosk/enrol", data={"code": code, "csrf_token": csrf})
        token, rng = http.get("/kiosk/token").get_json()["csrf_token"], random.Random(1)

        def post() -> None:
            reply = http.post("/kiosk", data=answers(uuid.uuid4().hex, rng) | {"csrf_token": token},
                              headers={"Accept": "application/json"})
            if reply.get_json()["status"] != "recorded":
                raise SystemExit(f"not recorded: {reply.get_data(as_text=True)}")

        for _ in range(50):  # warm: imports, caches, the connection pool
            post()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.profile):
            post()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [post() for _ in range(args.profile)])
    print(f"{args.profile} kiosk POSTs in-process (test client, no HTTP) on {args.database}: "
          f"{wall / args.profile * 1e3:.2f} ms each, {cpu / args.profile * 1e3:.2f} ms of CPU; load average "
          f"{os.getloadavg()[0]:.2f}. Under cProfile (which inflates the parts made of many Python calls):")
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]  # (file, line, function) → (…, cumtime, callers)
    whole = 0.0
    for label, ending, function, *caller in PARTS:
        found = [row for key, row in table.items() if key[0].endswith(ending) and key[2] == function]
        if caller:
            total = sum(ct for row in found for where, (_c, _n, _t, ct) in row[4].items()
                        if where[0].endswith(caller[0][0]) and where[2] == caller[0][1])
        else:
            total = sum(row[3] for row in found)
        whole = whole or total
        print(f"  {label:<58} {total / args.profile * 1e3:6.2f} ms  {total / whole:4.0%}")
    print("Functions by own time:")
    stats.sort_stats("tottime").print_stats(20)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=2, help="client processes for the survey")
    parser.add_argument("--connections", type=int, default=8, help="requests in flight, all processes")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N kiosk POSTs in-process instead of measuring")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    sys.path.insert(0, str(ROOT))
    return profile(args) if args.profile else measure(args)


if __name__ == "__main__":
    sys.exit(main())
