"""Ranking units (xếp hạng) by their shrunken rate, with rank intervals.

A raw league table rewards small units for luck: 30 of 30 satisfied tops a unit with 950 of
1000. Here every unit is ranked by its empirical-Bayes estimate (:func:`analysis.compare.shrink`)
and given an equal-tailed rank interval from the posterior: the unit rates are drawn many times
from their Beta posteriors, the units are ranked in each draw, and the interval holds the middle
95 % of a unit's ranks (Goldstein & Spiegelhalter 1996). Two units whose rank intervals overlap
are not told apart. The draws are seeded, so the same data always give the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.compare import shrink
from analysis.estimate import InsufficientDataError, check_level

__all__ = ["Ranking", "rank_units", "told_apart"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
DRAWS = 4000
SEED = 20250701


@dataclass(frozen=True, slots=True)
class Ranking:
    """Ranks of units, 1 = best, in the order of the input.

    ``rank`` is the competition rank of the shrunken estimate ``value`` (equal estimates share
    a rank: 1, 2, 2, 4); ``rank_low``–``rank_high`` is the rank interval at
    ``confidence_level``; ``tied`` marks units that share their rank with another unit.
    """

    rank: Ints
    rank_low: Ints
    rank_high: Ints
    value: Floats
    ci_low: Floats
    ci_high: Floats
    tied: NDArray[np.bool_]
    confidence_level: float
    draws: int
    seed: int


def competition_ranks(values: ArrayLike, *, digits: int = 12) -> Ints:
    """1 + the number of strictly larger values (rounded to ``digits``): ties share a rank."""
    v = np.round(np.asarray(values, dtype=np.float64), digits)
    return np.asarray(1 + np.sum(v[None, :] > v[:, None], axis=1), dtype=np.int64)


def _rank_intervals(theta: Floats, level: float) -> tuple[Ints, Ints]:
    """Each unit's equal-tailed interval of its ranks over the draws (rows of ``theta``).

    The same ends as ``np.quantile(ranks, q, axis=0, method="inverted_cdf")`` of the ranks
    matrix, read from each unit's histogram of ranks instead of sorting its draws again.
    """
    draws, k = theta.shape
    # rank 1 = highest drawn rate: each draw's order, inverted by scattering 1..k into it (the
    # same ranks as an argsort of the argsort, at the cost of one sort instead of two)
    order = np.argsort(-theta, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1, k + 1), order.shape), axis=1)
    counts = np.bincount((ranks - 1 + np.arange(k) * k).ravel(), minlength=k * k).reshape(k, k)
    at_most = np.cumsum(counts, axis=1)  # at_most[u, r - 1]: draws where unit u ranks r or better
    tail = (1 - level) / 2
    ends = []
    for q in (tail, 1 - tail):
        order_statistic = int(np.quantile(np.arange(draws), q, method="inverted_cdf"))
        ends.append(np.argmax(at_most > order_statistic, axis=1).astype(np.int64) + 1)
    return ends[0], ends[1]


def rank_units(
    successes: ArrayLike,
    n: ArrayLike,
    *,
    confidence_level: float = 0.95,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Ranking:
    """Rank units by their empirical-Bayes rate, with posterior rank intervals.

    Parameters
    ----------
    successes, n : array_like of int
        Satisfied answers and answers per unit; every unit must have at least one answer
        (leave units without answers out) and there must be at least two units.
    confidence_level : float
        Level of the rank intervals, default 95 %.
    draws : int
        Posterior draws (default 4000: the interval ends are then stable to about one rank).
    seed : int
        Seed of the random generator; the same data and seed give the same ranking.

    Returns
    -------
    Ranking

    Notes
    -----
    The prior Beta(α, β) is the beta-binomial fit of :func:`analysis.compare.shrink`; unit u's
    posterior is Beta(α + x_u, β + n_u − x_u). In each of ``draws`` joint draws the units are
    ranked by their drawn rate (1 = highest); the interval ends are the (1 − level)/2 and
    (1 + level)/2 quantiles of a unit's ranks (inverted cdf, so they are whole ranks). The
    uncertainty of α and β themselves is ignored, which makes the intervals a little narrow
    when there are few units.

    References
    ----------
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations. JRSS A
    159, 385–443. Laird, N. M. & Louis, T. A. (1989). Empirical Bayes ranking methods. J. Educ.
    Stat. 14, 29–46.

    Examples
    --------
    >>> r = rank_units([990, 30, 200, 150], [1000, 30, 250, 200])
    >>> r.rank.tolist(), r.rank_low.tolist(), r.rank_high.tolist()
    ([1, 2, 3, 4], [1, 1, 3, 3], [2, 2, 4, 4])
    """
    level = check_level(confidence_level)
    x = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if x.shape != m.shape or x.ndim != 1:
        raise ValueError(f"need two 1-d arrays of the same length, got {successes!r}, {n!r}")
    if np.any(m < 1):
        raise InsufficientDataError("every ranked unit needs at least one answer")
    if x.size < 2:
        raise InsufficientDataError("ranking needs at least two units")
    if int(draws) < 100:
        raise ValueError(f"draws must be at least 100, got {draws!r}")
    fitted = shrink(x, m, confidence_level=level)
    post_a = fitted.prior_alpha + x
    post_b = fitted.prior_beta + m - x
    rng = np.random.default_rng(int(seed))
    theta = rng.beta(post_a, post_b, size=(int(draws), x.size))
    low, high = _rank_intervals(theta, level)
    point = competition_ranks(fitted.value)
    tied = np.bincount(point)[point] > 1
    # the point rank always lies within its interval, even for tied or boundary units
    low, high = np.minimum(low, point), np.maximum(high, point)
    return Ranking(point, low, high, fitted.value, fitted.ci_low, fitted.ci_high, tied, level,
                   int(draws), int(seed))


def told_apart(ranking: Ranking, i: int, j: int) -> bool:
    """True when units ``i`` and ``j`` have rank intervals that do not overlap."""
    return bool(ranking.rank_high[i] < ranking.rank_low[j]
                or ranking.rank_high[j] < ranking.rank_low[i])
