"""A real streaming replica of the machine's PostgreSQL, for tests/survey/test_replica.py.

:func:`streaming_replica` takes a base backup of the primary (``pg_basebackup -R -X stream``) into
a temporary folder and starts it as a hot standby on a free loopback port, run as the
``postgres`` user when the tests run as root (PostgreSQL refuses root); on leaving it stops the
server and removes the folder, whatever happened. :func:`refusal` says, before anything is
started, what the primary lacks for that (a setting, a ``pg_hba.conf`` rule) and how to fix it:
``.ci/allow-replication`` adds the rule and reloads, a restart is never needed for it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

# The standby's settings that must be at least the primary's (hot standby refuses to start otherwise).
AT_LEAST_PRIMARY = ("max_connections", "max_worker_processes", "max_wal_senders",
                    "max_prepared_transactions", "max_locks_per_transaction")
FIX = ".ci/allow-replication"


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refusal(primary: URL) -> str | None:
    """Why a replica of ``primary``'s server cannot be made here, with the fix; None if it can."""
    where = f"PostgreSQL on {primary.host}:{primary.port or 5432}"
    if _binaries() is None:
        return "PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin/pg_basebackup)."
    params = {"host": primary.host, "port": primary.port or 5432, "user": primary.username or "postgres"}
    try:
        with psycopg.connect(dbname="postgres", connect_timeout=5, **params) as connection:
            wal_level = connection.execute("SHOW wal_level").fetchone()[0]  # type: ignore[index]
            senders = int(connection.execute("SHOW max_wal_senders").fetchone()[0])  # type: ignore[index]
            hba = connection.execute("SHOW hba_file").fetchone()[0]  # type: ignore[index]
    except psycopg.OperationalError as error:
        return f"{where} does not answer ({error}); .ci/run starts it."
    if wal_level == "minimal" or senders < 2:
        return (f"{where} has wal_level={wal_level}, max_wal_senders={senders}: a streaming replica "
                "needs wal_level=replica and max_wal_senders >= 2, which only a restart changes "
                "(ALTER SYSTEM SET wal_level = replica; ALTER SYSTEM SET max_wal_senders = 10).")
    try:
        with psycopg.connect(replication="true", connect_timeout=5, autocommit=True, **params) as raw:
            raw.execute("IDENTIFY_SYSTEM")
    except psycopg.OperationalError as error:
        return (f"{where} refuses a replication connection from {primary.host}: {error}. "
                f"{hba} needs the rule 'host replication {params['user']} {primary.host}/32 trust' "
                f"before any rule that rejects it; run {FIX} (it adds the rule and reloads the "
                "server, no restart).")
    return None


@dataclass
class Replica:
    """A hot standby of the primary's whole cluster on ``port``."""

    port: int
    folder: Path
    primary: URL

    def url(self, database: str) -> str:
        return self.primary.set(port=self.port, database=database).render_as_string(hide_password=False)

    def engine(self) -> Engine:
        return create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def scalar(self, statement: str, **params: Any) -> Any:
        engine = self.engine()
        try:
            with engine.connect() as connection:
                return connection.execute(text(statement), params).scalar()
        finally:
            engine.dispose()

    def catch_up(self, primary: Engine, timeout: float = 30.0) -> float:
        """Wait until the replica has replayed all the primary has written so far; the seconds waited
        (on a 2-core machine busy with other work, 10 s has not always been enough)."""
        with primary.connect() as connection:
            target = connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()
        started = time.monotonic()
        engine = self.engine()
        try:
            with engine.connect() as connection:
                while True:
                    behind = connection.execute(
                        text("SELECT pg_wal_lsn_diff(CAST(:target AS pg_lsn), pg_last_wal_replay_lsn())"),
                        {"target": target}).scalar()
                    if behind is not None and behind <= 0:
                        return time.monotonic() - started
                    if time.monotonic() - started > timeout:
                        raise AssertionError(f"the replica is still {behind} bytes behind after {timeout} s")
                    time.sleep(0.02)
        finally:
            engine.dispose()

    def pause(self) -> None:
        """Stop replaying the WAL it receives (its data stays as it is now) until :meth:`resume`."""
        self.scalar("SELECT pg_wal_replay_pause()")
        for _ in range(250):
            if self.scalar("SELECT pg_get_wal_replay_pause_state()") == "paused":
                return
            time.sleep(0.02)
        raise AssertionError("the replica did not pause its replay")

    def resume(self) -> None:
        self.scalar("SELECT pg_wal_replay_resume()")


@contextmanager
def streaming_replica(primary_url: str) -> Iterator[Replica]:
    """A replica of ``primary_url``'s server, streaming from it; stopped and deleted on leaving."""
    primary = make_url(primary_url)
    binaries = _binaries()
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="replica-"))
    data = folder / "data"
    port = _free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        host, primary_port = str(primary.host), str(primary.port or 5432)
        user = primary.username or "postgres"
        subprocess.run(_as_postgres([
            str(binaries / "pg_basebackup"), "-h", host, "-p", primary_port, "-U", user,
            "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync", "--no-manifest",
        ]), check=True, capture_output=True, timeout=120)
        at_least = _primary_settings(primary)
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        (data / "postgresql.conf").write_text("".join(f"{k} = {v}\n" for k, v in at_least.items()))
        if os.geteuid() == 0:
            for name in ("pg_hba.conf", "pg_ident.conf", "postgresql.conf"):
                shutil.chown(data / name, "postgres", "postgres")
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c hot_standby=on "
                   "-c fsync=off -c shared_buffers=16MB -c wal_receiver_status_interval=1s")
        subprocess.run(_as_postgres([
            str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        ]), check=True, capture_output=True, timeout=90)
        yield Replica(port=port, folder=folder, primary=primary)
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        raise AssertionError(
            f"{error.cmd[:6]} failed: {error.stderr.decode(errors='replace')}"
            + (log.read_text(errors="replace")[-2000:] if log.exists() else "")) from error
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                         "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _primary_settings(primary: URL) -> dict[str, str]:
    with psycopg.connect(host=primary.host, port=primary.port or 5432,
                         user=primary.username or "postgres", dbname="postgres") as connection:
        rows = connection.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                                  [list(AT_LEAST_PRIMARY)]).fetchall()
    return {name: setting for name, setting in rows}
