"""Which statutory targets apply to a group, and which responses each one measures.

A target row names a jurisdiction, a period, an object and optionally a sector group:

- ``agency_service``: overall satisfaction with the unit (all its responses);
- ``procedures``: overall satisfaction of responses about a procedure (TTHC), restricted to the
  target's sector group when it names one (``land+construction+investment``: codes joined by '+');
- ``public_health_education``: the plans' one threshold for public health and education
  services, judged twice, on the health answers and on the education answers apart
  (:mod:`survey.reporting.sectors`: a sector's procedures, service points and questionnaire), so
  that the two are never reported as one figure (``Applicable.part`` names the sector);
- ``procedure_results``: the ``result`` component index (with the same sector-group restriction).

Jurisdiction: a group belongs to the jurisdiction of its root unit (``Unit.jurisdiction``). Since
the merger of 2025-07-01 the units of the former Hậu Giang and Sóc Trăng provinces that carry on
belong to ``can_tho``; the closed units keep ``hau_giang``/``soc_trang``, so their own history
is judged against their own province's plans, while the rolled-up history of a successor is judged
against the merged city's plans. A target applies when its period overlaps the reporting period.

Services: a target about some services applies only to a group that delivers them
(:func:`delivers`). The health-and-education target applies, for each of the two sectors, where
the group has one of its service points (a hospital, a school), a procedure of the sector, or
answers about it in the period; a target naming a sector group, where the group has a
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
from survey.reporting import queries, sectors
from survey.reporting.queries import Scope


@dataclass(frozen=True)
class Applicable:
    """A target, the measure it is judged on (``overall`` or ``result``) and its population;
    ``part`` is the sector (``health``, ``education``) a public-services target is judged on."""

    target: Target
    measure: str
    scope: Scope
    part: str | None = None

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
        measure = "result" if target.object == "procedure_results" else "overall"
        for part, population in _populations(session, base, target):
            if delivers(session, base, target, population, part):
                out.append(Applicable(target, measure, population, part))
    return out


def delivers(session: AnySession, base: Scope, target: Target, population: Scope,
             part: str | None = None) -> bool:
    """Whether the units of ``base`` deliver the services ``target`` is about (module notes)."""
    kinds: tuple[str, ...]
    if target.object == sectors.PUBLIC_SERVICES:
        codes = [part] if part else list(sectors.CODES)
        kinds = tuple(sectors.SCOPES[c].point_kind for c in codes)
    elif target.sector_group:
        codes = target.sector_group.split("+")
        kinds = tuple(sectors.SCOPES[c].point_kind for c in codes if c in sectors.SCOPES)
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


def _populations(session: AnySession, base: Scope, target: Target) -> list[tuple[str | None, Scope]]:
    """The responses ``target`` measures: one population per sector for the public services."""
    if target.object == sectors.PUBLIC_SERVICES:
        return [(code, sectors.population(session, base, [code])) for code in sectors.CODES]
    about = target.object in ("procedures", "procedure_results")
    if target.sector_group in sectors.SCOPES:
        return [(None, replace(sectors.population(session, base, [target.sector_group]),
                               with_procedure=about))]
    ids = sector_ids(session, target.sector_group.split("+")) if target.sector_group else None
    return [(None, replace(base, sector_ids=ids, with_procedure=about))]

