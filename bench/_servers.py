"""The write benches' servers, and how they are started, watched and stopped under gunicorn.

``submit_load.py`` compares three, each gunicorn with ``WORKERS`` sync workers on 127.0.0.1: the
survey (``wsgi:app`` with ``SURVEY_SETTINGS``), the bare baseline (:func:`baseline_app`) and the
floor (:func:`floor_app`). ``load_retries.py`` and ``faults.py`` start the survey with
:func:`start` and :func:`stop` too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
RATE_LIMIT_STORAGE = os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
WORKERS = 2
ITEMS = ("q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
         "q_result__as_promised", "q_feedback__easy")
SURVEY_SETTINGS = {"ENV": "development", "SECRET_KEY": "bench-secret",
                   "KIOSK_RATE_LIMIT": "1000000 per minute", "ENROL_RATE_LIMIT": "1000 per minute",
                   # Two workers must share their counters, as in production (README): the local Redis.
                   "RATELIMIT_STORAGE_URI": RATE_LIMIT_STORAGE}


def _insert_one():
    """The baselines' write: one row through SQLAlchemy Core, on an engine with the app's options
    (survey/config.py): pre-ping on a server, not on a file, where the writers queue for the
    write lock as the app's do (a POST begins ``BEGIN IMMEDIATE``)."""
    from sqlalchemy import create_engine, event, text

    from survey.database import QueuedConnection, _sqlite_begin, _sqlite_connect

    url = os.environ["BENCH_BASELINE_DB"]
    file = url.startswith("sqlite")
    engine = create_engine(url, pool_pre_ping=not file,
                           connect_args={"factory": QueuedConnection} if file else {})
    if file:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    statement = text("INSERT INTO submission (key, overall, body) VALUES (:key, :overall, :body)")

    def insert(key: str, overall: int, body: str) -> None:
        with engine.begin() as connection:
            connection.execute(statement, {"key": key, "overall": overall, "body": body})

    return insert


def baseline_app():
    """The bare baseline: one Flask view inserting one row, nothing else (run by gunicorn)."""
    from flask import Flask, jsonify, request

    insert, app = _insert_one(), Flask(__name__)

    @app.post("/submit")
    def submit():
        form = request.form
        insert(form["idempotency_key"], int(form["q_overall"]), request.get_data(as_text=True))
        return jsonify(status="recorded")

    return app


def floor_app():
    """The floor: the baseline's insert behind the kiosk's protections and nothing else (run by
    gunicorn). A signed session cookie, Flask-WTF's CSRF check, a Flask-Limiter limit per device
    with its counters in the same Redis, a WTForms form of the kiosk's fields: what every kiosk
    POST pays before the survey does any work of its own."""
    from flask import Flask, jsonify, request
    from flask_limiter import Limiter
    from flask_wtf import FlaskForm
    from flask_wtf.csrf import CSRFProtect, generate_csrf
    from wtforms import RadioField, StringField
    from wtforms.validators import InputRequired, Length, Optional

    insert, app = _insert_one(), Flask(__name__)
    app.config.update(SECRET_KEY=SURVEY_SETTINGS["SECRET_KEY"], RATELIMIT_STORAGE_URI=RATE_LIMIT_STORAGE,
                      RATELIMIT_HEADERS_ENABLED=False)
    CSRFProtect(app)
    limiter = Limiter(key_func=lambda: "everyone", app=app, default_limits=[])
    scale = [(str(n), str(n)) for n in range(1, 6)]
    fields: dict[str, Any] = {name: RadioField(choices=scale, validators=[Optional()]) for name in ITEMS}
    fields["idempotency_key"] = StringField(validators=[InputRequired(), Length(max=64)])
    fields["respondent_type"] = RadioField(choices=[("citizen", "citizen")], validators=[Optional()])
    answer_form = type("AnswerForm", (FlaskForm,), fields)

    @app.get("/kiosk/token")
    def token():
        return jsonify(csrf_token=generate_csrf())

    @app.post("/kiosk")
    @limiter.limit("1000000 per minute", key_func=lambda: f"kiosk:{request.cookies.get('kiosk', '')[:24]}")
    def kiosk():
        form = answer_form()
        if not form.validate_on_submit():
            return jsonify(status="rejected", errors=form.errors), 400
        insert(form.idempotency_key.data, int(form.q_overall.data or 0), request.get_data(as_text=True))
        return jsonify(status="recorded")

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(spec: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
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


def workers(master: int) -> tuple[int, float]:
    """(how many workers gunicorn has, the CPU seconds they have used)."""
    pids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return len(pids), ticks / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """The machine's CPU ticks since boot, from /proc/stat: (all, idle or waiting for I/O)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(ticks), ticks[3] + ticks[4]


def settle(master: int, timeout: float = 60) -> None:
    """Wait until every worker has loaded the app: all up, and none used CPU for half a second."""
    deadline, last = time.monotonic() + timeout, -1.0
    while time.monotonic() < deadline:
        count, used = workers(master)
        if count == WORKERS and used == last:
            return
        last = used
        time.sleep(0.5)
