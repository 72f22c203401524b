"""``make serve``: the production-shaped stack in the foreground, on this machine's PostgreSQL and Redis.

- database: ``SURVEY_DATABASE_URL``, else ``postgresql+psycopg://postgres@127.0.0.1:5432/hailong``
  (created when missing), migrated (``flask db upgrade``) and filled with the demo once;
- rate-limit counters: ``SURVEY_RATELIMIT_STORAGE_URI``, else ``redis://127.0.0.1:6379/0``;
- secrets: ``SURVEY_SECRET_KEY``, ``SURVEY_DOSSIER_KEY`` and ``SURVEY_CONTACT_KEYS`` from the
  environment, else generated once into ``instance/secrets.json`` (owner-only) and kept, so
  that sessions, QR codes, the dossier HMAC and sealed contact details survive a restart;
- TLS: a self-signed certificate made at start-up into ``instance/stack/tls`` (kept while valid);
- ports: ``HTTPS_PORT`` (8443) and ``HTTP_PORT`` (8080, a redirect to HTTPS) on ``HOST`` (127.0.0.1).

It prints the ``https://`` URLs to start from (``flask demo urls``), then serves until Ctrl-C.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from deploy.stack import BIN, ROOT, Stack, StackError

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/hailong"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
INSTANCE = ROOT / "instance"


SECRETS = {  # name → how to make one
    "SECRET_KEY": lambda: secrets.token_urlsafe(48),
    "DOSSIER_KEY": lambda: secrets.token_urlsafe(48),
    "CONTACT_KEYS": lambda: Fernet.generate_key().decode(),
}


def load_secrets(path: Path = INSTANCE / "secrets.json") -> dict[str, str]:
    """The secret, dossier and contact keys: from the environment, else kept in ``path`` (made once)."""
    kept: dict[str, str] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    if set(SECRETS) - set(kept):
        kept = {name: kept.get(name) or make() for name, make in SECRETS.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(kept, indent=2), "utf-8")
    return {name: os.environ.get(f"SURVEY_{name}") or kept[name] for name in SECRETS}


def ensure_database(url: str) -> None:
    """Create a PostgreSQL database that does not exist yet (SQLite files make themselves)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def main() -> int:
    database = os.environ.get("SURVEY_DATABASE_URL", DEFAULT_DATABASE)
    kept = load_secrets()
    stack = Stack(
        database_url=database,
        redis_url=os.environ.get("SURVEY_RATELIMIT_STORAGE_URI", DEFAULT_REDIS),
        secret_key=kept["SECRET_KEY"], dossier_key=kept["DOSSIER_KEY"], contact_keys=kept["CONTACT_KEYS"],
        run_dir=INSTANCE / "stack",
        host=os.environ.get("HOST", "127.0.0.1"),
        https_port=int(os.environ.get("HTTPS_PORT", "8443")),
        http_port=int(os.environ.get("HTTP_PORT", "8080")),
        migrate=True, foreground=True,
    )
    print(f"make serve: nginx (HTTPS) → gunicorn ×{stack.workers} → {database.split('@')[-1]}; "
          f"rate limits in {stack.redis_url}", flush=True)
    try:
        ensure_database(database)
        stack.start()
    except StackError as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        env = {**os.environ, **stack.environment()}
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        subprocess.run([*flask, "demo", "seed"], cwd=ROOT, env=env, check=True)
        subprocess.run([*flask, "demo", "urls", "--base", stack.url], cwd=ROOT, env=env, check=True)
        cert = stack.run_dir / "tls" / "tls.crt"
        print(f"  The certificate is self-signed ({cert}): accept it once in the\n"
              f"  browser, or trust it on the tablet. Plain http://{stack.host}:{stack.http_port}/ "
              "redirects to HTTPS.\n  Logs: instance/stack/. Ctrl-C stops nginx and gunicorn.\n", flush=True)
        return stack.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
