"""What each page shows, assembled from the reporting functions (views stay thin)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from survey.administration.units import UnitTree
from survey.extensions import AnySession
from survey.models import DossierVolume, Procedure, Sector, SectorGroup, ServicePoint, Unit
from survey.periods import Period, series
from survey.reporting import applicability, queries, ranking, sectors, stats
from survey.reporting.groups import (
    Group,
    Settings,
    base_scope,
    breakdown,
    trend,
    unit_group,
    units_groups,
)

BREAKDOWNS = ("procedure", "sector", "service_point", "channel")
TREND_LENGTH = {"month": 12, "quarter": 8}


@dataclass
class AgencyDashboard:
    unit: Unit
    period: Period
    group: Group
    trend: list[Group]
    breakdowns: dict[str, list[Group]]
    problems: list[tuple[str, int]]
    comments: list[tuple[Any, ...]]
    drop: stats.FallAlert | None
    pending_drop: stats.FallAlert | None = None
    """A fall on too few answers after it to alert (``stats.pending_drop``): too early to judge."""


def names(session: AnySession, dimension: str) -> dict[object, str]:
    if dimension == "procedure":
        return {i: f"{c} {n}" for i, c, n in session.execute(
            select(Procedure.id, Procedure.code, Procedure.name))}
    model = {"sector": Sector, "service_point": ServicePoint}.get(dimension)
    if model is None:
        return {}
    return dict(session.execute(select(model.id, model.name)).all())  # type: ignore[attr-defined]


def agency(session: AnySession, tree: UnitTree, unit: Unit, period: Period, settings: Settings,
           *, trend_kind: str = "month", read_comments: bool = True,
           comments_before: datetime | None = None) -> AgencyDashboard:
    """The agency dashboard. Comments only if ``read_comments`` (the caller asks
    :func:`survey.administration.access.may_read_comments`), written before ``comments_before``."""
    ids = tree.rollup(unit.id)
    scope = base_scope(ids, period)
    last = period if period.kind == trend_kind else _last_of(period, trend_kind)
    periods = series(last, TREND_LENGTH.get(trend_kind, 12))
    over_time = trend(session, scope, periods, settings)
    counted = ([g.counts.s for g in over_time], [g.counts.n for g in over_time],
               [g.label for g in over_time])
    drop = stats.detect_drop(*counted)
    return AgencyDashboard(
        unit=unit, period=period, group=unit_group(session, tree, unit, period, settings),
        trend=over_time,
        breakdowns={d: breakdown(session, scope, d, names(session, d), settings) for d in BREAKDOWNS},
        problems=queries.problem_tallies(session, scope),
        comments=queries.comments(session, scope, before=comments_before) if read_comments else [],
        drop=drop, pending_drop=None if drop else stats.pending_drop(*counted),
    )


def _last_of(period: Period, kind: str) -> Period:
    from survey.periods import label_for, parse_period

    return parse_period(label_for(period.end, kind))


SORTS = {
    "code": lambda g: g.key, "name": lambda g: g.label, "n": lambda g: g.counts.n,
    "estimate": lambda g: g.satisfaction.value if g.satisfaction else -1,
    "low": lambda g: g.satisfaction.ci_low if g.satisfaction else -1,
}


@dataclass
class ProvinceView:
    period: Period
    province: Group
    units: list[Group]
    shrunk: dict[object, float | None]
    funnel: stats.FunnelLimits | None
    target: float | None
    sector_groups: list[tuple[SectorGroup, Group, list[Any]]]
    channels: list[Group]
    weighted: stats.WeightedEstimate | None
    decision_766: Any
    volumes: int = 0
    missing_volumes: list[str] = field(default_factory=list)


def province(session: AnySession, tree: UnitTree, root: Unit, period: Period, settings: Settings,
             *, sort: str = "code", descending: bool = False) -> ProvinceView:
    units = tree.open_during(period, ("department", "commune"))
    groups = units_groups(session, tree, units, period, settings, components=False, disjoint=True)
    shrunk = compared(tree, groups, sort, descending)
    whole = unit_group(session, tree, root, period, settings, components=False)
    target = whole.headline.target.threshold if whole.headline else None
    weighted, d766, have, missing = _weighting(session, groups, units, period, settings)
    return ProvinceView(
        period=period, province=whole, units=groups, shrunk=shrunk,
        funnel=funnel_for(target, groups), target=target,
        sector_groups=sector_groups(session, tree, root, period, settings),
        channels=breakdown(session, base_scope(tree.rollup(root.id), period), "channel", {},
                           settings),
        weighted=weighted, decision_766=d766, volumes=have, missing_volumes=missing,
    )


@dataclass
class RankingView:
    """The yearly ranking of every level (a page of its own: a year's league table is redrawn
    from every unit's answers of the year, which the province view of a period does not need)."""

    period: Period
    rankings: list[ranking.RankTable]


def yearly_ranking(session: AnySession, tree: UnitTree, period: Period,
                   settings: Settings) -> RankingView:
    """The ranking of the calendar year that contains ``period``."""
    return RankingView(ranking.year_of(period), ranking.yearly(session, tree, period, settings))


def compared(tree: UnitTree, groups: list[Group], sort: str = "code",
             descending: bool = False) -> dict[object, float | None]:
    """Sort units compared with one another; their estimates shrunk, each level towards its own
    mean as in the ranking (the province view and the sector departments' view)."""
    groups.sort(key=SORTS.get(sort, SORTS["code"]), reverse=descending)
    shrunk: dict[object, float | None] = {}
    for level in ranking.LEVELS:
        same = [g for g in groups if tree.by_code[str(g.key)].level == level]
        shrunk.update(zip([g.key for g in same],
                          stats.shrink([g.counts.s for g in same], [g.counts.n for g in same]),
                          strict=True))
    return shrunk


def funnel_for(target: float | None, groups: list[Group]) -> stats.FunnelLimits | None:
    """The funnel plot's control limits around ``target``, up to the largest unit's n."""
    ns = [g.counts.n for g in groups if g.counts.n]
    if target is None or not ns:
        return None
    top = max(ns)
    return stats.funnel_limits(target, [max(5.0, top * i / 60) for i in range(1, 61)])


def _weighting(session: AnySession, groups: list[Group], units: list[Unit], period: Period,
               settings: Settings) -> tuple[stats.WeightedEstimate | None, Any, int, list[str]]:
    rows = session.execute(select(DossierVolume.unit_id, DossierVolume.dossiers,
                                  DossierVolume.dossiers_unsatisfied)
                           .where(DossierVolume.period == period.label)).all()
    volume = {unit_id: (d, u) for unit_id, d, u in rows}
    by_code = {g.key: g for g in groups}
    satisfied, answered, dossiers, missing = [], [], [], []
    for unit in units:
        group = by_code[unit.code]
        if unit.id not in volume:
            if group.counts.n:
                missing.append(unit.code)
            continue
        satisfied.append(group.counts.s)
        answered.append(group.counts.n)
        dossiers.append(float(volume[unit.id][0]))
    total = sum(d for d, _u in volume.values())
    unsatisfied = sum(u or 0 for _d, u in volume.values())
    if missing or not dossiers:
        return None, stats.decision_766(total, unsatisfied), len(volume), missing
    return (stats.weighted(satisfied, answered, dossiers, settings.level),
            stats.decision_766(total, unsatisfied), len(volume), missing)


def sector_groups(session: AnySession, tree: UnitTree, root: Unit, period: Period,
                   settings: Settings) -> list[tuple[SectorGroup, Group, list[Any]]]:
    """Each sector group with its overall satisfaction, judged against its own targets.

    A group of health or education alone counts that sector's answers
    (:func:`survey.reporting.sectors.population`) and is judged against the plans' public health
    and education target on them, so health and education are reported apart."""
    ids = tree.rollup(root.id)
    base = base_scope(ids, period)
    plans = {a.target.id: a for a in applicability.applicable(  # a target once, not once a part
        session, base, root.jurisdiction, period, level=root.level)}.values()
    out = []
    for sector_group in session.scalars(select(SectorGroup).order_by(SectorGroup.code)):
        codes = {s.code for s in sector_group.sectors}
        own = bool(codes) and codes <= set(sectors.CODES)
        scope = (sectors.population(session, base, sorted(codes)) if own
                 else replace(base, sector_ids=[s.id for s in sector_group.sectors]))
        whole = Group(sector_group.code, sector_group.name)
        whole.counts = queries.overall_counts(session, scope).get(()) or whole.counts
        whole.responses = whole.counts.responses
        whole.satisfaction = stats.satisfaction(whole.counts, settings.level)
        checks = []
        for applicable in plans:
            if not _covers(applicable, codes, own):
                continue
            estimate = (whole.satisfaction if own else stats.satisfaction(
                queries.overall_counts(session, applicable.scope).get(()), settings.level))
            checks.append((applicable.target, estimate,
                           stats.judge(estimate, applicable.target.threshold, applicable.operator,
                                       settings.min_n)))
        out.append((sector_group, whole, checks))
    return out


def _covers(applicable: applicability.Applicable, codes: set[str], own: bool) -> bool:
    target = applicable.target
    if own:  # the plans' public-services target is judged on each sector apart, never on both
        apart = len(codes) == 1 or target.object != sectors.PUBLIC_SERVICES
        return apart and any(sectors.covers(target, c) for c in codes)
    return set((target.sector_group or "").split("+")) == codes
