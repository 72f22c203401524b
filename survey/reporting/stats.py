"""The one place where ``survey`` calls ``analysis``: plain counts and sums in, estimates out.

Nothing here touches the database or an ORM object; :mod:`survey.reporting.queries` produced the
numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import analysis
from analysis import (
    Estimate,
    InsufficientDataError,
    ItemStats,
    Verdict,
    WeightedEstimate,
    component_indices,
    post_stratified,
    proportion,
    sipas_index,
    verdict,
)
from survey.reporting.queries import ItemSums, OverallCounts

__all__ = [
    "MIN_AFTER", "Estimate", "FallAlert", "Verdict", "WeightedEstimate", "decision_766", "detect_drop",
    "funnel_limits", "indices", "item_rates", "judge", "pending_drop", "rank", "satisfaction",
    "shrink", "weighted",
]


# Verdicts, the funnel limits, the shrinkage fit and the ranking are kept by their inputs (the
# counts read from the cells): while no cell a page reads has changed, its inputs are the same and
# nothing is refitted. Each worker keeps its own; they are small. What is kept is shared: read only.
KEPT_FITS = 512


@functools.lru_cache(maxsize=64 * KEPT_FITS)
def _rate(successes: int, n: int, level: float) -> Estimate:
    """A Wilson interval, kept by its counts (a page asks for thousands, mostly the same)."""
    return proportion(int(successes), int(n), confidence_level=level)


def satisfaction(counts: OverallCounts | None, level: float) -> Estimate | None:
    """The item rate of ``overall`` with its Wilson interval; None without answers."""
    if counts is None or counts.n == 0:
        return None
    return _rate(counts.s, counts.n, level)


def _item_stats(sums: ItemSums) -> ItemStats:
    return ItemStats(n=np.diag(sums.aa).copy(), s=np.diag(sums.yy).copy(), yy=sums.yy, ya=sums.ya,
                     aa=sums.aa, respondents=sums.respondents)


def indices(sums: ItemSums | None, level: float) -> tuple[dict[str, Estimate], Estimate | None]:
    """The component indices present in the data and ``sipas`` (None unless all five)."""
    if sums is None or not sums.items:
        return {}, None
    blocks = (np.asarray(m, dtype=np.float64).tobytes() for m in (sums.yy, sums.ya, sums.aa))
    found = _indices(tuple(sums.items), *blocks, sums.respondents, level)
    return dict(found[0]), found[1]


@functools.lru_cache(maxsize=8 * KEPT_FITS)
def _indices(items: tuple[str, ...], yy: bytes, ya: bytes, aa: bytes, respondents: int,
             level: float) -> tuple[tuple[tuple[str, Estimate], ...], Estimate | None]:
    """Kept by the sums themselves, like the verdicts: most groups' sums are the same from one
    request to the next."""
    k = len(items)
    sums = ItemSums(list(items), yy=np.frombuffer(yy).reshape(k, k), ya=np.frombuffer(ya).reshape(k, k),
                    aa=np.frombuffer(aa).reshape(k, k), respondents=respondents)
    stats = _item_stats(sums)
    components = [item.split(".")[0] for item in items]
    return (tuple(component_indices(stats, components, confidence_level=level).items()),
            sipas_index(stats, components, confidence_level=level))


def item_rates(sums: ItemSums | None, level: float) -> dict[str, Estimate]:
    """Every component item's rate with its Wilson interval (SPEC §4), items without answers left out."""
    if sums is None or not sums.items:
        return {}
    n, s = np.diag(sums.aa), np.diag(sums.yy)
    return {item: _rate(round(float(s[j])), round(float(n[j])), level)
            for j, item in enumerate(sums.items) if n[j] > 0}


def judge(estimate: Estimate | None, threshold: float, operator: str, min_n: int,
          dossiers: float | None = None) -> Verdict:
    """The SPEC §4 verdict; no answers at all is ``insufficient`` with ``min_n`` still needed.

    ``dossiers`` (the unit's dossiers in the period, when known) bounds the number of answers
    a page may say are needed (``Verdict.too_close``)."""
    if estimate is None:
        return Verdict("insufficient", threshold, operator, min_n,  # type: ignore[arg-type]
                       None, False, min_n)
    return _verdict(estimate, threshold, operator, min_n, dossiers)


@functools.lru_cache(maxsize=8 * KEPT_FITS)
def _verdict(estimate: Estimate, threshold: float, operator: str, min_n: int,
             dossiers: float | None) -> Verdict:
    """Kept by its inputs, like the fits below: "responses needed" is a search over n."""
    return verdict(estimate, threshold=threshold, operator=operator,  # type: ignore[arg-type]
                   min_n=min_n, dossiers=dossiers)


def weighted(satisfied: Sequence[int], answered: Sequence[int], volumes: Sequence[float],
             level: float) -> WeightedEstimate | None:
    try:
        return post_stratified(satisfied, answered, volumes, confidence_level=level)
    except InsufficientDataError:
        return None


