"""Gaming detection: flag responses that look inflated, and let Sở Nội vụ exclude them, reversibly.

Three checks, each setting ``Response.flag`` on responses not flagged yet (a flag is never cleared
by a scan, and a scan never excludes anything by itself):

- ``burst``: a kiosk recorded ``burst_size`` or more top ratings (overall 5) within
  ``burst_seconds``. A citizen needs about half a minute for the short survey, so five "very
  satisfied" in a minute at one desk is someone pressing the screen.
- ``off_hours``: a kiosk rating recorded when the office is closed (local time, outside the
  configured opening hours or days). Phone answers are not checked: citizens answer from home.
- ``volume``: a unit has more responses in a period than ``volume_ratio`` times the dossiers it
  handled in that period (``DossierVolume``), and at least ``volume_min`` of them.

An administrator then excludes (or includes again) a flagged response or a batch of them; the
indices leave out ``excluded`` responses, and every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from survey.administration import audit
from survey.collection import cells
from survey.extensions import AnySession
from survey.models import DossierVolume, Kiosk, Response, Unit, User
from survey.periods import LOCAL, bounds, parse_period

CHUNK = 500  # ids per IN (...) list: SQLite allows a limited number of variables


@dataclass(frozen=True)
class Rules:
    """The thresholds of the checks (``INTEGRITY_*`` settings)."""

    opens: time = time(7, 0)
    closes: time = time(17, 30)
    open_days: frozenset[int] = frozenset(range(1, 7))  # ISO weekdays: Monday 1 … Saturday 6
    burst_size: int = 5
    burst_seconds: int = 60
    volume_ratio: float = 1.2
    volume_min: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Rules:
        opens, closes = (time.fromisoformat(t.strip()) for t in config["INTEGRITY_OPENING_HOURS"].split("-"))
        return cls(
            opens=opens, closes=closes, open_days=frozenset(config["INTEGRITY_OPENING_DAYS"]),
            burst_size=config["INTEGRITY_BURST_SIZE"], burst_seconds=config["INTEGRITY_BURST_SECONDS"],
            volume_ratio=config["INTEGRITY_VOLUME_RATIO"], volume_min=config["INTEGRITY_VOLUME_MIN"],
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(LOCAL)
        return local.isoweekday() in self.open_days and self.opens <= local.time() < self.closes


def scan(session: AnySession, rules: Rules, *, since: datetime | None = None,
         actor: User | None = None) -> dict[str, int]:
    """Run every check on responses submitted since ``since`` (all when None); flush, never commit.

    Returns how many responses each check newly flagged.
    """
    found = {
        "burst": _bursts(session, rules, since),
        "off_hours": _off_hours(session, rules, since),
        "volume": _over_volume(session, rules, since),
    }
    counts = {flag: _set_flag(session, ids, flag) for flag, ids in found.items()}
    if any(counts.values()):
        audit.record(session, actor=actor, action="integrity.scan", object_type="response", after=counts)
    session.flush()
    return counts


def _kiosk_rows(session: AnySession, since: datetime | None) -> list[Any]:
    query = (select(Response.id, Response.kiosk_id, Response.submitted_at, Response.overall)
             .where(Response.kiosk_id.is_not(None), Response.flag.is_(None))
             .order_by(Response.kiosk_id, Response.submitted_at))
    if since is not None:
        query = query.where(Response.submitted_at >= since)
    return list(session.execute(query))


def _bursts(session: AnySession, rules: Rules, since: datetime | None) -> set[str]:
    """Responses in a window of ``burst_size`` consecutive top ratings at one kiosk within seconds."""
    flagged: set[str] = set()
    run: list[Any] = []  # consecutive top ratings of one kiosk
    window = timedelta(seconds=rules.burst_seconds)
    for row in [*_kiosk_rows(session, since), None]:
        if row is not None and row.overall == 5 and (not run or run[-1].kiosk_id == row.kiosk_id):
            run.append(row)
            continue
        start = 0
        for end in range(len(run)):
            while run[end].submitted_at - run[start].submitted_at > window:
                start += 1
            if end - start + 1 >= rules.burst_size:
                flagged.update(r.id for r in run[start:end + 1])
        run = [row] if row is not None and row.overall == 5 else []
    return flagged


def _off_hours(session: AnySession, rules: Rules, since: datetime | None) -> set[str]:
    return {row.id for row in _kiosk_rows(session, since) if not rules.is_open(row.submitted_at)}


def _over_volume(session: AnySession, rules: Rules, since: datetime | None) -> set[str]:
    """Every response of a unit and period whose count is far above the dossiers handled."""
    flagged: set[str] = set()
    for volume in session.scalars(select(DossierVolume)):
        start, end = bounds(parse_period(volume.period))
        if since is not None and end <= since:
            continue
        in_period = (Response.unit_id == volume.unit_id, Response.submitted_at >= start,
                     Response.submitted_at < end)
        ids = list(session.scalars(select(Response.id).where(*in_period)))
        if len(ids) >= rules.volume_min and len(ids) > rules.volume_ratio * volume.dossiers:
            flagged.update(session.scalars(select(Response.id).where(*in_period, Response.flag.is_(None))))
    return flagged


def _set_flag(session: AnySession, ids: Iterable[str], flag: str) -> int:
    ids = sorted(ids)
    changed = 0
    for i in range(0, len(ids), CHUNK):
        result = session.execute(
            update(Response).where(Response.id.in_(ids[i:i + CHUNK]), Response.flag.is_(None))
            .values(flag=flag).execution_options(synchronize_session=False)
        )
        changed += result.rowcount  # type: ignore[attr-defined]
    return changed


# --- review -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Flagged responses of one check, one unit, one kiosk and one local day (a month for ``volume``)."""

    key: str
    flag: str
    unit: str
    kiosk: str | None
    label: str
    count: int
    excluded: int
    first: datetime
    last: datetime


