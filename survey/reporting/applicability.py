"""Which statutory targets apply to a group, and which responses each one measures.

A target row names a jurisdiction, a period, an object and optionally a sector group:

- ``agency_service``: overall satisfaction with the unit (all its responses);
- ``procedures``: overall satisfaction of responses about a procedure (TTHC), restricted to the
  target's sector group when it names one (``land+construction+investment``: codes joined by '+');
- ``public_health_education``: responses in the health or education sectors, or answers to the
  ``health-short``/``education-short`` instruments;
- ``procedure_results``: the ``result`` component index (with the same sector-group restriction).

Jurisdiction: a group belongs to the jurisdiction of its root unit (``Unit.jurisdiction``). Since
the merger of 2025-07-01 the units of the former Hậu Giang and Sóc Trăng provinces that carry on
belong to ``can_tho``; the closed units keep ``hau_giang``/``soc_trang``, so their own history
is judged against their own province's plans, while the rolled-up history of a successor is judged
against the merged city's plans. A target applies when its period overlaps the reporting period.

Services: a target about some services applies only to a group that delivers them
(:func:`delivers`). The health-and-education target applies where the group has a hospital or a
school among its service points, a procedure of the health or education sector, or answers
about those services in the period; a target naming a sector group, where the group has a
procedure of one of its sectors or answers in them. So a department of justice is never judged
on the health-and-education target, nor on the land target.

Level: a target may name the levels of government it is about (``Target.levels``, e.g.
``department+commune``; empty: every level), and is then judged only for groups whose root unit
is of such a level. The seed plans name none, so the service rule above does most of the work.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from survey.extensions import AnySession
from survey.models import Procedure, Sector, ServicePoint, Target
from survey.periods import Period
from survey.reporting import queries
from survey.reporting.queries import Scope

HEALTH_EDUCATION_SECTORS = ("health", "education")
HEALTH_EDUCATION_INSTRUMENTS = ("health-short", "education-short")
HEALTH_EDUCATION_POINTS = ("hospital", "school")


@dataclass(frozen=True)
class Applicable:
    """A target, the measure it is judged on (``overall`` or ``result``) and its population."""

    target: Target
    measure: str
    scope: Scope

    @property
    def operator(self) -> str:
        return self.target.operator


def targets_for(session: AnySession, jurisdiction: str, period: Period) -> list[Target]:
    query = (select(Target)
             .where(Target.jurisdiction == jurisdiction, Target.period_start <= period.end,
                    Target.period_end >= period.start)
             .order_by(Target.object, Target.sector_group, Target.code))
    return list(session.scalars(query))


def sector_ids(session: AnySession, codes: list[str]) -> list[int]:
    return list(session.scalars(select(Sector.id).where(Sector.code.in_(codes))))


def for_level(target: Target, level: str | None) -> bool:
    """Whether the target is about units of ``level`` (a target naming no level is about all)."""
    return level is None or not target.levels or level in target.levels.split("+")


def applicable(session: AnySession, base: Scope, jurisdiction: str, period: Period,
               *, objects: tuple[str, ...] | None = None,
               level: str | None = None) -> list[Applicable]:
    """Every target of ``jurisdiction`` overlapping ``period`` and about ``level`` (when given),
    with the scope it measures."""
    out = []
    for target in targets_for(session, jurisdiction, period):
        if objects is not None and target.object not in objects:
            continue
        if not for_level(target, level):
            continue
        population = _population(session, base, target)
        if not delivers(session, base, target, population):
            continue
        out.append(Applicable(target, "result" if target.object == "procedure_results"
                              else "overall", population))
    return out


def delivers(session: AnySession, base: Scope, target: Target, population: Scope) -> bool:
    """Whether the units of ``base`` deliver the services ``target`` is about (module notes)."""
    kinds: tuple[str, ...]
    if target.object == "public_health_education":
        codes, kinds = list(HEALTH_EDUCATION_SECTORS), HEALTH_EDUCATION_POINTS
    elif target.sector_group:
        codes, kinds = target.sector_group.split("+"), ()
    else:
        return True
    units = None if base.unit_ids is None else list(base.unit_ids)
    if kinds:
        points = select(ServicePoint.id).where(ServicePoint.kind.in_(kinds))
        if units is not None:
            points = points.where(ServicePoint.unit_id.in_(units))
        if session.execute(points.limit(1)).first() is not None:
            return True
    owned = select(Procedure.id).join(Sector).where(Sector.code.in_(codes))
    if units is not None:
        owned = owned.where(Procedure.unit_id.in_(units))
    if session.execute(owned.limit(1)).first() is not None:
        return True
    counts = queries.overall_counts(session, population).get(())
    return counts is not None and counts.responses > 0


def _population(session: AnySession, base: Scope, target: Target) -> Scope:
    if target.object == "public_health_education":
        return replace(base, sector_ids=sector_ids(session, list(HEALTH_EDUCATION_SECTORS)),
                       instrument_keys=HEALTH_EDUCATION_INSTRUMENTS)
    sectors = None
    if target.sector_group:
        sectors = sector_ids(session, target.sector_group.split("+"))
    return replace(base, sector_ids=sectors,
                   with_procedure=target.object in ("procedures", "procedure_results"))