def decision_766(dossiers: int, unsatisfied: int) -> analysis.Decision766 | None:
    """(dossiers − dossiers rated unsatisfied) / dossiers, labelled: silence counts as satisfied."""
    try:
        return analysis.decision_766(dossiers, unsatisfied)
    except InsufficientDataError:
        return None


@dataclass(frozen=True)
class FunnelLimits:
    """Limits at each n of a curve, keyed by level (a shape the chart code reads directly)."""

    n: list[float]
    lower: dict[float, list[float]]
    upper: dict[float, list[float]]


def funnel_limits(target: float, n_values: Sequence[float],
                  levels: Sequence[float] = (0.95, 0.998)) -> FunnelLimits:
    """Binomial control limits around ``target`` (``analysis.funnel_limits``, Spiegelhalter 2005).

    Kept per n: a new answer moves one unit's n (and the curve's end), so only the limits at
    the sizes not seen before are computed.
    """
    theta, kept = float(target), tuple(levels)
    sizes = [max(round(n), 1) for n in n_values]
    missing = sorted({m for m in sizes if (theta, m, kept) not in _LIMITS})
    if missing:
        limits = analysis.funnel_limits(theta, missing, levels=kept)
        if len(_LIMITS) > 64 * KEPT_FITS:
            _LIMITS.clear()
        for j, m in enumerate(missing):
            _LIMITS[(theta, m, kept)] = (tuple(float(v) for v in limits.lower[:, j]),
                                         tuple(float(v) for v in limits.upper[:, j]))
    at = [_LIMITS[(theta, m, kept)] for m in sizes]
    return FunnelLimits([float(m) for m in sizes],
                        {level: [low[i] for low, _high in at] for i, level in enumerate(kept)},
                        {level: [high[i] for _low, high in at] for i, level in enumerate(kept)})


_LIMITS: dict[tuple[float, int, tuple[float, ...]], tuple[tuple[float, ...], tuple[float, ...]]] = {}


def shrink(successes: Sequence[int], n: Sequence[int], level: float = 0.95) -> list[float | None]:
    """Empirical-Bayes beta-binomial posterior means (``analysis.shrink``); None without answers."""
    return list(_shrink(tuple(successes), tuple(n), level))


@functools.lru_cache(maxsize=KEPT_FITS)
def _shrink(successes: tuple[int, ...], n: tuple[int, ...], level: float) -> tuple[float | None, ...]:
    used = [i for i, m in enumerate(n) if m > 0]
    if len(used) < 2:
        return tuple(s / m if m else None for s, m in zip(successes, n, strict=True))
    fitted = analysis.shrink([successes[i] for i in used], [n[i] for i in used],
                             confidence_level=level)
    out: list[float | None] = [None] * len(n)
    for i, value in zip(used, fitted.value.tolist(), strict=True):
        out[i] = float(value)
    return tuple(out)


def rank(successes: Sequence[int], n: Sequence[int], level: float = 0.95) -> analysis.Ranking | None:
    """Ranks by shrunken rate with rank intervals (``analysis.rank_units``); None for < 2 units."""
    return _rank(tuple(successes), tuple(n), level)


@functools.lru_cache(maxsize=KEPT_FITS)
def _rank(successes: tuple[int, ...], n: tuple[int, ...], level: float) -> analysis.Ranking | None:
    try:
        return analysis.rank_units(list(successes), list(n), confidence_level=level)
    except InsufficientDataError:
        return None


@dataclass(frozen=True)
class FallAlert:
    """A fall beyond chance (``analysis.find_fall``): where it began, how large it is, and on how
    many answers before and after. The rates and the size are None where a role below
    administrator may not see them (:func:`survey.reporting.privacy.dashboard`)."""

    start: str
    before: float | None
    after: float | None
    size: float | None
    n_before: int
    n_after: int


def _fall(find: Callable[..., analysis.Fall | None], successes: Sequence[int], n: Sequence[int],
          labels: Sequence[str]) -> FallAlert | None:
    kept = [i for i, m in enumerate(n) if m > 0]
    if len(kept) < 3:
        return None
    fall = find([successes[i] for i in kept], [n[i] for i in kept])
    if fall is None:
        return None
    return FallAlert(labels[kept[fall.start_index]], fall.before, fall.after, fall.size,
                     fall.n_before, fall.n_after)


MIN_AFTER = analysis.MIN_AFTER
"""Answers a fall must rest on after it began to be an alert (fewer: :func:`pending_drop`)."""


def detect_drop(successes: Sequence[int], n: Sequence[int],
                labels: Sequence[str]) -> FallAlert | None:
    """The fall in the rate, if beyond chance, over the periods with answers (at least three),
    resting on at least ``analysis.MIN_AFTER`` answers after it began."""
    return _fall(analysis.find_fall, successes, n, labels)


def pending_drop(successes: Sequence[int], n: Sequence[int],
                 labels: Sequence[str]) -> FallAlert | None:
    """A fall that would be beyond chance but rests on fewer than ``analysis.MIN_AFTER`` answers
    after it began (``analysis.pending_fall``): not an alert, too early to judge."""
    return _fall(analysis.pending_fall, successes, n, labels)
