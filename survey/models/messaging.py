"""The outbox (every e-mail, SMS and webhook the system sends), its delivery log, and webhook
endpoints. See :mod:`survey.messaging`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Base
from survey.models.types import UtcDateTime, utcnow

OUTBOX_CHANNELS = ("email", "sms", "webhook")
OUTBOX_STATUSES = ("pending", "sent", "failed", "cancelled")


class WebhookEndpoint(Base):
    """A receiver (a provincial IOC, the one-stop software) and the events it follows.

    The signing secret is kept sealed (:mod:`survey.sealing`): it must be read to sign.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret_sealed: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxMessage(Base):
    """One message to send, written in the transaction of the change it reports.

    ``payload`` holds what may be kept in clear (a staff e-mail, a webhook body); ``sealed`` what
    may not (a citizen's address and the reply to them), wiped once sent. ``dedupe_key`` makes
    a message that may be written twice (a nightly warning, a digest) go out once. A worker
    claims a message by setting ``locked_until`` in a conditional UPDATE, so several workers
    never send the same message at once.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms', 'webhook')", name="channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'cancelled')", name="status"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_about", "about"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    event: Mapped[str] = mapped_column(String(60))
    about: Mapped[str | None] = mapped_column(String(60))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    endpoint: Mapped[WebhookEndpoint | None] = relationship()


class DeliveryAttempt(Base):
    """One try at sending a message: when, whether it worked, the receiver's status or error."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    number: Mapped[int]
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]

    message: Mapped[OutboxMessage] = relationship()
