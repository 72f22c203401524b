"""Events other systems can follow by webhook, and :func:`notify`, the one way to raise one.

Every delivery's body is an envelope::

    {"id": "<uuid, the same for every endpoint>", "event": "complaint.created",
     "created_at": "2026-05-12T09:30:00+07:00", "data": {…the payload…}}

The payloads (``docs/webhooks.md`` has examples):

- ``complaint.created``: ``ref``, ``kind``, ``channel``, ``unit_code``, ``unit_name``,
  ``sector_code``, ``procedure_code``, ``status``, ``received_on``, ``due_on``, ``url`` (the
  public status page). Never the text or the citizen's contact: a receiver follows the handling,
  not the person;
- ``complaint.status_changed``: ``ref``, ``unit_code``, ``from``, ``to``, ``due_on``,
  ``on_time`` (for ``answered``: whether the reply was on or before ``due_on``; else null), ``url``;
- ``complaint.escalated``: ``ref``, ``unit_code``, ``parent_code``, ``due_on``, ``days_overdue``,
  ``url``;
- ``alert.raised``: a unit's satisfaction fell (built by :func:`alert_payload`): ``unit_code``,
  ``unit_name``, ``period`` (SPEC §3 label of the first period of the fall), ``measure``
  (``satisfaction`` or a component or item key), ``before`` and ``after`` (the rates either side,
  0–1), ``fall`` (``before − after``), ``n_before``/``n_after``, ``method`` (e.g. ``change-point``),
  ``url`` (the unit's dashboard).

Receivers subscribe per endpoint; ``*`` subscribes to every event.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from survey.extensions import AnySession
from survey.messaging import outbox
from survey.models import WebhookEndpoint
from survey.periods import LOCAL

EVENTS = ("complaint.created", "complaint.status_changed", "complaint.escalated", "alert.raised")
REQUIRED = {
    "complaint.created": {"ref", "unit_code", "status", "due_on"},
    "complaint.status_changed": {"ref", "unit_code", "from", "to"},
    "complaint.escalated": {"ref", "unit_code", "due_on", "days_overdue"},
    "alert.raised": {"unit_code", "period", "measure", "before", "after", "fall"},
}


def envelope(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "event": event,
            "created_at": datetime.now(LOCAL).isoformat(timespec="seconds"), "data": payload}


def notify(session: AnySession, event: str, payload: dict[str, Any], *, about: str | None = None) -> str:
    """Raise ``event``: one outbox message per active endpoint that follows it. Returns the event id.

    Call it inside the transaction of the change the event reports; it flushes, never commits,
    and sends nothing itself (``flask outbox run`` does). ValueError for an unknown event or a
    payload without its required keys.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}: one of {', '.join(EVENTS)}")
    missing = REQUIRED[event] - set(payload)
    if missing:
        raise ValueError(f"{event} payload lacks {', '.join(sorted(missing))}")
    body = envelope(event, payload)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    for endpoint in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                                    .order_by(WebhookEndpoint.id)):
        if event in endpoint.events or "*" in endpoint.events:
            outbox.webhook(session, endpoint, event=event, body=text, about=about)
    session.flush()
    return str(body["id"])


def alert_payload(*, unit_code: str, unit_name: str, period: str, measure: str, before: float,
                  after: float, n_before: int, n_after: int, method: str, url: str | None = None
                  ) -> dict[str, Any]:
    """The ``alert.raised`` payload, for the alert evaluation to pass to :func:`notify`."""
    return {"unit_code": unit_code, "unit_name": unit_name, "period": period, "measure": measure,
            "before": before, "after": after, "fall": before - after, "n_before": n_before,
            "n_after": n_after, "method": method, "url": url}
