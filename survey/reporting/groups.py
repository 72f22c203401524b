"""Group statistics for dashboards and reports: SQL sums (``queries``) → ``analysis`` (``stats``).

A unit's figures count its roll-up (:meth:`survey.administration.units.UnitTree.rollup`): its
whole dated subtree and the history of the units it succeeded (responses keep the unit they were
given to; a merged ward's past counts for its successor). Where units are compared with one
another (the province view, the funnel plot, shrinkage, ranking) :func:`disjoint_members` cuts
the roll-ups apart, so that no answer counts in two compared groups (SPEC §4): a listed unit's
listed predecessors stand for themselves and the successor keeps only the rest.

How a verdict is decided: each
applicable target (:mod:`survey.reporting.applicability`) is judged by :func:`judge_all`
through :func:`survey.reporting.stats.judge`, which calls ``analysis.verdict``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from survey.administration.units import UnitTree
from survey.extensions import AnySession
from survey.models import DossierVolume, Target, Unit
from survey.periods import Period
from survey.reporting import applicability, queries, stats
from survey.reporting.queries import ItemSums, Key, OverallCounts, Scope


@dataclass(frozen=True)
class Check:
    """One target applied to a group: the estimate it is judged on and the verdict; ``part``
    is the sector a public health and education target was judged on (``health``, ``education``)."""

    target: Target
    measure: str
    estimate: stats.Estimate | None
    verdict: stats.Verdict
    part: str | None = None


@dataclass
class Group:
    """The SPEC §4 figures of one group of responses."""

    key: object
    label: str
    responses: int = 0
    satisfaction: stats.Estimate | None = None
    components: dict[str, stats.Estimate] = field(default_factory=dict)
    items: dict[str, stats.Estimate] = field(default_factory=dict)  # component item rates
    sipas: stats.Estimate | None = None
    counts: OverallCounts = field(default_factory=OverallCounts)
    checks: list[Check] = field(default_factory=list)
    apart: list[str] = field(default_factory=list)  # listed units of the roll-up counted apart

    @property
    def headline(self) -> Check | None:
        """The check on overall satisfaction of the whole group (agency_service), if any."""
        return next((c for c in self.checks if _whole(c.target)), None)


@dataclass(frozen=True)
class Settings:
    level: float = 0.95
    min_n: int = 30

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Settings:
        return cls(float(str(config["CONFIDENCE_LEVEL"])), int(str(config["MIN_N"])))


def base_scope(unit_ids: Sequence[int] | None, period: Period) -> Scope:
    return Scope(unit_ids=unit_ids, start=period.start, end=period.end)


def _fill(group: Group, counts: OverallCounts | None, sums: ItemSums | None, settings: Settings) -> Group:
    group.counts = counts or OverallCounts()
    group.responses = group.counts.responses
    group.satisfaction = stats.satisfaction(counts, settings.level)
    group.components, group.sipas = stats.indices(sums, settings.level)
    group.items = stats.item_rates(sums, settings.level)
    return group


def _measure(session: AnySession, applicable: applicability.Applicable, settings: Settings,
             base: Group) -> stats.Estimate | None:
    if _whole(applicable.target):
        return base.satisfaction
    if applicable.measure == "result":
        sums = queries.item_sums(session, applicable.scope).get(())
        return stats.indices(sums, settings.level)[0].get("result")
    counts = queries.overall_counts(session, applicable.scope).get(())
    return stats.satisfaction(counts, settings.level)


def volumes(session: AnySession, period: Period) -> dict[int, int]:
    """Dossiers per unit id for exactly this period label (none when not imported)."""
    return dict(session.execute(select(DossierVolume.unit_id, DossierVolume.dossiers)
                                .where(DossierVolume.period == period.label)).all())


def dossiers_of(members: Sequence[int], known: dict[int, int]) -> float | None:
    """The dossiers of a group of units; None when none of them has a volume."""
    found = [known[m] for m in members if m in known]
    return float(sum(found)) if found else None


def judge_all(session: AnySession, group: Group, scope: Scope, jurisdiction: str, period: Period,
              settings: Settings, dossiers: float | None = None, level: str | None = None) -> Group:
    """Attach a check for every applicable target (SPEC §4 verdicts).

    ``dossiers`` bounds the answers a page may call needed, for the checks on all the group's
    responses (the others measure a part whose dossiers are unknown)."""
    for applicable in applicability.applicable(session, scope, jurisdiction, period, level=level):
        estimate = _measure(session, applicable, settings, group)
        whole = _whole(applicable.target)
        verdict = stats.judge(estimate, applicable.target.threshold, applicable.operator,
                              settings.min_n, dossiers if whole else None)
        group.checks.append(Check(applicable.target, applicable.measure, estimate, verdict,
                                  applicable.part))
    return group


def unit_group(session: AnySession, tree: UnitTree, unit: Unit, period: Period,
               settings: Settings, *, components: bool = True) -> Group:
    """Headline, components, sipas and every target check of a unit's roll-up in a period."""
    members = tree.rollup(unit.id)
    scope = base_scope(members, period)
    # By raw unit, then summed (the sums are additive): the same grouped queries as the unit's
    # report (:func:`units_groups`), so a dashboard and its downloads read the answers once.
    total, items = roll_up(members, queries.overall_counts(session, scope, ("unit",)),
                           queries.item_sums(session, scope, ("unit",)) if components else {})
    group = _fill(Group(unit.code, unit.name), total if total.responses else None, items, settings)
    return judge_all(session, group, scope, unit.jurisdiction, period, settings,
                     dossiers_of(members, volumes(session, period)), unit.level)


