"""Rate limits per device and per person, not per address: who each limit counts, and how much.

Behind a reverse proxy, or a mobile carrier's NAT, a whole office (or a whole city) can share one
client address, so an address is only a coarse outer guard here. The limits that bite count what
stands for one device or one person:

- an **enrolled kiosk** by its device secret (the enrolment cookie), never by address: eight desks
  of one office behind one router each get their own ``KIOSK_RATE_LIMIT``;
- a **phone answer** by its browser session (``PHONE_RATE_LIMIT``) and by its signed payload, the
  poster or receipt link (``QR_RATE_LIMIT``), inside the address guard (``ADDRESS_RATE_LIMIT``);
- a **kiosk enrolment** by its code (``ENROL_RATE_LIMIT``), inside the address guard, so that a
  fleet can be enrolled from one office while guessing one code stays slow;
- a **log-in** by the account asked for (``LOGIN_RATE_LIMIT``), inside ``LOGIN_ADDRESS_RATE_LIMIT``.

The keys are short SHA-256 prefixes: no device secret, session token, code or e-mail sits in the
counters (Redis) in clear, and no address is ever stored with a response. A request that has no
session or no device cookie falls back to its address, the strictest key it has.

Each ``*_limits`` decorator below stacks Flask-Limiter's own ``limiter.limit``, one per key, so a
view carries a single decorator line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request, session

from survey.collection.kiosks import COOKIE
from survey.collection.signing import normalise_dossier_code
from survey.extensions import client_address, limiter

F = TypeVar("F", bound=Callable[..., Any])


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:24]


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def address() -> str:
    return f"addr:{client_address()}"


def kiosk_device() -> str:
    """The tablet's device secret; without one (an unenrolled browser) its address."""
    secret = request.cookies.get(COOKIE, "")
    if secret and len(secret) <= 100:
        return f"kiosk:{_digest(secret)}"
    return f"kiosk-none:{client_address()}"


def browser_session() -> str:
    """The phone's browser session, by the CSRF secret Flask-WTF keeps in it."""
    token = session.get("csrf_token")
    if isinstance(token, str) and token:
        return f"session:{_digest(token)}"
    return f"session-none:{client_address()}"


def signed_payload() -> str:
    """The poster's or receipt's signed token in the URL (``/s/<token>``)."""
    token = str((request.view_args or {}).get("token", ""))[:1000]
    return f"payload:{_digest(token)}"


def enrolment_code() -> str:
    code = normalise_dossier_code(request.form.get("code", ""))[:40]
    return f"enrol:{_digest(code)}"


def login_account() -> str:
    email = request.form.get("email", "").strip().lower()[:200]
    return f"login:{_digest(email)}"


def _stack(*limits: tuple[str, Callable[[], str]]) -> Callable[[F], F]:
    """POST limits, each ``(setting name, key function)``, as one decorator."""

    def decorate(view: F) -> F:
        for name, key in reversed(limits):
            view = limiter.limit(_setting(name), key_func=key, methods=["POST"])(view)  # type: ignore[assignment]
        return view

    return decorate


kiosk_limits = _stack(("KIOSK_RATE_LIMIT", kiosk_device))
phone_limits = _stack(("PHONE_RATE_LIMIT", browser_session), ("QR_RATE_LIMIT", signed_payload),
                      ("ADDRESS_RATE_LIMIT", address))
enrolment_limits = _stack(("ENROL_RATE_LIMIT", enrolment_code), ("ADDRESS_RATE_LIMIT", address))
login_limits = _stack(("LOGIN_RATE_LIMIT", login_account), ("LOGIN_ADDRESS_RATE_LIMIT", address))
