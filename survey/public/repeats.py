"""What this browser has already answered, so that the back button never records a response twice.

The browser's own (signed) session remembers, for the last few survey tokens it opened, the
idempotency key it was given and when it answered. Opening the same survey again gives the same
key, so a form brought back by the back button and sent again is a resend (stored once). Within
``PHONE_REPEAT_MINUTES`` of an answer, the same browser is thanked rather than shown the form
again, and a second answer on the same token is refused kindly. Nothing of this is stored on the
server or with the response: the session is the citizen's cookie.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from flask import current_app, session

KEPT = 5  # tokens remembered per browser: a cookie stays small


def _place(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16]


def _memory() -> dict[str, dict[str, object]]:
    memory = session.get("answered")
    return memory if isinstance(memory, dict) else {}


def key_for(token: str) -> str:
    """The idempotency key of this browser for ``token``: the same every time it is opened until
    it answers; a new one for an answer given after the window (a visit on another day)."""
    memory = _memory()
    entry = memory.get(_place(token))
    if isinstance(entry, dict) and isinstance(entry.get("k"), str) and not entry.get("t"):
        return str(entry["k"])
    key = uuid.uuid4().hex
    _store(memory, token, {"k": key, "t": 0})
    return key


def answered_recently(token: str, key: str | None = None) -> bool:
    """Whether this browser answered ``token`` within the window (with a key other than ``key``)."""
    entry = _memory().get(_place(token))
    if not isinstance(entry, dict) or entry.get("k") == key:
        return False
    answered = entry.get("t")
    window = float(current_app.config["PHONE_REPEAT_MINUTES"]) * 60
    return isinstance(answered, (int, float)) and answered > 0 and time.time() - answered < window


def remember(token: str, key: str) -> None:
    """Note that this browser has just answered ``token`` under ``key``."""
    _store(_memory(), token, {"k": key, "t": time.time()})


def _store(memory: dict[str, dict[str, object]], token: str, entry: dict[str, object]) -> None:
    place = _place(token)
    memory.pop(place, None)
    memory[place] = entry
    session["answered"] = dict(list(memory.items())[-KEPT:])
