"""The monthly alert evaluation: which units' satisfaction began to fall, raised once each.

For every open unit, the twelve months ending with the last full month are counted in one
grouped query (summed along each unit's roll-up) and handed to
:func:`survey.reporting.stats.detect_drop` (the change-point alert whose false-alarm rate SPEC §4
bounds; a fall on fewer than ``analysis.MIN_AFTER`` answers after it is not raised).
A fall found is raised as ``alert.raised`` (webhooks, through the outbox) and written to the
audit log, which is also what keeps the same fall of the same unit from being raised twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from survey.administration import access, audit
from survey.extensions import AnySession
from survey.messaging.events import alert_payload, notify
from survey.models import AuditEntry, Unit
from survey.periods import label_for, parse_period, series
from survey.reporting import queries, stats
from survey.reporting.queries import OverallCounts, Scope

MONTHS = 12


def evaluate(session: AnySession, *, today: date) -> dict[str, int]:
    """Raise an alert for each unit whose fall began in the last ``MONTHS`` full months."""
    periods = series(parse_period(label_for(today.replace(day=1) - timedelta(days=1), "month")), MONTHS)
    counts = queries.overall_counts(session, Scope(buckets=tuple(periods)), ("unit", "period"))
    tree = access.tree(session)
    done = {"units": 0, "alerts": 0}
    for unit in session.scalars(select(Unit).where(Unit.valid_to.is_(None)).order_by(Unit.code)):
        done["units"] += 1
        series_counts = []
        for period in periods:
            total = OverallCounts()
            for member in tree.rollup(unit.id):
                part = counts.get((member, period.label))
                if part is not None:
                    total.add(part)
            series_counts.append(total)
        fall = stats.detect_drop([c.s for c in series_counts], [c.n for c in series_counts],
                                 [p.label for p in periods])
        began = fall.start if fall is not None else None
        if began is not None and not _raised(session, unit, began):
            _raise(session, unit, began, [p.label for p in periods], series_counts)
            done["alerts"] += 1
    return done


def _raised(session: AnySession, unit: Unit, began: str) -> bool:
    entries = session.scalars(select(AuditEntry.after).where(
        AuditEntry.action == "alert.raised", AuditEntry.object_type == "unit",
        AuditEntry.object_id == str(unit.id)))
    return any((after or {}).get("period") == began for after in entries)


def _raise(session: AnySession, unit: Unit, began: str, labels: list[str],
           counts: list[OverallCounts]) -> None:
    cut = labels.index(began)
    before, after = OverallCounts(), OverallCounts()
    for i, part in enumerate(counts):
        (before if i < cut else after).add(part)
    payload = alert_payload(
        unit_code=unit.code, unit_name=unit.name, period=began, measure="satisfaction",
        before=before.s / before.n if before.n else 0.0, after=after.s / after.n if after.n else 0.0,
        n_before=before.n, n_after=after.n, method="change-point")
    notify(session, "alert.raised", payload, about=f"unit:{unit.id}")
    audit.record(session, actor=None, action="alert.raised", object_type="unit", object_id=unit.id,
                 after={"period": began, "rate_before": round(payload["before"], 4),
                        "rate_after": round(payload["after"], 4)})