def _batch_key(flag: str, unit_id: int, kiosk_id: int | None, moment: datetime) -> tuple[str, str]:
    local = moment.astimezone(LOCAL)
    label = local.strftime("%Y-%m") if flag == "volume" else local.date().isoformat()
    return f"{flag}:{unit_id}:{kiosk_id or 0}:{label}", label


def _flagged_rows(session: AnySession) -> list[Any]:
    return list(session.execute(
        select(Response.id, Response.flag, Response.unit_id, Response.kiosk_id, Response.submitted_at,
               Response.excluded, Response.overall, Unit.name.label("unit"), Kiosk.label.label("kiosk"))
        .join(Unit, Unit.id == Response.unit_id).outerjoin(Kiosk, Kiosk.id == Response.kiosk_id)
        .where(Response.flag.is_not(None)).order_by(Response.submitted_at)
    ))


def batches(session: AnySession) -> list[Batch]:
    """Every batch of flagged responses, newest first."""
    groups: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}
    for row in _flagged_rows(session):
        key, labels[key] = _batch_key(row.flag, row.unit_id, row.kiosk_id, row.submitted_at)
        groups.setdefault(key, []).append(row)
    found = [
        Batch(key=key, flag=rows[0].flag, unit=rows[0].unit, kiosk=rows[0].kiosk, label=labels[key],
              count=len(rows), excluded=sum(1 for r in rows if r.excluded),
              first=rows[0].submitted_at, last=rows[-1].submitted_at)
        for key, rows in groups.items()
    ]
    return sorted(found, key=lambda b: b.last, reverse=True)


def batch_responses(session: AnySession, key: str) -> list[Any]:
    """The flagged responses of batch ``key`` (empty when there is no such batch)."""
    return [row for row in _flagged_rows(session)
            if _batch_key(row.flag, row.unit_id, row.kiosk_id, row.submitted_at)[0] == key]


def set_excluded(session: AnySession, actor: User | None, *, excluded: bool, batch: str | None = None,
                 response_id: str | None = None) -> int:
    """Exclude (or include again) a flagged response or a whole batch; audited; flush, never commit.

    Returns how many responses changed. Responses that are not flagged are never touched.
    """
    if batch is not None:
        ids = [row.id for row in batch_responses(session, batch) if row.excluded != excluded]
    else:
        ids = list(session.scalars(select(Response.id).where(
            Response.id == response_id, Response.flag.is_not(None), Response.excluded.is_not(excluded))))
    mark_excluded(session, ids, excluded=excluded)
    if ids:
        action = "integrity.exclude" if excluded else "integrity.include"
        audit.record(session, actor=actor, action=action, object_type="response",
                     object_id=batch or response_id, before={"excluded": not excluded, "responses": ids},
                     after={"excluded": excluded, "responses": ids})
    session.flush()
    return len(ids)


def mark_excluded(session: AnySession, ids: list[str], *, excluded: bool) -> None:
    """Set ``excluded`` on responses whose state it changes, and their cells with it (no audit:
    :func:`set_excluded` is the audited way in)."""
    for i in range(0, len(ids), CHUNK):
        session.execute(update(Response).where(Response.id.in_(ids[i:i + CHUNK]))
                        .values(excluded=excluded).execution_options(synchronize_session=False))
    cells.apply(session, ids, -1 if excluded else 1)
