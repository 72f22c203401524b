"""A tablet's outbox as the server sees it: what the tablet reports, and an administrator's discard.

The answers themselves live on the tablet (IndexedDB) until the server acknowledges them. With
every flush, the tablet reports how many are waiting and when the oldest was given; the
administration's kiosk list shows it beside the last contact, so an office whose tablet has
been cut off for a day is noticed. An answer the server refused for good (invalid) stays on the
tablet until an administrator discards it here: nothing a citizen gave is dropped silently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, update

from survey.administration import audit
from survey.collection.kiosks import EnrolledKiosk
from survey.extensions import AnySession
from survey.models import Kiosk, User

KIOSKS: Table = Kiosk.__table__  # type: ignore[assignment]
MAX_WAITING = 100_000  # more than any tablet could hold: a larger figure is noise, not a report
OLDEST_BACK = timedelta(days=365)


def report(session: AnySession, kiosk: EnrolledKiosk, *, waiting: int, oldest_ms: int | None,
           now: datetime | None = None) -> None:
    """Store what the tablet says of its outbox (and the contact itself). Implausible values are
    clamped: the figure is a warning for people, never a count the statistics use."""
    now = now or datetime.now(UTC)
    waiting = min(max(waiting, 0), MAX_WAITING)
    oldest = None
    if waiting and oldest_ms is not None:
        try:
            told = datetime.fromtimestamp(oldest_ms / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            told = now
        oldest = min(max(told, now - OLDEST_BACK), now)
    session.connection().execute(
        update(KIOSKS).where(KIOSKS.c.id == kiosk.id)
        .values(outbox_waiting=waiting, outbox_oldest_at=oldest, last_seen_at=now)
    )


def discard_refused(session: AnySession, actor: User | None, kiosk: Kiosk) -> None:
    """Tell the tablet to drop the answers the server refused for good, given before now. Audited."""
    fields = ("outbox_discard_before",)
    before = audit.snapshot(kiosk, fields)
    kiosk.outbox_discard_before = datetime.now(UTC)
    session.flush()
    audit.record(session, actor=actor, action="kiosk.discard_refused", object_type="kiosk",
                 object_id=kiosk.id, before=before, after=audit.snapshot(kiosk, fields))


def discard_before_ms(kiosk: EnrolledKiosk) -> int | None:
    """The administrator's discard time, in the tablet's milliseconds, if one was set."""
    when = kiosk.outbox_discard_before
    return int(when.timestamp() * 1000) if when else None
