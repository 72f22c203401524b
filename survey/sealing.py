"""Encryption at rest for what must be read back: a citizen's contact details, webhook secrets,
and the outbox messages addressed to a citizen.

Fernet (the ``cryptography`` library: AES-128-CBC with HMAC-SHA256, authenticated and dated)
under a :class:`~cryptography.fernet.MultiFernet` key ring read from ``SURVEY_CONTACT_KEYS``:
a comma-separated list of Fernet keys, the first one encrypting, every one decrypting. To rotate,
put a new key first, run ``flask --app wsgi keys rotate`` (which re-encrypts every sealed value
with it), then drop the old key. In development and tests without the variable, a key is made
once into ``instance/contact-keys`` (mode 0600); production refuses to start without one.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from survey.config import ConfigError

KEY_FILE = "contact-keys"
_EXTENSION = "survey.sealing"


class Unsealable(ValueError):
    """A sealed value that no key of the ring opens (tampered, or its key was dropped)."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def _keys(app: Flask) -> list[str]:
    configured = app.config.get("CONTACT_KEYS")
    if isinstance(configured, str):
        configured = [k for k in (part.strip() for part in configured.split(",")) if k]
    if configured:
        return list(configured)
    if app.config["ENV"] == "production":
        raise ConfigError(
            "SURVEY_CONTACT_KEYS is not set: citizens' contact details cannot be encrypted. "
            "Generate a key with `flask --app wsgi keys new` and set it.")
    path = Path(app.instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(new_key() + "\n")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def init_app(app: Flask) -> None:
    try:
        ring = MultiFernet([Fernet(key.encode()) for key in _keys(app)])
    except ValueError as error:
        raise ConfigError(f"SURVEY_CONTACT_KEYS holds a key that is not a Fernet key: {error}") from None
    app.extensions[_EXTENSION] = ring


def _ring() -> MultiFernet:
    ring: MultiFernet = current_app.extensions[_EXTENSION]
    return ring


def seal(text: str) -> str:
    return _ring().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _ring().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise Unsealable("no key of SURVEY_CONTACT_KEYS opens this value") from error


def reseal(token: str) -> str:
    """The same value encrypted with the first key of the ring (MultiFernet.rotate)."""
    try:
        return _ring().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise Unsealable("no key of SURVEY_CONTACT_KEYS opens this value") from error
