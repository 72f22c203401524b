"""SMS through a provider interface. The default driver only logs (with the number masked).

A province plugs its SMS gateway (a brand-name SMS contract with a carrier) in with
``SURVEY_SMS_PROVIDER=package.module:Class``: a class built with the app's config whose
``send(phone, text)`` returns the provider's message id or raises :class:`SmsError`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

log = logging.getLogger(__name__)


class SmsError(RuntimeError):
    """The provider refused or could not be reached; the outbox retries later."""


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> str: ...


def mask(phone: str) -> str:
    return "*" * max(0, len(phone) - 3) + phone[-3:]


class LoggingProvider:
    """Writes one log line per message instead of sending it (demos, tests, before a contract)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        log.info("SMS to %s (%s characters)", mask(phone), len(text))
        self.sent.append((phone, text))
        return f"log-{len(self.sent)}"


def provider(config: Mapping[str, Any]) -> SmsProvider:
    """The configured provider: ``log``, or ``package.module:Class``."""
    name = str(config.get("SMS_PROVIDER") or "log")
    if name == "log":
        return LoggingProvider(config)
    module_name, _sep, class_name = name.partition(":")
    if not class_name:
        raise SmsError(f"SURVEY_SMS_PROVIDER must be 'log' or 'package.module:Class', not {name!r}")
    cls = getattr(importlib.import_module(module_name), class_name)
    built: SmsProvider = cls(config)
    return built
