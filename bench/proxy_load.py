"""Load through the production-shaped stack, on PostgreSQL and Redis servers of the bench's own.

Shared by ``bench/load_retries.py --proxy`` and ``bench/faults.py --proxy``:

- :class:`OwnPostgres` is a throwaway cluster (``initdb`` from Debian's
  ``/usr/lib/postgresql/*/bin`` into a temporary folder, run as the ``postgres`` user when the
  bench runs as root) on a free port, and :class:`OwnRedis` a ``redis-server`` on a free port that
  keeps nothing on disk. Restarting them is the fault; the machine's shared servers are never
  touched.
- the stack is ``deploy.stack.Stack`` (nginx over HTTPS → gunicorn, 2 workers, production
  settings) on those two servers.
- the clients are enrolled kiosks and phones. A kiosk is one tablet: its device cookie, a CSRF
  token from ``/kiosk/token``, JSON answers; it keeps an unacknowledged answer and sends it again
  (a fresh token after a 400, later after a 429, a 5xx or a dropped connection), as kiosk.js's
  outbox does. A phone is one citizen per answer: a new session opens the poster's survey, then
  posts, again with the same idempotency key until acknowledged. 10 % of the answers are sent a
  second time later, with the same key, by another client of the same kind.

Every answer carries a serial number in its comment, so duplicates are counted from the stored
rows, independently of the idempotency constraint.
"""

from __future__ import annotations

import datetime
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.stack import Stack, free_port  # noqa: E402

ITEMS_PHONE = ("q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
               "q_result__as_promised", "q_feedback__easy")
ITEMS_KIOSK = ITEMS_PHONE
# Every client runs on this machine, so all share one address: the address guard would refuse
# the bench's own aggregate rate. The per-device and per-person limits stay at their defaults.
SETTINGS = {"ADDRESS_RATE_LIMIT": "1000000 per minute"}
CSRF_MARK = 'name="csrf_token" type="hidden" value="'


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnPostgres:
    """A PostgreSQL cluster of the bench's own, in a temporary folder, on a free port."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin)")
        self.bin = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        subprocess.run(_as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth=trust", "--no-sync", "-E", "UTF8"]),
                       check=True, capture_output=True)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bench"

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                                     str(self.folder / "server.log"), "-o", options, "-w", *args]),
                       check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("start")
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("CREATE DATABASE bench"))
        engine.dispose()

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "fast")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class OwnRedis:
    """A redis-server of the bench's own on a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        for _ in range(100):
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass(frozen=True)
class World:
    kiosk_codes: list[str]  # one-time: each is used by the first run's enrolment
    tokens: list[str]  # signed poster links
    tablets: list[Kiosk] = field(default_factory=list)  # enrolled, kept for the next run


def prepare(url: str, secret: str, dossier: str, *, kiosks: int, posters: int) -> World:
    """Migrate ``url``, publish the instruments, and make a ward with desks, kiosks and posters."""
    from survey import create_app
    from survey.collection import instruments, qrcodes
    from survey.collection import kiosks as kiosk_service
    from survey.collection.signing import sign_payload
    from survey.extensions import db
    from survey.models import ServicePoint, Unit
    from tests.helpers import reset_database

    app = create_app({"ENV": "development", "SECRET_KEY": secret, "DOSSIER_KEY": dossier,
                      "DATABASE_URL": url})
    reset_database(app)
    with app.app_context():
        instruments.load_built_in(db.session)
        unit = Unit(code="BENCH", name="Phường Thử tải", level="commune",
                    valid_from=datetime.date(2025, 7, 1))
        points = [ServicePoint(code=f"BENCH-{n}", name=f"Quầy {n}", unit=unit) for n in range(kiosks)]
        db.session.add_all(points)
        db.session.flush()
        codes = [kiosk_service.create_kiosk(db.session, None, point, label="Máy 1")[1] for point in points]
        tokens = [sign_payload(qrcodes.payload_for(qrcodes.issue_qr_code(
            db.session, None, unit=unit, service_point=points[n % kiosks]))) for n in range(posters)]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return World(codes, tokens)


