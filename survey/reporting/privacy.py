"""Staff never learn who answered (SPEC §6): what roles below administrator are shown.

Who is protected is decided by :func:`survey.administration.access.sees_small_cells`; this module
only applies the rule to what a page or a file is about to show:

- **no figure of fewer than ``min_n`` answers**: a rate, its interval, a component index or
  SIPAS computed from fewer answers becomes :class:`Suppressed` (shown as "hidden: fewer than
  N answers", blank in CSV and XLSX, ``null`` with ``"method": "suppressed"`` in JSON). Counts of
  answers stay, so that a unit knows how many more it needs;
- **no figure can be had by subtraction**: where shown rows add up to a shown total (a
  breakdown by procedure, sector, desk or channel, the units of a report below their parent, the
  months of the chosen period), the rows below ``min_n`` are folded together, and more rows are
  folded in, smallest first, until what is hidden adds up to zero or to at least ``min_n``
  answers (:func:`fold`); otherwise the total minus the shown rows would give the hidden one.
  A breakdown shows the folded rows as one row, "other groups", when it reaches ``min_n``;
- **"what went wrong" tallies** only for a scope of at least ``min_n`` responses.
- **a fall too early to alert** (the dashboard's note that the rate since a month is lower, on
  fewer than ``analysis.MIN_AFTER`` answers) only when those answers reach ``min_n``.

Not prevented: comparing two different selections (a quarter and its first two months on
separate pages); each page keeps its own cells at ``min_n`` or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.reporting import stats
from survey.reporting.groups import Group
from survey.reporting.queries import OverallCounts

FOLDED = "__folded__"


@dataclass(frozen=True)
class Suppressed:
    """An estimate not shown because it rests on fewer than ``min_n`` answers. Falsy."""

    n: int
    min_n: int
    value: None = None
    ci_low: None = None
    ci_high: None = None
    method: str = "suppressed"
    hidden: bool = True

    def __bool__(self) -> bool:
        return False


def _hide(estimate: Any, min_n: int) -> Any:
    if estimate is None or isinstance(estimate, Suppressed) or estimate.n >= min_n:
        return estimate
    return Suppressed(estimate.n, min_n)


def suppress(group: Group, min_n: int, *, force: bool = False) -> Group:
    """``group`` with every figure of fewer than ``min_n`` answers hidden (all of them if ``force``)."""
    if (force or group.counts.n < min_n) and group.satisfaction is not None:
        group.satisfaction = Suppressed(group.counts.n, min_n)  # type: ignore[assignment]
    group.components = {key: Suppressed(e.n, min_n) if force else _hide(e, min_n)  # type: ignore[misc]
                        for key, e in group.components.items()}
    group.items = {key: Suppressed(e.n, min_n) if force else _hide(e, min_n)  # type: ignore[misc]
                   for key, e in group.items.items()}
    if group.sipas is not None:
        group.sipas = (Suppressed(group.sipas.n, min_n) if force  # type: ignore[assignment]
                       else _hide(group.sipas, min_n))
    group.checks = [replace(c, estimate=_hide(c.estimate, min_n)) for c in group.checks]
    return group


def fold(parts: Sequence[Group], total_n: int, min_n: int) -> set[int]:
    """The indexes of ``parts`` to hide so that the hidden answers add up to 0 or ≥ ``min_n``.

    ``total_n`` is the shown total the parts add up to (with whatever is in no part, e.g. a
    parent unit's own answers, which is hidden too).
    """
    hidden = {i for i, part in enumerate(parts) if part.counts.n < min_n}
    remainder = total_n - sum(p.counts.n for i, p in enumerate(parts) if i not in hidden)
    shown = sorted((i for i in range(len(parts)) if i not in hidden), key=lambda i: parts[i].counts.n)
    while 0 < remainder < min_n and shown:
        smallest = shown.pop(0)
        hidden.add(smallest)
        remainder += parts[smallest].counts.n
    return hidden


def breakdown(rows: Sequence[Group], min_n: int, level: float) -> list[Group]:
    """A breakdown whose rows add up to the whole: small rows folded into "other groups"."""
    hidden = fold(rows, sum(r.counts.n for r in rows), min_n)
    out = [suppress(r, min_n) for i, r in enumerate(rows) if i not in hidden]
    if hidden:
        counts = OverallCounts()
        for i in hidden:
            counts.add(rows[i].counts)
        other = Group(FOLDED, str(_l("Các nhóm khác, gộp lại (mỗi nhóm ít hơn %(n)s câu trả lời)", n=min_n)))
        other.counts, other.responses = counts, counts.responses
        other.satisfaction = stats.satisfaction(counts, level)
        out.append(suppress(other, min_n))
    return out


def parts_of(total: Group, parts: Sequence[Group], min_n: int) -> list[Group]:
    """Parts shown beside their ``total`` (units below a parent, months of the period)."""
    hidden = fold(parts, total.counts.n, min_n)
    return [suppress(p, min_n, force=i in hidden) for i, p in enumerate(parts)]


def dashboard(view: Any, min_n: int, level: float) -> Any:
    """An agency dashboard (:class:`survey.reporting.dashboards.AgencyDashboard`) for a unit role."""
    suppress(view.group, min_n)
    inside = [i for i, g in enumerate(view.trend) if _within(str(g.key), view.period)]
    protected = parts_of(view.group, [view.trend[i] for i in inside], min_n)
    for i, group in zip(inside, protected, strict=True):
        view.trend[i] = group
    view.trend = [g if i in inside else suppress(g, min_n) for i, g in enumerate(view.trend)]
    view.breakdowns = {d: breakdown(rows, min_n, level) for d, rows in view.breakdowns.items()}
    if view.group.responses < min_n:
        view.problems = []
    if view.pending_drop is not None and view.pending_drop.n_after < min_n:
        view.pending_drop = None  # a rate of fewer than min_n answers, lower than before
    if view.drop is not None and min(view.drop.n_before, view.drop.n_after) < min_n:
        # The alert stands (it is beyond chance), but its rates rest on fewer than min_n answers.
        view.drop = replace(view.drop, before=None, after=None, size=None)
    return view


def sector(view: Any, min_n: int, level: float) -> Any:
    """A sector department's view (:class:`survey.reporting.sector_view.SectorView`): the
    sector's total, then its units, whose hidden rows cannot be had from the total; its service
    points as a breakdown; no shrunk estimate of a hidden unit."""
    suppress(view.whole, min_n)
    view.units = parts_of(view.whole, view.units, min_n)
    shown = {g.key for g in view.units if g.satisfaction}
    view.shrunk = {key: value for key, value in view.shrunk.items() if key in shown}
    view.points = breakdown(view.points, min_n, level)
    return view


def _within(label: str, period: Any) -> bool:
    from survey.periods import parse_period

    try:
        part = parse_period(label)
    except ValueError:
        return False
    return period.start <= part.start and part.end <= period.end


def report(built: Any, min_n: int) -> Any:
    """A report (:class:`survey.reporting.reports.Report`) for a unit role: the unit first, then
    the units below it, whose hidden rows cannot be had from the unit's total; its breakdowns and
    "what went wrong" tallies under the dashboard's rules."""
    if built.groups:
        head, *rest = built.groups
        built.groups = [suppress(head, min_n), *parts_of(head, rest, min_n)]
    built.sector_groups = [(sg, suppress(g, min_n), [(t, _hide(e, min_n), v) for t, e, v in checks])
                           for sg, g, checks in built.sector_groups]
    built.breakdowns = {d: breakdown(rows, min_n, built.settings.level)
                        for d, rows in built.breakdowns.items()}
    if not built.groups or built.groups[0].responses < min_n:
        built.problems = []
    return built
