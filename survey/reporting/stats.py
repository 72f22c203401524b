"""The one place where ``survey`` calls ``analysis``: plain counts and sums in, estimates out.

Nothing here touches the database or an ORM object; :mod:`survey.reporting.queries` produced the
numbers. Functions that ``analysis`` does not offer yet are marked STOP-GAP and call
scipy/statsmodels directly until it does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.composite import ItemStats, component_indices, sipas_index
from analysis.estimate import Estimate, InsufficientDataError
from analysis.proportions import proportion
from analysis.verdicts import Verdict, verdict
from analysis.weighting import WeightedEstimate, post_stratified
from survey.reporting.queries import ItemSums, OverallCounts

__all__ = [
    "Estimate", "Verdict", "WeightedEstimate", "decision_766", "detect_drop", "funnel_limits",
    "indices", "judge", "satisfaction", "shrink", "weighted",
]


def satisfaction(counts: OverallCounts | None, level: float) -> Estimate | None:
    """The item rate of ``overall`` with its Wilson interval; None without answers."""
    if counts is None or counts.n == 0:
        return None
    return proportion(counts.s, counts.n, confidence_level=level)


def _item_stats(sums: ItemSums) -> ItemStats:
    return ItemStats(n=np.diag(sums.aa).copy(), s=np.diag(sums.yy).copy(), yy=sums.yy, ya=sums.ya,
                     aa=sums.aa, respondents=sums.respondents)


def indices(sums: ItemSums | None, level: float) -> tuple[dict[str, Estimate], Estimate | None]:
    """The component indices present in the data and ``sipas`` (None unless all five)."""
    if sums is None or not sums.items:
        return {}, None
    stats = _item_stats(sums)
    components = [item.split(".")[0] for item in sums.items]
    return (component_indices(stats, components, confidence_level=level),
            sipas_index(stats, components, confidence_level=level))


def judge(estimate: Estimate | None, threshold: float, operator: str, min_n: int) -> Verdict:
    """The SPEC §4 verdict; no answers at all is ``insufficient`` with ``min_n`` still needed."""
    if estimate is None:
        return Verdict("insufficient", threshold, operator, min_n)  # type: ignore[arg-type]
    return verdict(estimate, threshold=threshold, operator=operator,  # type: ignore[arg-type]
                   min_n=min_n)


def weighted(satisfied: Sequence[int], answered: Sequence[int], volumes: Sequence[float],
             level: float) -> WeightedEstimate | None:
    try:
        return post_stratified(satisfied, answered, volumes, confidence_level=level)
    except InsufficientDataError:
        return None


def decision_766(dossiers: int, unsatisfied: int) -> float | None:
    """(dossiers − dossiers rated unsatisfied) / dossiers: silence counts as satisfaction.

    STOP-GAP: ``analysis.decision_766`` is not in the library yet; the formula is SPEC §4's.
    """
    return None if dossiers <= 0 else (dossiers - unsatisfied) / dossiers


@dataclass(frozen=True)
class FunnelLimits:
    n: list[float]
    lower: dict[float, list[float]]
    upper: dict[float, list[float]]


def funnel_limits(target: float, n_values: Sequence[float],
                  levels: Sequence[float] = (0.95, 0.998)) -> FunnelLimits:
    """Control limits around ``target`` for each n (Spiegelhalter 2005, normal approximation).

    STOP-GAP: ``analysis.funnel_limits`` is not in the library yet.
    """
    from scipy.stats import norm

    n = np.asarray(n_values, dtype=float)
    sd = np.sqrt(target * (1 - target) / n)
    lower, upper = {}, {}
    for level in levels:
        z = float(norm.ppf(0.5 + level / 2))
        lower[level] = np.clip(target - z * sd, 0, 1).tolist()
        upper[level] = np.clip(target + z * sd, 0, 1).tolist()
    return FunnelLimits(n.tolist(), lower, upper)


def shrink(successes: Sequence[int], n: Sequence[int]) -> list[float | None]:
    """Empirical-Bayes beta-binomial posterior means: small units are pulled toward the mean.

    STOP-GAP: ``analysis.shrink`` is not in the library yet. The prior Beta(α, β) is fitted by the
    method of moments on the unit rates (Kleinman 1973); with too little spread the rates are
    returned unshrunk.
    """
    s, m = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    used = m > 0
    if used.sum() < 3:
        return [float(x / y) if y else None for x, y in zip(s, m, strict=True)]
    rates = s[used] / m[used]
    mean = float(np.average(rates, weights=m[used]))
    var = float(np.average((rates - mean) ** 2, weights=m[used]))
    binomial = mean * (1 - mean) * float(np.mean(1 / m[used]))
    between = var - binomial
    flat = between <= 0 or mean in (0.0, 1.0)
    strength = math.inf if flat else mean * (1 - mean) / between - 1
    out: list[float | None] = []
    for x, y in zip(s, m, strict=True):
        if y == 0:
            out.append(None)
        elif math.isinf(strength):
            out.append(mean)
        else:
            out.append(float((x + strength * mean) / (y + strength)))
    return out


@dataclass(frozen=True)
class Drop:
    label: str
    previous: str
    p_value: float


def detect_drop(successes: Sequence[int], n: Sequence[int], labels: Sequence[str],
                *, alpha: float = 0.01, baseline: int = 3) -> Drop | None:
    """A significant fall of the last period against the ``baseline`` periods before it, pooled.

    STOP-GAP: ``analysis.detect_drop`` is not in the library yet; statsmodels'
    ``proportions_ztest`` (one-sided, strict α = 0.01) stands in for it.
    """
    from statsmodels.stats.proportion import proportions_ztest

    if len(n) < 2:
        return None
    before_s, before_n = sum(successes[-1 - baseline:-1]), sum(n[-1 - baseline:-1])
    if n[-1] < 30 or before_n < 30 or successes[-1] / n[-1] >= before_s / before_n:
        return None
    if before_s + successes[-1] in (0, before_n + n[-1]):
        return None
    _stat, p = proportions_ztest([successes[-1], before_s], [n[-1], before_n],
                                 alternative="smaller")
    first = labels[max(len(labels) - 1 - baseline, 0)]
    return Drop(labels[-1], f"{first} – {labels[-2]}", float(p)) if p < alpha else None