@dataclass
class Tally:
    """What the clients saw."""

    acknowledged: set[int] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    tracebacks: int = 0
    events: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, what: str, body: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.statuses[what] += 1
            self.events.append((time.monotonic(), what))
            if "Traceback" in body or 'File "/' in body:
                self.tracebacks += 1


def _http(stack: Stack) -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    assert stack.certificate is not None
    http.verify = str(stack.certificate.cert)
    http.headers["Referer"] = f"{stack.url}/"
    return http


def _answers(serial: int, run: str) -> dict[str, str]:
    rng = random.Random(serial)
    return {name: str(rng.randint(1, 5)) for name in ITEMS_KIOSK} | {"comment": f"bench-{run}-{serial}"}


def _pause(attempt: int, retry_after: str | None = None) -> None:
    wait = min(0.05 * 2 ** attempt, 2.0)
    if retry_after and retry_after.isdigit():
        wait = min(float(retry_after), 5.0)
    time.sleep(wait)


class Kiosk:
    """One enrolled tablet that keeps an answer until the server acknowledges it."""

    def __init__(self, stack: Stack, code: str, tally: Tally) -> None:
        self.stack, self.tally, self.http = stack, tally, _http(stack)
        page = self.http.get(f"{stack.url}/kiosk/enrol", timeout=30).text
        csrf = page.split(CSRF_MARK, 1)[1].split('"', 1)[0]
        reply = self.http.post(f"{stack.url}/kiosk/enrol", data={"code": code, "csrf_token": csrf},
                               allow_redirects=False, timeout=30)
        if reply.status_code != 302:
            raise SystemExit(f"enrolment failed: {reply.status_code}")
        self.token = ""

    def send(self, serial: int, key: str, run: str, deadline: float) -> bool:
        data = _answers(serial, run) | {"idempotency_key": key}
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            try:
                if not self.token:
                    fresh = self.http.get(f"{self.stack.url}/kiosk/token", timeout=30)
                    self.token = fresh.json()["csrf_token"]
                reply = self.http.post(f"{self.stack.url}/kiosk", data={**data, "csrf_token": self.token},
                                       headers={"Accept": "application/json"}, timeout=30)
            except (requests.RequestException, ValueError) as error:
                self.tally.saw(f"error {type(error).__name__}")
                self.token = ""
                _pause(attempt)
                continue
            self.tally.saw(str(reply.status_code), reply.text if reply.status_code >= 500 else "")
            if reply.status_code == 200 and reply.json().get("status") in ("recorded", "duplicate"):
                return True
            if reply.status_code == 400:  # a stale token: fetch a fresh one, as the outbox does
                self.token = ""
            _pause(attempt, reply.headers.get("Retry-After") if reply.status_code == 429 else None)
        return False


class Phone:
    """Citizens with phones: each answer opens the poster in a new session, then posts it."""

    def __init__(self, stack: Stack, tally: Tally) -> None:
        self.stack, self.tally, self.http = stack, tally, _http(stack)

    def send(self, token: str, serial: int, key: str, run: str, deadline: float) -> bool:
        url = f"{self.stack.url}/s/{token}"
        data = _answers(serial, run) | {"idempotency_key": key}
        self.http.cookies.clear()  # another citizen; the TLS connection stays open
        csrf, attempt = "", 0
        while time.monotonic() < deadline:
            attempt += 1
            try:
                if not csrf:
                    page = self.http.get(url, timeout=30)
                    self.tally.saw(f"GET {page.status_code}")
                    if page.status_code != 200:
                        _pause(attempt)
                        continue
                    csrf = page.text.split(CSRF_MARK, 1)[1].split('"', 1)[0]
                reply = self.http.post(url, data={**data, "csrf_token": csrf}, allow_redirects=False,
                                       timeout=30)
            except (requests.RequestException, IndexError) as error:
                self.tally.saw(f"error {type(error).__name__}")
                csrf = ""
                _pause(attempt)
                continue
            self.tally.saw(str(reply.status_code), reply.text if reply.status_code >= 500 else "")
            if reply.status_code == 303 and "result=recorded" in reply.headers.get("Location", ""):
                return True
            if reply.status_code == 400:
                csrf = ""
            _pause(attempt, reply.headers.get("Retry-After") if reply.status_code == 429 else None)
        return False


