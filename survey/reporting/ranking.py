"""The yearly ranking (xếp hạng) of departments and of communes and wards (SPEC §4).

Each level is ranked on its own, on disjoint groups (:func:`survey.reporting.groups.units_groups`
with ``disjoint=True``), by the shrunken rate with a rank interval (:func:`analysis.rank_units`).
Only units with at least ``min_n`` answers are ranked; the others are listed as not ranked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from survey.administration.units import UnitTree
from survey.extensions import AnySession
from survey.periods import Period, parse_period
from survey.reporting import stats
from survey.reporting.groups import Group, Settings, units_groups
from survey.reporting.queries import Scope

LEVELS = ("department", "commune")


@dataclass(frozen=True)
class RankRow:
    """One unit in a ranking; ``rank`` is None when it has fewer than ``min_n`` answers."""

    group: Group
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    shrunk: float | None = None
    tied: bool = False
    surely_above: int = 0  # units whose rank interval lies wholly below this one's
    surely_below: int = 0  # units whose rank interval lies wholly above this one's


@dataclass(frozen=True)
class RankTable:
    period: Period
    level: str
    rows: list[RankRow]

    @property
    def ranked(self) -> list[RankRow]:
        return [r for r in self.rows if r.rank is not None]


def year_of(period: Period) -> Period:
    return parse_period(str(period.start.year))


def rank_groups(groups: list[Group], settings: Settings, period: Period, level: str) -> RankTable:
    """Rank the groups with at least ``min_n`` answers; best first, ties kept together."""
    enough = [g for g in groups if g.counts.n >= max(settings.min_n, 1)]
    fitted = stats.rank([g.counts.s for g in enough], [g.counts.n for g in enough], settings.level)
    rows: list[RankRow] = []
    if fitted is not None:
        low, high = fitted.rank_low.tolist(), fitted.rank_high.tolist()
        for i, group in enumerate(enough):
            rows.append(RankRow(
                group, int(fitted.rank[i]), int(low[i]), int(high[i]), float(fitted.value[i]),
                bool(fitted.tied[i]),
                surely_above=sum(1 for j in range(len(enough)) if low[j] > high[i]),
                surely_below=sum(1 for j in range(len(enough)) if high[j] < low[i])))
    elif enough:
        rows.append(RankRow(enough[0], 1, 1, 1, enough[0].satisfaction.value
                            if enough[0].satisfaction else None))
    rows.sort(key=lambda r: (r.rank or 0, r.group.label))
    ranked = {id(r.group) for r in rows}
    rows += [RankRow(g) for g in sorted(groups, key=lambda g: g.label) if id(g) not in ranked]
    return RankTable(period, level, rows)


def yearly(session: AnySession, tree: UnitTree, period: Period, settings: Settings, *,
           within: Scope | None = None, delivering: Collection[str] = ()) -> list[RankTable]:
    """One table per level for the calendar year that contains ``period``.

    ``within`` ranks the units on some of their answers only (a sector's); the units then listed
    are those with such answers in the year or whose codes are in ``delivering``."""
    year = year_of(period)
    tables = []
    for level in LEVELS:
        units = tree.open_during(year, (level,))
        groups = units_groups(session, tree, units, year, settings, components=False,
                              disjoint=True, within=within)
        if within is not None:
            groups = [g for g in groups if g.responses or g.key in delivering]
        tables.append(rank_groups(groups, settings, year, level))
    return tables
