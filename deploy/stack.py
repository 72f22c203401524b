"""nginx (TLS) → gunicorn (2 workers) → the database and Redis: started, awaited, stopped.

:class:`Stack` is the one implementation of the production-shaped stack. ``make serve`` runs it in
the foreground (``deploy/serve.py``); the tests start one per session (``tests/stack.py``), and
the benches start one on PostgreSQL and Redis servers of their own (``bench/load_retries.py
--proxy``). The application runs exactly as deployed: ``SURVEY_ENV=production``, real secrets,
``SURVEY_TRUSTED_PROXIES=1`` (nginx is the one proxy), rate limits counted in Redis, CSRF strict
over HTTPS, secure cookies, HSTS and the production CSP.

nginx runs from its Debian package with a configuration rendered from ``nginx.conf.template``
into a folder of its own (``-p``), so it needs no root, no ``/etc/nginx`` and no system service.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from cryptography.fernet import Fernet

from deploy.tls import Certificate, certificate_in

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx.conf.template"
BIN = Path(sys.executable).parent


class StackError(RuntimeError):
    """A part of the stack is missing or did not start (the message says which, and its log)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise StackError("nginx is missing: run `make nginx` (installs Debian's nginx package)")
    return found


def _setting(value: object) -> str:
    """An environment value that ``app.config.from_prefixed_env`` reads back as ``value``."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class Stack:
    """The stack on this machine. ``settings`` are extra ``SURVEY_*`` settings (without the prefix)."""

    database_url: str
    redis_url: str
    secret_key: str
    dossier_key: str
    run_dir: Path
    contact_keys: str = field(default_factory=lambda: Fernet.generate_key().decode())
    settings: Mapping[str, object] = field(default_factory=dict)
    host: str = "127.0.0.1"
    https_port: int = 0
    http_port: int = 0
    workers: int = 2
    certificate: Certificate | None = None
    migrate: bool = False
    foreground: bool = False
    app_port: int = 0
    _gunicorn: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _nginx: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.https_port}"

    @property
    def gunicorn_pid(self) -> int:
        if self._gunicorn is None:
            raise StackError("the stack is not running")
        return self._gunicorn.pid

    def worker_pids(self) -> list[int]:
        """gunicorn's workers (the master's children), for a fault injected by a bench."""
        master = self.gunicorn_pid
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]

    def environment(self) -> dict[str, str]:
        """The application's settings, as deployed: production, behind one proxy, limits in Redis."""
        env = {
            "SURVEY_ENV": "production",
            "SURVEY_SECRET_KEY": self.secret_key,
            "SURVEY_DOSSIER_KEY": self.dossier_key,
            "SURVEY_CONTACT_KEYS": self.contact_keys,
            "SURVEY_PUBLIC_URL": self.url,
            "SURVEY_DATABASE_URL": self.database_url,
            "SURVEY_RATELIMIT_STORAGE_URI": self.redis_url,
            "SURVEY_TRUSTED_PROXIES": "1",
        }
        env.update({f"SURVEY_{name}": _setting(value) for name, value in self.settings.items()})
        return env

    def nginx_conf(self) -> str:
        if self.certificate is None:
            raise StackError("no certificate yet: start() makes one")
        fields = {
            "WORKER_PROCESSES": "1",
            "RUN": str(self.run_dir),
            "APP": f"127.0.0.1:{self.app_port}",
            "HOST": self.host,
            "HTTP_PORT": str(self.http_port),
            "HTTPS_PORT": str(self.https_port),
            "HTTPS_SUFFIX": "" if self.https_port == 443 else f":{self.https_port}",
            "SERVER_NAMES": "localhost 127.0.0.1",
            "CERT": str(self.certificate.cert),
            "KEY": str(self.certificate.key),
            "DEPLOY": str(DEPLOY),
        }
        text = TEMPLATE.read_text("utf-8")
        for name, value in fields.items():
            text = text.replace(f"@{name}@", value)
        return text

    def start(self) -> Stack:
        """Start gunicorn, then nginx, and return once the HTTPS URL answers (or raise StackError)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # nginx's workers run unprivileged when the master is root: they need to reach their temp files.
        self.run_dir.chmod(0o755)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "tmp" / name).mkdir(parents=True, exist_ok=True)
            (self.run_dir / "tmp" / name).chmod(0o777)
        self.certificate = self.certificate or certificate_in(self.run_dir / "tls")
        self.https_port = self.https_port or free_port(self.host)
        self.http_port = self.http_port or free_port(self.host)
        self.app_port = self.app_port or free_port()
        env = {**os.environ, **self.environment()}
        if self.migrate:
            self._flask(env, "db", "upgrade")
            self._flask(env, "instruments", "load")
        try:
            self._start_gunicorn(env)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def _flask(self, env: dict[str, str], *args: str) -> None:
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                              capture_output=not self.foreground, check=False)
        if done.returncode:
            raise StackError(f"flask {' '.join(args)} failed:\n{(done.stderr or b'').decode()[-3000:]}")

    def _log(self, name: str) -> int | None:
        if self.foreground:
            return None
        return os.open(self.run_dir / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _start_gunicorn(self, env: dict[str, str]) -> None:
        command = [
            str(BIN / "gunicorn"), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.app_port}",
            "--chdir", str(ROOT), "--graceful-timeout", "10", "--log-level", "warning", "wsgi:app",
        ]
        log = self._log("gunicorn.log")
        self._gunicorn = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
        if log is not None:
            os.close(log)
        self._wait_for(lambda: _answers_http(self.app_port), self._gunicorn, "gunicorn", "gunicorn.log")

    def _start_nginx(self) -> None:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(self.nginx_conf(), "utf-8")
        command = [nginx_binary(), "-e", str(self.run_dir / "nginx-error.log"), "-p", str(self.run_dir),
                   "-c", str(conf)]
        log = self._log("nginx.log")
        self._nginx = subprocess.Popen(command, stdout=log, stderr=log)
        if log is not None:
            os.close(log)
        self._wait_for(lambda: _answers_tls(self.host, self.https_port), self._nginx, "nginx",
                       "nginx-error.log")

    def _wait_for(self, ready, process: subprocess.Popen[bytes], name: str, log: str,  # type: ignore[no-untyped-def]
                  timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        path = self.run_dir / log
        tail = path.read_text("utf-8", "replace")[-3000:] if path.exists() else ""
        raise StackError(f"{name} did not start; {path}:\n{tail}")

    def stop(self) -> None:
        """nginx first (no new requests), then gunicorn, each given 15 s before it is killed."""
        for process in (self._nginx, self._gunicorn):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._nginx = self._gunicorn = None

    def wait(self) -> int:
        """Block until gunicorn or nginx ends (``make serve``); return its exit status."""
        while True:
            for process in (self._gunicorn, self._nginx):
                if process is not None and process.poll() is not None:
                    return process.returncode
            time.sleep(0.5)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def _answers_http(port: int) -> bool:
    """gunicorn answers a bare HTTP request on ``port`` (any status will do)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return connection.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


def _answers_tls(host: str, port: int) -> bool:
    """nginx completes a TLS handshake on ``port`` (the certificate is checked by the callers)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=2) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            return True
    except OSError:
        return False
