"""API tokens for a unit's one-stop software: issued by an administrator, shown once, stored hashed.

A token reaches its unit's roll-up, as the unit's staff do (:mod:`survey.administration.access`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import ApiToken, Unit, User
from survey.security import hash_secret, new_secret

PREFIX = "hl_"
TOKEN_FIELDS = ("unit_id", "label", "revoked_at")


def issue_token(
    session: AnySession, unit: Unit, *, label: str, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``unit``; returns the row and the secret (never stored in clear)."""
    secret = PREFIX + new_secret(32)
    token = ApiToken(unit=unit, label=label.strip()[:120] or unit.code, token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="api_token.create", object_type="api_token",
                 object_id=token.id, after=audit.snapshot(token, TOKEN_FIELDS))
    return token, secret


def token_for_secret(session: AnySession, secret: str) -> ApiToken | None:
    """The unrevoked token whose secret this is (None for anything else)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(select(ApiToken).filter_by(token_hash=hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    return token


def touch(session: AnySession, token: ApiToken) -> None:
    """Record when the token was last used (shown to administrators)."""
    token.last_used_at = datetime.now(UTC)
    session.flush()


def revoke_token(session: AnySession, token: ApiToken, *, actor: User | None = None) -> None:
    if token.revoked_at is not None:
        return
    before = audit.snapshot(token, TOKEN_FIELDS)
    token.revoked_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor=actor, action="api_token.revoke", object_type="api_token",
                 object_id=token.id, before=before, after=audit.snapshot(token, TOKEN_FIELDS))
