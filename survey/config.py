"""Configuration, read from ``SURVEY_*`` environment variables.

Every key below may be overridden by an environment variable of the same name with the
``SURVEY_`` prefix (``SURVEY_MIN_N=50``); values are parsed as JSON where they can be.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_URL = "http://127.0.0.1:5000"  # `make run`
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production, see check()

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": None,
    # The key of the dossier-code HMAC. Keep it apart from SECRET_KEY so that rotating the
    # session key does not let an old dossier be answered twice.
    "DOSSIER_KEY": None,
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'survey.sqlite3'}",
    # A PostgreSQL streaming replica of DATABASE_URL that dashboards, reports and the public results
    # read from (survey/database.py says which views); unset, they read the primary.
    "REPORTING_DATABASE_URL": None,
    # The https:// address citizens and tablets use (e.g. https://hailong.cantho.gov.vn): links in
    # e-mails and SMS (the worker sending them has no request to ask) and the links commands
    # print (kiosk enrolment, posters) start with it. Required in production.
    "PUBLIC_URL": None,
    "MIN_N": 30,
    "CONFIDENCE_LEVEL": 0.95,
    "KIOSK_IDLE_SECONDS": 60,
    # A browser that answered a survey is thanked, not shown the form, for this long (public/repeats.py).
    "PHONE_REPEAT_MINUTES": 30,
    "KIOSK_THANKS_SECONDS": 8,
    "KIOSK_ENROLMENT_HOURS": 24,
    # An answer kept in an offline kiosk's outbox is dated by the tablet's clock if it arrives
    # within this many days; later (or with an implausible clock), on arrival.
    "KIOSK_LATE_DAYS": 7,
    # An answer still in a tablet's outbox after this long shows the desk officer a "waiting" mark.
    "KIOSK_OUTBOX_WARN_SECONDS": 600,
    # Desk sessions (POST /api/v1/desks/<code>/sessions): how often the tablet on its attract
    # screen asks whether a dossier was just served, and how long a session waits for an answer.
    "KIOSK_SESSION_POLL_SECONDS": 2,
    "DESK_SESSION_MINUTES": 10,
    "RATELIMIT_STORAGE_URI": "memory://",
    # If Redis is down, count in memory rather than refuse citizens' answers with a 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # Reverse proxies in front of the app (0: none). With 1 (one nginx), the client address and
    # scheme are taken from the last X-Forwarded-For entry and X-Forwarded-Proto; with 0 those
    # headers are ignored, so a client cannot fake its address (docs/deployment.md).
    "TRUSTED_PROXIES": 0,
    # Limits per device and per person (survey/public/limits.py); the address limit is only an
    # outer guard that a whole office, or a carrier's NAT, behind one address does not reach.
    "KIOSK_RATE_LIMIT": "120 per minute",  # per enrolled tablet (its device secret)
    "PHONE_RATE_LIMIT": "10 per minute",  # per browser session
    "QR_RATE_LIMIT": "300 per minute",  # per signed poster or receipt link
    "ENROL_RATE_LIMIT": "5 per minute",  # per enrolment code
    "ADDRESS_RATE_LIMIT": "1200 per minute",  # per client address, phone answers and enrolments
    "LOGIN_RATE_LIMIT": "10 per minute",  # per account asked for
    "LOGIN_ADDRESS_RATE_LIMIT": "60 per minute",
    "API_RATE_LIMIT": "120 per minute",
    # Gaming detection (survey/integrity.py): local opening hours and ISO weekdays (1 = Monday) of
    # the desks; a burst is this many top ratings at one kiosk within this many seconds; a unit is
    # flagged when its responses exceed this ratio of the dossiers it handled (and this minimum).
    "INTEGRITY_OPENING_HOURS": "07:00-17:30",
    "INTEGRITY_OPENING_DAYS": [1, 2, 3, 4, 5, 6],
    "INTEGRITY_BURST_SIZE": 5,
    "INTEGRITY_BURST_SECONDS": 60,
    "INTEGRITY_VOLUME_RATIO": 1.2,
    "INTEGRITY_VOLUME_MIN": 30,
    # Phản ánh, kiến nghị (survey/casework): working days to reply, per kind; a reminder to the
    # handlers this many working days before; an answered case closes itself after this many
    # days; the citizen's contact details are deleted this many days after closing.
    "COMPLAINT_DEADLINE_DAYS": {"phan_anh": 10, "kien_nghi": 10},
    "COMPLAINT_WARNING_DAYS": 2,
    "COMPLAINT_AUTOCLOSE_DAYS": 15,
    "CONTACT_RETENTION_DAYS": 30,
    "RESPONSE_RETENTION_MONTHS": None,  # months kept (survey.collection.retention); None: for ever
    "COMPLAINT_RATE_LIMIT": "10 per hour",
    "LOOKUP_RATE_LIMIT": "30 per minute",
    # Days off and make-up working days that the `holidays` library does not know (ISO dates):
    # the government's extra days off announced each year, a province's own.
    "HOLIDAYS_EXTRA_OFF": [],
    "HOLIDAYS_EXTRA_WORKING": [],
    # Fernet keys, comma-separated, the first encrypting (survey/sealing.py).
    "CONTACT_KEYS": None,
    # Comments reach the unit's dashboard this many days after they were written (SPEC §6).
    "COMMENT_DELAY_DAYS": 1,
    # Outbox (survey/messaging): e-mail through SMTP ("log" only logs), SMS through a provider
    # ("log", or "package.module:Class"), webhooks over HTTP; retries back off exponentially.
    "MAIL_DRIVER": "smtp",
    "MAIL_FROM": "Hài lòng <khong-tra-loi@localhost>",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_SECURITY": "none",
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 20,
    "SMS_PROVIDER": "log",
    "WEBHOOK_TIMEOUT": 10,
    "OUTBOX_MAX_ATTEMPTS": 20,
    "OUTBOX_BACKOFF_SECONDS": 30,
    "OUTBOX_BACKOFF_MAX_SECONDS": 6 * 3600,
    "OUTBOX_LEASE_SECONDS": 300,
    # Issued reports (survey/reporting/publication.py): the issuing agency and the body above it
    # as printed at the top left, the place before the date, the suffix of the document number
    # ("12/BC-SNV"), and the Chromium that prints the PDF (from `flask jobs run-due`).
    "REPORT_AGENCY": "Sở Nội vụ",
    "REPORT_AGENCY_PARENT": "Ủy ban nhân dân thành phố Cần Thơ",
    "REPORT_PLACE": "Cần Thơ",
    "REPORT_NUMBER_SUFFIX": "BC-SNV",
    "CHROMIUM": "/usr/bin/chromium",
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    "LANGUAGES": ["vi", "km", "en"],
    "WTF_CSRF_TIME_LIMIT": 3600,
    # WTForms has no Vietnamese catalogue and its messages are never shown to citizens (the
    # templates word every error), so looking its catalogue up for every field is waste.
    "WTF_I18N_ENABLED": False,
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def load(app_config: dict[str, Any], overrides: dict[str, Any] | None) -> None:
    """Fill ``app_config`` from defaults, the environment and ``overrides`` (tests), in that order."""
    app_config.update(DEFAULTS)
    prefixed = {k.removeprefix("SURVEY_") for k in os.environ if k.startswith("SURVEY_")}
    if prefixed:
        from flask import Config

        env = Config(str(ROOT))
        env.from_prefixed_env("SURVEY")
        app_config.update(env)
    app_config.update(overrides or {})
    env_name = app_config["ENV"]
    app_config["TESTING"] = app_config.get("TESTING", False) or env_name == "testing"
    production = env_name == "production"
    if not app_config["SECRET_KEY"]:
        if production:
            raise ConfigError(
                "SURVEY_SECRET_KEY is not set: refusing to start in production without a secret "
                "key (for a demo, set SURVEY_ENV=development)."
            )
        app_config["SECRET_KEY"] = DEV_SECRET
    if production and app_config["SECRET_KEY"] == DEV_SECRET:
        raise ConfigError("SURVEY_SECRET_KEY is the development key: set a real one.")
    if not app_config["PUBLIC_URL"]:
        if production:
            raise ConfigError("SURVEY_PUBLIC_URL is not set: links in e-mails, SMS and printed "
                              "codes need the https:// address citizens use.")
        app_config["PUBLIC_URL"] = DEV_URL
    app_config["DOSSIER_KEY"] = app_config["DOSSIER_KEY"] or app_config["SECRET_KEY"]
    app_config["SESSION_COOKIE_SECURE"] = production
    app_config["REMEMBER_COOKIE_SECURE"] = production
    app_config["SQLALCHEMY_DATABASE_URI"] = app_config["DATABASE_URL"]
    # A server can restart under us (pool_pre_ping re-connects); a SQLite file cannot, so it is
    # spared the extra round trip on every checkout.
    server = not str(app_config["DATABASE_URL"]).startswith("sqlite")
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": server}
    if not server:  # writers queue before SQLite's write lock (survey.database.QueuedConnection)
        from survey.database import QueuedConnection
        app_config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"factory": QueuedConnection}
    reporting = app_config["REPORTING_DATABASE_URL"]
    urls = (str(reporting), str(app_config["DATABASE_URL"]))
    if reporting and not all(url.startswith("postgresql") for url in urls):
        raise ConfigError("SURVEY_REPORTING_DATABASE_URL is a PostgreSQL replica of a PostgreSQL "
                          "SURVEY_DATABASE_URL (postgresql+psycopg://…); unset it to read the primary.")
    # No X-RateLimit-* headers: each costs a round trip to the counters; a 429 still says
    # Retry-After (survey/errors.py).
    app_config["RATELIMIT_HEADERS_ENABLED"] = False
    app_config.setdefault("RATELIMIT_ENABLED", True)
