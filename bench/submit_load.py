"""Submission throughput through the real kiosk form path, against a bare baseline on the same stack.

Both servers are gunicorn with 2 sync workers on 127.0.0.1, on a fresh SQLite file in WAL mode with
the app's own connection settings (busy timeout, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``):

- **survey**: ``wsgi:app``, a kiosk enrolled through the enrolment form, CSRF on (each client thread
  fetches a token from ``/kiosk/token``), the rate limiter on with a limit too high to bite; every
  POST goes through form validation, ``record_response`` and the commit.
- **baseline**: a minimal Flask app that inserts one row per POST through SQLAlchemy Core.

Prints responses per second for both, the ratio (budget ≥ 0.5), and acknowledged / stored / lost
counts (budget: 0 lost). Usage: ``.venv/bin/python bench/submit_load.py [--requests 2000] [--threads 16]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
RATE_LIMIT_STORAGE = os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
ITEMS = ("q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
         "q_result__as_promised", "q_feedback__easy")


def baseline_app():  # type: ignore[no-untyped-def]
    """The bare baseline: one Flask view inserting one row, nothing else (run by gunicorn)."""
    from flask import Flask, jsonify, request
    from sqlalchemy import create_engine, event, text

    from survey.database import _sqlite_connect

    engine = create_engine(os.environ["BENCH_BASELINE_DB"])
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    app = Flask(__name__)

    @app.post("/submit")
    def submit():  # type: ignore[no-untyped-def]
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO submission (key, overall, body) VALUES (:key, :overall, :body)"),
                {"key": request.form["idempotency_key"], "overall": int(request.form["q_overall"]),
                 "body": request.get_data(as_text=True)},
            )
        return jsonify(status="recorded")

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(spec: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
         "--pythonpath", f"{ROOT},{BENCH}", "--log-level", "warning", spec],
        env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/", timeout=5)
            return process, base
        except requests.RequestException:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


def fire(send, total: int, threads: int) -> tuple[float, set[str], int]:  # type: ignore[no-untyped-def]
    """Run ``send(key) -> bool`` ``total`` times on ``threads`` threads; (seconds, acknowledged, errors)."""
    acknowledged: set[str] = set()
    errors = 0
    lock = threading.Lock()

    def one(_n: int) -> None:
        nonlocal errors
        key = uuid.uuid4().hex
        try:
            ok = send(key)
        except requests.RequestException:
            ok = False
        with lock:
            if ok:
                acknowledged.add(key)
            else:
                errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(total)))
    return time.perf_counter() - started, acknowledged, errors


def answers(key: str) -> dict[str, str]:
    data = {name: str(random.randint(1, 5)) for name in ITEMS}
    return data | {"idempotency_key": key, "respondent_type": "citizen"}


def survey_run(tmp: Path, total: int, threads: int) -> tuple[float, set[str], int, set[str]]:
    from page_weight import enrol, prepare_database

    database = tmp / "survey.sqlite3"
    code, _token = prepare_database(f"sqlite:///{database}")
    env = {"SURVEY_ENV": "development", "SURVEY_SECRET_KEY": "bench-secret",
           "SURVEY_DATABASE_URL": f"sqlite:///{database}",
           "SURVEY_KIOSK_RATE_LIMIT": "1000000 per minute", "SURVEY_ENROL_RATE_LIMIT": "1000 per minute",
           # Two workers must share their counters, as in production (README): the local Redis.
           "SURVEY_RATELIMIT_STORAGE_URI": RATE_LIMIT_STORAGE}
    process, base = start("wsgi:app", env, tmp / "survey.log")
    try:
        enrolled = requests.Session()
        enrol(enrolled, base, code)
        local = threading.local()

        def send(key: str) -> bool:
            if not hasattr(local, "http"):  # one tablet session (and CSRF token) per thread
                local.http = requests.Session()
                local.http.cookies.set("kiosk", enrolled.cookies["kiosk"])
                local.token = local.http.get(f"{base}/kiosk/token", timeout=30).json()["csrf_token"]
            reply = local.http.post(f"{base}/kiosk", data=answers(key) | {"csrf_token": local.token},
                                    headers={"Accept": "application/json"}, timeout=30)
            return reply.status_code == 200 and reply.json()["status"] == "recorded"

        seconds, acknowledged, errors = fire(send, total, threads)
    finally:
        stop(process)
    with sqlite3.connect(database) as connection:
        stored = {k for (k,) in connection.execute("SELECT idempotency_key FROM response")}
    return seconds, acknowledged, errors, stored


def baseline_run(tmp: Path, total: int, threads: int) -> tuple[float, set[str], int, set[str]]:
    database = tmp / "baseline.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE submission (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, "
                           "overall INTEGER NOT NULL, body TEXT NOT NULL)")
    env = {"BENCH_BASELINE_DB": f"sqlite:///{database}"}
    process, base = start("submit_load:baseline_app()", env, tmp / "baseline.log")
    local = threading.local()

    def send(key: str) -> bool:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        reply = local.http.post(f"{base}/submit", data=answers(key), timeout=30)
        return reply.status_code == 200 and reply.json()["status"] == "recorded"

    try:
        seconds, acknowledged, errors = fire(send, total, threads)
    finally:
        stop(process)
    with sqlite3.connect(database) as connection:
        stored = {k for (k,) in connection.execute("SELECT key FROM submission")}
    return seconds, acknowledged, errors, stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    random.seed(1)
    print(f"{args.requests} submissions per run, {args.threads} client threads, gunicorn -w 2, "
          f"SQLite WAL, {os.cpu_count()} CPUs shared by client and server")
    rates: dict[str, list[float]] = {"baseline": [], "survey": []}
    with tempfile.TemporaryDirectory() as name:
        # The baseline runs before and after the survey, so that a change in the machine's load
        # during the run shows up as two different baseline figures rather than as a skewed ratio.
        for n, (label, run) in enumerate((("baseline", baseline_run), ("survey", survey_run),
                                          ("baseline", baseline_run))):
            tmp = Path(name) / str(n)
            tmp.mkdir()
            seconds, acknowledged, errors, stored = run(tmp, args.requests, args.threads)
            lost = len(acknowledged - stored)
            rates[label].append(args.requests / seconds)
            print(f"  {label:<9} {rates[label][-1]:8.1f} responses/s  ({seconds:.1f} s)  "
                  f"acknowledged {len(acknowledged)}, stored {len(stored)}, lost {lost}, "
                  f"not acknowledged {errors}")
            if lost or errors:
                print(f"  FAILED: {lost} acknowledged submissions lost, {errors} not acknowledged")
                return 1
    baseline = sum(rates["baseline"]) / len(rates["baseline"])
    ratio = rates["survey"][0] / baseline
    print(f"  ratio survey / mean baseline: {ratio:.2f} "
          f"(budget ≥ 0.5: {'within' if ratio >= 0.5 else 'BELOW'})")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
