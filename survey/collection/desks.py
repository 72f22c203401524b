"""Desk sessions: the dossier a desk has just served, and what the desk's kiosk offers without one.

The one-stop software calls ``POST /api/v1/desks/<code>/sessions`` when the officer closes a
dossier (:func:`open_session`); the desk's tablet, polling on its attract screen, picks up the
newest live session (:func:`live_session`) and greets the citizen with the procedure's name.
Its answer names the session by its key, and :func:`answer_context` adds the procedure, the
sector and the dossier HMAC to the kiosk's context, so that the dossier counts once across
channels (the unique ``response_key.dossier_hash``). A session lives ``DESK_SESSION_MINUTES``.

Without a session the kiosk offers an optional first step, "what did you come for", whose
choices are the sectors of the desk's procedures (:func:`service_choices`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, func, select, update

from survey.collection.responses import Context
from survey.collection.signing import dossier_hash
from survey.extensions import AnySession
from survey.models import DeskSession, Procedure, Response, ResponseKey, Sector, ServicePoint
from survey.security import new_secret

CHOICES_MAX = 5  # large buttons on one screen, plus "Khác / bỏ qua"


class SessionConflict(ValueError):
    """The dossier was already told to this desk with another procedure."""


def _life() -> timedelta:
    return timedelta(minutes=current_app.config["DESK_SESSION_MINUTES"])


def open_session(session: AnySession, point: ServicePoint, procedure: Procedure, dossier_code: str,
                 *, now: datetime | None = None) -> tuple[DeskSession, bool]:
    """The desk's session for this dossier, made once; returns (session, created).

    A resend is the same session. A resend after it expired unanswered opens it again for a new
    life. Raises :class:`SessionConflict` when the dossier comes back with another procedure.
    Flushes.
    """
    now = now or datetime.now(UTC)
    digest = dossier_hash(dossier_code)
    row = session.scalar(select(DeskSession).filter_by(service_point_id=point.id, dossier_hash=digest))
    if row is not None:
        if row.procedure_id != procedure.id:
            raise SessionConflict(procedure.code)
        if row.answered_at is None and row.expires_at <= now:
            row.expires_at = now + _life()
            session.flush()
        return row, False
    row = DeskSession(key=new_secret(24), service_point_id=point.id, procedure_id=procedure.id,
                      dossier_hash=digest, created_at=now, expires_at=now + _life())
    session.add(row)
    session.flush()
    return row, True


def answered(session: AnySession, row: DeskSession) -> bool:
    """Whether the dossier of ``row`` has its answer, from this kiosk or on another channel."""
    return row.answered_at is not None or session.scalar(
        select(ResponseKey.response_id).filter_by(dossier_hash=row.dossier_hash)) is not None


@dataclass(frozen=True)
class LiveSession:
    """What the tablet is told: the key to send back, and the procedure to greet with."""

    key: str
    procedure: str


def live_session(session: AnySession, service_point_id: int, *, now: datetime | None = None
                 ) -> LiveSession | None:
    """The desk's newest session that is neither expired nor answered (one indexed query).

    A dossier already answered on another channel (its receipt's QR code) is not offered: the
    kiosk answer would be thanked and not counted.
    """
    now = now or datetime.now(UTC)
    answered = (select(ResponseKey.response_id)
                .where(ResponseKey.dossier_hash == DeskSession.dossier_hash).exists())
    row = session.execute(
        select(DeskSession.key, Procedure.name)
        .join(Procedure, Procedure.id == DeskSession.procedure_id)
        .where(DeskSession.service_point_id == service_point_id, DeskSession.expires_at > now,
               DeskSession.answered_at.is_(None), ~answered)
        .order_by(DeskSession.created_at.desc(), DeskSession.id.desc()).limit(1)
    ).first()
    return LiveSession(key=row[0], procedure=row[1]) if row else None


def answer_context(session: AnySession, context: Context, key: str | None) -> Context:
    """``context`` with the procedure, sector and dossier of the desk session ``key``.

    The session must be this desk's; an unknown key leaves the context as it is (the answer is
    still recorded, without a dossier). An expired session still counts: the answer may have
    waited in the tablet's outbox. Marks the session answered. Flushes.
    """
    if not key or len(key) > 32 or context.service_point_id is None:
        return context
    row = session.scalar(select(DeskSession).filter_by(key=key, service_point_id=context.service_point_id))
    if row is None:
        return context
    sector_id = session.scalar(select(Procedure.sector_id).filter_by(id=row.procedure_id))
    session.execute(update(DeskSession).where(DeskSession.id == row.id, DeskSession.answered_at.is_(None))
                    .values(answered_at=datetime.now(UTC)))
    return replace(context, procedure_id=row.procedure_id, sector_id=sector_id,
                   dossier_hash=row.dossier_hash)


def service_choices(session: AnySession, unit_id: int) -> list[tuple[str, str]]:
    """(sector code, name) of the sectors with the most procedures of the desk's unit.

    Where no procedure names the unit, the sectors with the most procedures overall.
    """
    def top(where: list[ColumnElement[bool]]) -> list[tuple[str, str]]:
        rows = session.execute(
            select(Sector.code, Sector.name).join(Procedure, Procedure.sector_id == Sector.id)
            .where(*where).group_by(Sector.id, Sector.code, Sector.name)
            .order_by(func.count().desc(), Sector.code).limit(CHOICES_MAX)
        ).all()
        return [(code, name) for code, name in rows]
    return top([Procedure.unit_id == unit_id]) or top([])


def chosen_sector(session: AnySession, code: str | None) -> int | None:
    """The id of the sector the citizen picked, if it is one."""
    if not code or len(code) > 40:
        return None
    return session.scalar(select(Sector.id).filter_by(code=code))


@dataclass(frozen=True)
class StepRate:
    """A kiosk's service step over a period: how often it was offered, and answered."""

    offered: int
    chosen: int

    @property
    def share(self) -> float:
        return self.chosen / self.offered if self.offered else 0.0


def service_step_rates(session: AnySession, kiosk_ids: list[int], *, days: int = 30
                       ) -> dict[int, StepRate]:
    """Per kiosk, its service step over the last ``days`` days (for administrators)."""
    if not kiosk_ids:
        return {}
    since = datetime.now(UTC) - timedelta(days=days)
    rows = session.execute(
        select(Response.kiosk_id, Response.service_step, func.count())
        .where(Response.kiosk_id.in_(kiosk_ids), Response.submitted_at >= since,
               Response.service_step.is_not(None))
        .group_by(Response.kiosk_id, Response.service_step)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for kiosk_id, step, n in rows:
        counts.setdefault(int(kiosk_id or 0), {})[str(step)] = n
    return {k: StepRate(offered=sum(c.values()), chosen=c.get("chosen", 0)) for k, c in counts.items()}
