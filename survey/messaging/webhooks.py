"""Signed webhooks: the endpoints, the signature, and :func:`verify` for receivers.

Every delivery is a ``POST`` of a JSON body (the event envelope, :mod:`survey.messaging.events`)
with these headers:

- ``X-Hailong-Event``: the event name, e.g. ``complaint.created``;
- ``X-Hailong-Delivery``: the delivery's id, the same on every retry (a receiver that stores it
  can ignore a second copy);
- ``X-Hailong-Signature``: ``t=<unix seconds>,v1=<hex>``, where ``<hex>`` is
  HMAC-SHA256(endpoint secret, ``"<t>." + body``). The timestamp is signed with the body, and a
  receiver refuses a delivery whose timestamp is more than five minutes from its own clock, so a
  captured delivery cannot be replayed later. Each retry is signed afresh.

:func:`verify` is what a receiver runs; it uses only the standard library, so it can be copied
as it is (``docs/webhooks.md`` shows it and the same check in a few lines of other languages).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from survey import sealing
from survey.administration import audit
from survey.extensions import AnySession
from survey.models import User, WebhookEndpoint

SIGNATURE_HEADER = "X-Hailong-Signature"
TOLERANCE_SECONDS = 300
ENDPOINT_FIELDS = ("label", "url", "events", "active")


class WebhookError(ValueError):
    """An endpoint breaks a rule (not an http(s) URL, no event chosen)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret``."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, now: float | None = None) -> str:
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """Whether ``header`` (``X-Hailong-Signature``) signs ``body`` with ``secret``, recently.

    ``body`` is the raw request body, byte for byte (not re-serialised JSON). False when the
    header is malformed, the signature does not match, or the timestamp is more than
    ``tolerance`` seconds away from ``now`` (a replay, or a badly wrong clock).
    """
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None


def post(url: str, secret: str, body: bytes, *, event: str, delivery_id: str, timeout: float) -> Outcome:
    """One signed POST; a 2xx answer is a success, anything else (or no answer) a failure."""
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - http(s) checked on entry
        "Content-Type": "application/json",
        "User-Agent": "Hailong-Webhooks/1",
        "X-Hailong-Event": event,
        "X-Hailong-Delivery": delivery_id,
        SIGNATURE_HEADER: signature_header(secret, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return Outcome(200 <= answer.status < 300, answer.status, None)
    except urllib.error.HTTPError as error:
        return Outcome(False, error.code, f"HTTP {error.code}")
    except (OSError, ValueError) as error:
        return Outcome(False, None, f"{error.__class__.__name__}: {error}"[:500])


def _check(url: str, events: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebhookError(_l("Địa chỉ nhận phải bắt đầu bằng http:// hoặc https://."))
    if not events:
        raise WebhookError(_l("Cần chọn ít nhất một loại sự kiện."))


def create_endpoint(session: AnySession, actor: User | None, *, label: str, url: str,
                    events: list[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once; kept sealed). Audited, never the secret."""
    _check(url.strip(), events)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(label=label.strip(), url=url.strip(), events=sorted(set(events)),
                               secret_sealed=sealing.seal(secret), active=True)
    session.add(endpoint)
    session.flush()
    audit.record(session, actor=actor, action="webhook.create", object_type="webhook_endpoint",
                 object_id=endpoint.id, after=audit.snapshot(endpoint, ENDPOINT_FIELDS))
    return endpoint, secret


def set_active(session: AnySession, actor: User | None, endpoint: WebhookEndpoint, active: bool) -> None:
    before = audit.snapshot(endpoint, ENDPOINT_FIELDS)
    endpoint.active = active
    session.flush()
    audit.record(session, actor=actor, action="webhook.update", object_type="webhook_endpoint",
                 object_id=endpoint.id, before=before, after=audit.snapshot(endpoint, ENDPOINT_FIELDS))


def secret_of(endpoint: WebhookEndpoint) -> str:
    return sealing.unseal(endpoint.secret_sealed)


def reseal_all(session: AnySession) -> int:
    """Re-encrypt every endpoint secret with the first key of the ring (key rotation)."""
    from sqlalchemy import select

    count = 0
    for endpoint in session.scalars(select(WebhookEndpoint)):
        endpoint.secret_sealed = sealing.reseal(endpoint.secret_sealed)
        count += 1
    session.flush()
    return count
