"""The audit log: every administrative change, who made it, when, before and after.

Append-only and hash-chained: each entry's ``hash`` is the SHA-256 of the previous entry's hash
followed by the canonical JSON of its own fields, and the first entry's ``prev_hash`` is 64 zeros.
Editing or deleting a row breaks the chain at that row, which :func:`verify` reports
(``flask --app wsgi audit verify``). Deleting the newest rows leaves a shorter valid chain, so
the command prints the head hash, and every printed report carries it next to its signatures:
``audit verify --anchor HASH`` then fails if the entry with that hash is no longer in the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from survey.extensions import AnySession
from survey.models import AuditEntry, User

GENESIS = "0" * 64
AUDIT_LOCK = 0x617564697400  # the advisory lock key that serialises appends on PostgreSQL ("audit")


def _plain(value: Any) -> Any:
    """JSON-safe copies of snapshot values (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def canonical(entry: AuditEntry) -> str:
    """The entry's fields as canonical JSON (sorted keys, no spaces, UTC time to the microsecond)."""
    fields = {
        "at": entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user_id": entry.user_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def record(
    session: AnySession,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Flushes, never commits (it joins the change it records).

    ``actor`` is the member of staff who made the change (None for a command or a scheduled
    job). Every service that changes something records its own entry, in the transaction of
    the change, so a view or a command never has to remember to.
    """
    if session.get_bind().dialect.name == "postgresql":
        # One appender at a time: FOR UPDATE on the last row does not stop a second writer from
        # reading the same last row once the first commits, which would fork the chain. (SQLite
        # writers are already serialised by BEGIN IMMEDIATE.)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = head(session)
    user_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        at=datetime.now(UTC),
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=_plain(before),
        after=_plain(after),
        prev_hash=last,
    )
    entry.hash = chain_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def head(session: AnySession) -> str:
    """The hash of the newest entry (64 zeros for an empty log), to be kept outside the database."""
    return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS


def verify(session: AnySession, anchors: Iterable[str] = ()) -> Verification:
    """Walk the chain in order; name every entry whose link or content does not match.

    ``anchors`` are head hashes kept elsewhere (printed on a report, noted by an auditor); each
    must still be in the chain, or entries were removed from its end since.
    """
    problems: list[str] = []
    missing = {anchor.strip().lower() for anchor in anchors} - {GENESIS}
    prev, count = GENESIS, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        count += 1
        missing.discard(entry.hash)
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.id}: previous entry missing or changed (chain broken)")
        if chain_hash(entry.prev_hash, entry) != entry.hash:
            problems.append(f"entry {entry.id}: content does not match its hash (edited)")
        prev = entry.hash
    problems += [
        f"anchor {anchor}: no entry has this hash (entries removed from the end of the chain, "
        "or the hash is not from this log)"
        for anchor in sorted(missing)
    ]
    return Verification(entries=count, head=prev, problems=problems)


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a model, for an entry's ``before`` or ``after``."""
    return {name: _plain(getattr(obj, name)) for name in fields}
