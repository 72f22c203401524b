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
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from survey.extensions import AnySession
from survey.models import Sector, Target
from survey.periods import Period
from survey.reporting.queries import Scope

HEALTH_EDUCATION_SECTORS = ("health", "education")
HEALTH_EDUCATION_INSTRUMENTS = ("health-short", "education-short")


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


def applicable(session: AnySession, base: Scope, jurisdiction: str, period: Period,
               *, objects: tuple[str, ...] | None = None) -> list[Applicable]:
    """Every target of ``jurisdiction`` overlapping ``period``, with the scope it measures."""
    out = []
    for target in targets_for(session, jurisdiction, period):
        if objects is not None and target.object not in objects:
            continue
        out.append(Applicable(target, "result" if target.object == "procedure_results"
                              else "overall", _population(session, base, target)))
    return out


def _population(session: AnySession, base: Scope, target: Target) -> Scope:
    if target.object == "public_health_education":
        return replace(base, sector_ids=sector_ids(session, list(HEALTH_EDUCATION_SECTORS)),
                       instrument_keys=HEALTH_EDUCATION_INSTRUMENTS)
    sectors = None
    if target.sector_group:
        sectors = sector_ids(session, target.sector_group.split("+"))
    return replace(base, sector_ids=sectors,
                   with_procedure=target.object in ("procedures", "procedure_results"))

