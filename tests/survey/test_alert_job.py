"""The monthly alert evaluation: a unit whose satisfaction fell is raised once (webhook through the
outbox, and the audit log), a steady unit is not, and a second evaluation raises nothing new."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from survey.extensions import db
from survey.messaging import webhooks
from survey.models import AuditEntry, OutboxMessage
from survey.operations import alerts
from tests.factories import make_unit
from tests.helpers import many

MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]  # the twelve months before December 2026


def test_a_fall_is_raised_once_and_a_steady_unit_is_not(app_context):
    falling, steady = make_unit(db.session, name="Phường giảm"), make_unit(db.session, name="Phường đều")
    for i, (year, month) in enumerate(MONTHS):
        when = datetime(year, month, 10, 3, 0, tzinfo=UTC)
        many(db.session, falling, 19 if i < 7 else 8, 1 if i < 7 else 12, when=when)
        many(db.session, steady, 18, 2, when=when)
    webhooks.create_endpoint(db.session, None, label="IOC", url="http://127.0.0.1:9/hook",
                             events=["alert.raised"])
    first = alerts.evaluate(db.session, today=date(2026, 12, 1))
    assert first["alerts"] == 1
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "alert.raised"))
    body = message.payload
    text = str(body)
    assert falling.code in text
    assert steady.code not in text
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.raised"))
    assert entry.object_id == str(falling.id)
    assert entry.after["rate_before"] == 0.95
    assert entry.after["rate_after"] < 0.5
    assert alerts.evaluate(db.session, today=date(2026, 12, 1))["alerts"] == 0
