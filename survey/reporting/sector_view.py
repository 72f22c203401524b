"""The sector departments' view: one sector's answers in every unit of the city, compared.

Sở Y tế sees its hospitals and health desks, Sở GD&ĐT its schools, wherever they are in the unit
tree (who may see which sector: :func:`survey.administration.access.visible_sector`). The units
are compared exactly as in the province view (disjoint groups, shrinkage, funnel limits, the
yearly ranking: :func:`survey.reporting.dashboards.compared`), each on its sector's answers only,
and judged against the sector's own targets (:func:`survey.reporting.sectors.covers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from survey.administration.units import UnitTree
from survey.extensions import AnySession
from survey.models import Procedure, Sector, ServicePoint, Unit
from survey.periods import Period
from survey.reporting import applicability, queries, ranking, sectors, stats
from survey.reporting.dashboards import compared, funnel_for, names
from survey.reporting.groups import Check, Group, Settings, base_scope, breakdown, units_groups


@dataclass
class SectorView:
    sector: str
    period: Period
    whole: Group
    units: list[Group]
    shrunk: dict[object, float | None]
    funnel: stats.FunnelLimits | None
    target: float | None
    points: list[Group] = field(default_factory=list)
    rankings: list[ranking.RankTable] = field(default_factory=list)


def delivering(session: AnySession, sector: str) -> set[str]:
    """Codes of the units with one of the sector's service points or procedures."""
    kind = sectors.SCOPES[sector].point_kind
    points = select(Unit.code).join(ServicePoint, ServicePoint.unit_id == Unit.id).where(
        ServicePoint.kind == kind)
    owned = select(Unit.code).join(Procedure, Procedure.unit_id == Unit.id).join(Sector).where(
        Sector.code == sector)
    return set(session.scalars(points)) | set(session.scalars(owned))


def build(session: AnySession, tree: UnitTree, root: Unit, sector: str, period: Period,
          settings: Settings, *, sort: str = "code", descending: bool = False) -> SectorView:
    base = base_scope(tree.rollup(root.id), period)
    within = sectors.population(session, base, [sector])
    ours = delivering(session, sector)
    units = tree.open_during(period, ("department", "commune"))
    groups = [g for g in units_groups(session, tree, units, period, settings, components=False,
                                      disjoint=True, within=within,
                                      judged=lambda t: sectors.covers(t, sector))
              if g.responses or g.key in ours]
    whole = _whole(session, root, sector, period, settings, base, within)
    target = whole.checks[0].target.threshold if whole.checks else None
    return SectorView(
        sector=sector, period=period, whole=whole, units=groups,
        shrunk=compared(tree, groups, sort, descending), funnel=funnel_for(target, groups),
        target=target,
        points=breakdown(session, within, "service_point", names(session, "service_point"),
                         settings),
        rankings=ranking.yearly(session, tree, period, settings, within=within, delivering=ours),
    )


def _whole(session: AnySession, root: Unit, sector: str, period: Period, settings: Settings,
           base: queries.Scope, within: queries.Scope) -> Group:
    """The sector in the whole city, with its components, judged against its targets."""
    group = Group(sector, str(sectors.SCOPES[sector].name))
    group.counts = queries.overall_counts(session, within).get(()) or group.counts
    group.responses = group.counts.responses
    group.satisfaction = stats.satisfaction(group.counts, settings.level)
    group.components, group.sipas = stats.indices(queries.item_sums(session, within).get(()),
                                                  settings.level)
    for applicable in applicability.applicable(session, base, root.jurisdiction, period,
                                               level=root.level):
        if sectors.covers(applicable.target, sector) and applicable.part in (None, sector):
            verdict = stats.judge(group.satisfaction, applicable.target.threshold,
                                  applicable.operator, settings.min_n)
            group.checks.append(Check(applicable.target, "overall", group.satisfaction, verdict,
                                      applicable.part))
    return group