def roll_up(members: Sequence[int], counts: dict[Key, OverallCounts],
            sums: dict[Key, ItemSums]) -> tuple[OverallCounts, ItemSums | None]:
    """The counts and item sums of some raw units (keyed ``(unit_id,)``), added together."""
    total, items = OverallCounts(), None
    for member in members:
        if (member,) in counts:
            total.add(counts[(member,)])
        if (member,) in sums:
            part = sums[(member,)]
            if items is None:
                items = ItemSums.empty(sorted(part.items))
            if not set(part.items) <= set(items.items):
                grown = ItemSums.empty(sorted(set(items.items) | set(part.items)))
                grown.add(items)
                items = grown
            items.add(part)
    return total, items


def disjoint_members(tree: UnitTree, units: Sequence[Unit]) -> dict[int, list[int]]:
    """Each unit's roll-up without the roll-ups of the other listed units inside it.

    A ward that succeeded a listed predecessor keeps its own answers (and those of any unlisted
    predecessor); the predecessor is compared on its own. No unit id appears twice.
    """
    listed = {u.id for u in units}
    full = {u.id: tree.rollup(u.id) for u in units}
    out: dict[int, list[int]] = {}
    for unit in units:
        inner = [v for v in full[unit.id] if v in listed and v != unit.id]
        taken = {m for v in inner for m in full[v]}
        out[unit.id] = [m for m in full[unit.id] if m not in taken]
    return out


def units_groups(session: AnySession, tree: UnitTree, units: Sequence[Unit], period: Period,
                 settings: Settings, *, components: bool = True,
                 unit_ids: Sequence[int] | None = None, disjoint: bool = False,
                 within: Scope | None = None,
                 judged: Callable[[Target], bool] | None = None) -> list[Group]:
    """Many units at once: one grouped query by raw unit, then summed along each roll-up.

    With ``disjoint`` each unit counts :func:`disjoint_members` instead of its whole roll-up,
    for tables whose units are compared with one another. ``within`` narrows every unit to some
    of its answers (a sector's, :mod:`survey.reporting.sectors`) and ``judged`` picks the
    targets they are judged against (default: the whole unit's, ``agency_service``).
    """
    scope = base_scope(unit_ids, period)
    if within is not None:
        scope = replace(within, unit_ids=unit_ids, start=period.start, end=period.end)
    counts = queries.overall_counts(session, scope, ("unit",))
    sums = queries.item_sums(session, scope, ("unit",)) if components else {}
    members = (disjoint_members(tree, units) if disjoint
               else {u.id: tree.rollup(u.id) for u in units})
    listed = {u.id for u in units}
    known = volumes(session, period)
    plans: dict[str, list[Target]] = {}
    out = []
    for unit in units:
        total, items = roll_up(members[unit.id], counts, sums)
        group = _fill(Group(unit.code, unit.name), total, items, settings)
        if disjoint:
            kept = set(members[unit.id])
            group.apart = sorted(tree.units[v].name for v in tree.rollup(unit.id)
                                 if v not in kept and v in listed)
        if unit.jurisdiction not in plans:
            plans[unit.jurisdiction] = applicability.targets_for(session, unit.jurisdiction, period)
        mine = [t for t in plans[unit.jurisdiction] if applicability.for_level(t, unit.level)]
        dossiers = dossiers_of(members[unit.id], known) if within is None else None
        out.append(_headline_only(group, mine, settings, dossiers, judged or _whole))
    return out


def _whole(target: Target) -> bool:
    """A target on all of a unit's answers (one naming a sector group measures that part)."""
    return target.object == "agency_service" and not target.sector_group


def _headline_only(group: Group, plans: list[Target], settings: Settings,
                   dossiers: float | None, judged: Callable[[Target], bool]) -> Group:
    for target in plans:
        if judged(target):
            verdict = stats.judge(group.satisfaction, target.threshold, target.operator,
                                  settings.min_n, dossiers)
            group.checks.append(Check(target, "overall", group.satisfaction, verdict))
    return group


def breakdown(session: AnySession, scope: Scope, dimension: str, names: dict[object, str],
              settings: Settings) -> list[Group]:
    """Overall satisfaction per value of one dimension (procedure, sector, channel …)."""
    counts = queries.overall_counts(session, scope, (dimension,))
    rows = [_fill(Group(key[0], names.get(key[0], str(key[0]) if key[0] is not None else "—")),
                  value, None, settings) for key, value in counts.items()]
    return sorted(rows, key=lambda g: (-g.responses, g.label))


def trend(session: AnySession, scope: Scope, periods: Sequence[Period], settings: Settings) -> list[Group]:
    """Overall satisfaction per period (oldest first); periods without answers are kept empty."""
    counts = queries.overall_counts(
        session, replace(scope, start=None, end=None, buckets=tuple(periods)), ("period",))
    return [_fill(Group(p.label, p.label), counts.get((p.label,)), None, settings) for p in periods]