def plan(submissions: int, resend_share: float, seed: int) -> list[tuple[int, str]]:
    """(serial, key) jobs: every submission once, plus resends of a share of them, shuffled."""
    rng = random.Random(seed)
    keys = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(submissions)]
    jobs = list(enumerate(keys))
    jobs += rng.sample(jobs, int(submissions * resend_share))
    rng.shuffle(jobs)
    return jobs


def drive(stack: Stack, world: World, jobs: list[tuple[int, str]], *, phones: int, run: str,
          during: Callable[[Tally], None] | None = None, limit_s: float = 1800) -> tuple[Tally, float]:
    """Even serials go to the kiosks, odd ones to the phones; ``during(tally)`` runs alongside."""
    tally = Tally()
    deadline = time.monotonic() + limit_s
    kiosk_jobs = [job for job in jobs if job[0] % 2 == 0]
    phone_jobs = [job for job in jobs if job[0] % 2 == 1]
    if not world.tablets:
        world.tablets.extend(Kiosk(stack, code, tally) for code in world.kiosk_codes)
    tablets = world.tablets
    for tablet in tablets:
        tablet.tally = tally

    def kiosk_work(n: int) -> None:
        for serial, key in kiosk_jobs[n::len(tablets)]:
            if tablets[n].send(serial, key, run, deadline):
                with tally.lock:
                    tally.acknowledged.add(serial)

    def phone_work(n: int) -> None:
        phone = Phone(stack, tally)
        for serial, key in phone_jobs[n::phones]:
            if phone.send(world.tokens[serial // 2 % len(world.tokens)], serial, key, run, deadline):
                with tally.lock:
                    tally.acknowledged.add(serial)

    started = time.perf_counter()
    fault = threading.Thread(target=during, args=(tally,)) if during else None
    if fault:
        fault.start()
    with ThreadPoolExecutor(len(tablets) + phones) as pool:
        futures = [pool.submit(kiosk_work, n) for n in range(len(tablets))]
        futures += [pool.submit(phone_work, n) for n in range(phones)]
        for future in futures:
            future.result()
    if fault:
        fault.join()
    return tally, time.perf_counter() - started


def stored(url: str, run: str) -> Counter[int]:
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
        "lost": len(tally.acknowledged - set(rows)),
        "stuck (never acknowledged)": submissions - len(tally.acknowledged),
        "500": tally.statuses.get("500", 0), "5xx with traceback": tally.tracebacks,
        "requests": tally.requests, "requests/s": round(tally.requests / seconds, 1),
        "answers/s": round(len(jobs) / seconds, 1), "seconds": round(seconds, 1),
    }
    print(f"\n== {name}")
    for key, value in result.items():
        print(f"  {key:>26}: {value}")
    print(f"  {'statuses':>26}: {dict(sorted(tally.statuses.items()))}")
    return result


def failed(result: dict[str, float]) -> bool:
    return bool(result["lost"] or result["duplicated"] or result["stuck (never acknowledged)"]
                or result["500"] or result["5xx with traceback"])


@contextmanager
def own_servers() -> Iterator[tuple[OwnPostgres, OwnRedis]]:
    """A PostgreSQL cluster and a Redis server of the bench's own, removed afterwards."""
    postgres, redis_server = OwnPostgres(), OwnRedis()
    try:
        postgres.start()
        redis_server.start()
        yield postgres, redis_server
    finally:
        redis_server.stop()
        postgres.stop()


@contextmanager
def stack_on(postgres: OwnPostgres, redis_server: OwnRedis, *, kiosks: int,
             posters: int) -> Iterator[tuple[Stack, World]]:
    """A freshly prepared database on ``postgres``, and the stack on it and ``redis_server``."""
    import secrets

    run_dir = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    try:
        secret, dossier = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        world = prepare(postgres.url, secret, dossier, kiosks=kiosks, posters=posters)
        stack = Stack(database_url=postgres.url, redis_url=redis_server.url, secret_key=secret,
                      dossier_key=dossier, run_dir=run_dir, settings=SETTINGS)
        with stack:
            yield stack, world
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
