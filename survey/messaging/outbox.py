"""The outbox: messages written with the change they report, sent later by a worker.

Writing (``email``, ``sms``, and webhooks through :func:`survey.messaging.events.notify`) only
adds a row in the caller's transaction: if the change rolls back, nothing is sent; if it commits,
the message will go out, whether or not SMTP or the receiver is up at that moment.

The worker (:func:`run_once`, ``flask outbox run``) is safe to run from several processes:

1. **claim**: one conditional UPDATE sets ``locked_by``/``locked_until`` on due, unclaimed rows
   and commits; a row another worker claimed first no longer matches the WHERE clause (on
   PostgreSQL the second UPDATE waits for the first and re-reads the row; SQLite writers are
   serialised), so each message has one sender at a time;
2. **send**, outside any transaction (no lock is held while SMTP or a receiver answers);
3. **record** the attempt (``delivery_attempt``) and the outcome: ``sent`` (the sealed part is
   wiped), or back to ``pending`` with ``next_attempt_at`` pushed back exponentially (base ×
   2^(attempts−1), capped, with a little jitter), or ``failed`` after the last attempt (kept,
   and ``flask outbox retry`` puts it back).

A worker that dies between 1 and 3 leaves its claim to expire (``OUTBOX_LEASE_SECONDS``) and
another sends the message again: delivery is at least once. Webhook receivers recognise a second
copy by ``X-Hailong-Delivery``. Hand-rolled rather than a task queue (Celery, RQ) because the
queue must be the database itself: a message must commit or roll back with the change it reports.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from survey import sealing
from survey.extensions import AnySession
from survey.messaging import mail, webhooks
from survey.messaging import sms as sms_gateway
from survey.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint


def _add(session: AnySession, **values: Any) -> OutboxMessage | None:
    """Add a message; None when one with the same ``dedupe_key`` exists already."""
    key = values.get("dedupe_key")
    if key and session.scalar(select(OutboxMessage.id).filter_by(dedupe_key=key)):
        return None
    message = OutboxMessage(status="pending", attempts=0, next_attempt_at=datetime.now(UTC), **values)
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:  # written meanwhile by another process
        return None
    return message


def email(session: AnySession, *, to: list[str], subject: str, body: str, event: str,
          about: str | None = None, dedupe_key: str | None = None,
          private: bool = False) -> OutboxMessage | None:
    """An e-mail to send. ``private`` (a citizen's address, a reply to them) seals it all."""
    content = {"to": sorted(set(to)), "subject": subject, "body": body}
    if private:
        return _add(session, channel="email", event=event, about=about, dedupe_key=dedupe_key,
                    payload={"private": True}, sealed=sealing.seal(json.dumps(content)))
    return _add(session, channel="email", event=event, about=about, dedupe_key=dedupe_key,
                payload=content)


def sms(session: AnySession, *, to: str, text: str, event: str, about: str | None = None,
        dedupe_key: str | None = None) -> OutboxMessage | None:
    """An SMS to a citizen: always sealed."""
    return _add(session, channel="sms", event=event, about=about, dedupe_key=dedupe_key,
                payload={"private": True}, sealed=sealing.seal(json.dumps({"to": to, "text": text})))


def webhook(session: AnySession, endpoint: WebhookEndpoint, *, event: str, body: str,
            about: str | None = None) -> OutboxMessage | None:
    return _add(session, channel="webhook", event=event, about=about, endpoint_id=endpoint.id,
                payload={"body": body})


def cancel_about(session: AnySession, about: str) -> int:
    """Cancel what is still unsent about ``about`` (e.g. ``complaint:42``), wiping sealed parts."""
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.about == about,
                                    OutboxMessage.status.in_(("pending", "failed")))
        .values(status="cancelled", sealed=None).execution_options(synchronize_session=False))
    session.execute(update(OutboxMessage).where(OutboxMessage.about == about)
                    .values(sealed=None).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Settings:
    max_attempts: int = 20
    backoff: float = 30.0
    backoff_max: float = 6 * 3600.0
    lease: float = 300.0
    webhook_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(int(config["OUTBOX_MAX_ATTEMPTS"]), float(config["OUTBOX_BACKOFF_SECONDS"]),
                   float(config["OUTBOX_BACKOFF_MAX_SECONDS"]), float(config["OUTBOX_LEASE_SECONDS"]),
                   float(config["WEBHOOK_TIMEOUT"]))

    def delay(self, attempts: int, message_id: int) -> timedelta:
        """Seconds before the next try after ``attempts`` failures, with up to 25 % jitter."""
        base = min(self.backoff * 2 ** max(attempts - 1, 0), self.backoff_max)
        return timedelta(seconds=base * (1 + (message_id * 7919 % 100) / 400))


def claim(session: AnySession, settings: Settings, *, worker: str, limit: int = 50,
          now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due messages for ``worker``; commits the claim."""
    now = now or datetime.now(UTC)
    free = or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)
    due = [OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now, free]
    ids = list(session.scalars(select(OutboxMessage.id).where(*due)
                               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
    if not ids:
        session.rollback()
        return []
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), *due)
                    .values(locked_by=token, locked_until=now + timedelta(seconds=settings.lease))
                    .execution_options(synchronize_session=False))
    session.commit()
    claimed = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.locked_by == token)))
    session.rollback()
    return claimed


@dataclass
class Parcel:
    """What one send needs, read out of the database before the transaction ends."""

    id: int
    channel: str
    event: str
    attempts: int
    content: dict[str, Any]
    endpoint_id: int | None = None
    problem: str | None = None  # cannot be sent at all (its key is gone, its endpoint disabled)


def _parcel(session: AnySession, message: OutboxMessage) -> Parcel:
    parcel = Parcel(message.id, message.channel, message.event, message.attempts, dict(message.payload),
                    message.endpoint_id)
    try:
        if message.sealed:
            parcel.content = json.loads(sealing.unseal(message.sealed))
        elif message.payload.get("private"):
            parcel.problem = "its private content was deleted"
        if message.channel == "webhook":
            endpoint = message.endpoint
            if endpoint is None or not endpoint.active:
                parcel.problem = "the endpoint is disabled"
            else:
                parcel.content.update(url=endpoint.url, secret=webhooks.secret_of(endpoint))
    except sealing.Unsealable as error:
        parcel.problem = str(error)
    return parcel


def deliver(parcel: Parcel, config: Mapping[str, Any], settings: Settings) -> webhooks.Outcome:
    """Send one parcel; never raises for a failed send."""
    content = parcel.content
    if parcel.channel == "email":
        try:
            mail.send(config, content["to"], content["subject"], content["body"])
        except mail.MailError as error:
            return webhooks.Outcome(False, None, str(error)[:500])
        return webhooks.Outcome(True, None, None)
    if parcel.channel == "sms":
        try:
            sms_gateway.provider(config).send(content["to"], content["text"])
        except (sms_gateway.SmsError, OSError) as error:
            return webhooks.Outcome(False, None, str(error)[:500])
        return webhooks.Outcome(True, None, None)
    return webhooks.post(content["url"], content["secret"], content["body"].encode(), event=parcel.event,
                         delivery_id=str(parcel.id), timeout=settings.webhook_timeout)


def _finish(session: AnySession, parcel: Parcel, outcome: webhooks.Outcome, settings: Settings,
            started: datetime, final: bool) -> str:
    message = session.get_one(OutboxMessage, parcel.id)
    now = datetime.now(UTC)
    message.attempts += 1
    session.add(DeliveryAttempt(message_id=message.id, endpoint_id=message.endpoint_id,
                                number=message.attempts, at=started, ok=outcome.ok,
                                status_code=outcome.status_code, error=outcome.error,
                                duration_ms=int((now - started).total_seconds() * 1000)))
    message.locked_by = message.locked_until = None
    if outcome.ok:
        message.status, message.sent_at, message.sealed, message.last_error = "sent", now, None, None
    elif final or message.attempts >= settings.max_attempts:
        message.status, message.last_error = "failed", outcome.error
    else:
        message.last_error = outcome.error
        message.next_attempt_at = now + settings.delay(message.attempts, message.id)
    session.commit()
    return "sent" if outcome.ok else message.status if message.status == "failed" else "retry"


@dataclass
class Tally:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.retry + self.failed


def run_once(session: AnySession, config: Mapping[str, Any], *, worker: str, limit: int = 50) -> Tally:
    """Claim what is due, send it, record every attempt. Commits after each message."""
    settings = Settings.from_config(config)
    tally = Tally()
    for message_id in claim(session, settings, worker=worker, limit=limit):
        message = session.get(OutboxMessage, message_id)
        if message is None:
            continue
        parcel = _parcel(session, message)
        session.commit()  # nothing is held while the receiver answers
        started = datetime.now(UTC)
        if parcel.problem:
            outcome = webhooks.Outcome(False, None, parcel.problem)
        else:
            outcome = deliver(parcel, config, settings)
        result = _finish(session, parcel, outcome, settings, started, final=bool(parcel.problem))
        setattr(tally, result, getattr(tally, result) + 1)
        tally.by_channel[parcel.channel] = tally.by_channel.get(parcel.channel, 0) + 1
    return tally


def retry_failed(session: AnySession, *, endpoint_id: int | None = None) -> int:
    """Put failed messages back in the queue, attempts counted from zero again."""
    query = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if endpoint_id is not None:
        query = query.where(OutboxMessage.endpoint_id == endpoint_id)
    result = session.execute(query.values(status="pending", attempts=0, next_attempt_at=datetime.now(UTC))
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counts(session: AnySession) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: int(n) for status, n in rows}


def reseal_all(session: AnySession) -> int:
    """Re-encrypt every sealed message not yet sent with the first key of the ring."""
    count = 0
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.sealed.is_not(None))):
        message.sealed = sealing.reseal(message.sealed or "")
        count += 1
    session.flush()
    return count
