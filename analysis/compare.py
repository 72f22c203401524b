"""Fair comparison of many units: funnel limits, shrinkage and multiple-testing adjustment.

Ranking units by raw rate rewards small units for luck. A funnel plot shows each unit's rate
against its n with limits that narrow as n grows (Spiegelhalter 2005); empirical-Bayes
shrinkage pulls small units towards the overall rate by as much as their noise warrants; and
when many units are flagged at once the p-values are adjusted (Holm, Benjamini–Hochberg).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from analysis.estimate import InsufficientDataError, check_counts, check_level

__all__ = ["FunnelLimits", "Shrunken", "adjust_pvalues", "funnel_limits", "shrink"]

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Control limits around ``center`` for each n; ``lower[i, j]`` is for ``levels[i]``, ``n[j]``."""

    center: float
    n: NDArray[np.int64]
    levels: tuple[float, ...]
    lower: Floats
    upper: Floats


def funnel_limits(
    target_or_overall: float,
    n_values: ArrayLike,
    *,
    levels: Sequence[float] = (0.95, 0.998),
) -> FunnelLimits:
    """Exact binomial funnel-plot limits around a target or the overall rate.

    Parameters
    ----------
    target_or_overall : float
        θ₀, the rate a unit is compared with (the statutory target or the pooled rate).
    n_values : array_like of int
        Sample sizes at which to draw the limits (usually each unit's n).
    levels : sequence of float
        Two-sided levels, default 95 % and 99.8 % ("2 and 3 sigma").

    Returns
    -------
    FunnelLimits

    Notes
    -----
    The limits are exact binomial counts, not interpolated. For level 1 − α, with X ~
    Binomial(n, θ₀) and F its cdf, the lower limit is L/n with L the smallest count such that
    F(L) > α/2, and the upper limit is U/n with U the smallest count such that F(U) ≥ 1 − α/2.
    A unit is outside the funnel when its rate is strictly below L/n or strictly above U/n, so

        P(X < L) = F(L − 1) ≤ α/2   and   P(X > U) = 1 − F(U) ≤ α/2:

    an in-control unit is flagged at most α of the time, at most α/2 on each side (less when
    the binomial steps do not land on α/2, as they rarely do for small n). A unit at 100 % is
    flagged high only when P(X = n) ≤ α/2, i.e. never when that result is not improbable.
    Spiegelhalter (2005, appendix A.1.1) interpolates between the steps to draw a smooth curve;
    the interpolated limit lies inside the step, so it flags too often (7.8 % instead of at most
    5 % at θ₀ = 0.9, n = 100) and is not used. The curve drawn is therefore a staircase.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185–1202.

    Examples
    --------
    >>> f = funnel_limits(0.9, [30, 300])
    >>> [round(float(v), 4) for v in f.lower[0]]
    [0.7667, 0.8633]
    >>> float(funnel_limits(0.9, [30], levels=(0.998,)).upper[0, 0])  # 30 of 30 is inside
    1.0
    """
    theta = float(target_or_overall)
    if not 0.0 < theta < 1.0:
        raise ValueError(f"target_or_overall must be strictly between 0 and 1, got {theta!r}")
    n = np.asarray(n_values, dtype=np.int64)
    if n.ndim != 1 or np.any(n < 1):
        raise ValueError(f"n_values must be a 1-d array of positive integers, got {n_values!r}")
    lvls = tuple(check_level(level) for level in levels)
    lower = np.empty((len(lvls), n.size))
    upper = np.empty((len(lvls), n.size))
    for i, level in enumerate(lvls):
        tail = (1.0 - level) / 2.0
        lower[i] = _smallest_count(n, theta, tail, strict=True) / n
        upper[i] = _smallest_count(n, theta, 1.0 - tail, strict=False) / n
    return FunnelLimits(theta, n, lvls, lower, upper)


def _smallest_count(n: NDArray[np.int64], theta: float, q: float, *, strict: bool) -> Floats:
    """For each n, the smallest r in 0..n with F(r; n, θ) > q (``strict``) or ≥ q."""
    from scipy import stats  # imported here: scipy.stats takes a second to import

    out = np.empty(n.size)
    for size in np.unique(n):
        cdf = stats.binom.cdf(np.arange(size + 1), size, theta)
        cdf[-1] = 1.0
        out[n == size] = float(np.argmax(cdf > q if strict else cdf >= q))
    return out


@dataclass(frozen=True, slots=True)
class Shrunken:
    """Empirical-Bayes estimates: posterior means and equal-tailed intervals per unit."""

    value: Floats
    ci_low: Floats
    ci_high: Floats
    prior_alpha: float
    prior_beta: float
    confidence_level: float


def _neg_loglik(log_ab: Floats, x: Floats, n: Floats) -> float:
    a, b = np.exp(log_ab)
    return float(-np.sum(special.betaln(x + a, n - x + b) - special.betaln(a, b)))


def shrink(successes: ArrayLike, n: ArrayLike, *, confidence_level: float = 0.95) -> Shrunken:
    """Empirical-Bayes (beta-binomial) shrinkage of unit rates towards the overall rate.

    Parameters
    ----------
    successes, n : array_like of int
        Satisfied answers and answers per unit (at least two units with answers).
    confidence_level : float

    Returns
    -------
    Shrunken
        Posterior means (α + x)/(α + β + n) and Beta(α + x, β + n − x) quantile intervals.

    Notes
    -----
    The prior Beta(α, β) is fitted by maximising the beta-binomial marginal likelihood
    Σ_u [ln B(x_u + α, n_u − x_u + β) − ln B(α, β)] over (ln α, ln β), started from the method
    of moments. When the units vary no more than binomial noise the fitted α + β grows large
    and every unit is pulled to the pooled rate; α + β is capped at 10⁶.

    References
    ----------
    Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70, 311–319. Gelman et al. (2013), Bayesian Data Analysis, §5.3.

    Examples
    --------
    >>> r = shrink([6, 90, 44, 270], [10, 100, 50, 300])
    >>> bool(0.6 < r.value[0] < 0.9)
    True
    """
    from scipy import optimize, stats  # imported here: they take a second to import

    level = check_level(confidence_level)
    x, m = check_counts(successes, n)
    used = m > 0
    if used.sum() < 2:
        raise InsufficientDataError("shrinkage needs at least two units with answers")
    pooled = float(x[used].sum() / m[used].sum())
    rates = x[used] / m[used]
    spread = float(np.var(rates)) or 1e-6
    strength = min(max(pooled * (1 - pooled) / spread - 1.0, 1.0), 1e4)
    start = np.log([max(pooled, 1e-3) * strength, max(1 - pooled, 1e-3) * strength])
    fit = optimize.minimize(_neg_loglik, start, args=(x[used], m[used]), method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    a, b = (float(v) for v in np.exp(fit.x))
    if a + b > 1e6:
        a, b = a / (a + b) * 1e6, b / (a + b) * 1e6
    post_a, post_b = a + x, b + m - x
    tail = (1 - level) / 2
    low = np.asarray(stats.beta.ppf(tail, post_a, post_b), dtype=np.float64)
    high = np.asarray(stats.beta.isf(tail, post_a, post_b), dtype=np.float64)
    return Shrunken(post_a / (post_a + post_b), low, high, a, b, level)


def adjust_pvalues(pvalues: ArrayLike, *, method: Literal["holm", "fdr_bh"]) -> Floats:
    """Adjust p-values for testing many units at once.

    Parameters
    ----------
    pvalues : array_like of float
    method : {"holm", "fdr_bh"}
        Holm (1979) step-down, controlling the family-wise error rate; or Benjamini–Hochberg
        (1995) step-up, controlling the false discovery rate.

    Returns
    -------
    ndarray
        Adjusted p-values in the original order (equal to
        ``statsmodels.stats.multitest.multipletests(p, method=...)[1]``).

    Notes
    -----
    Holm: with p₍₁₎ ≤ … ≤ p₍ₘ₎, p̃₍ᵢ₎ = maxⱼ≤ᵢ min(1, (m − j + 1) p₍ⱼ₎).
    BH: p̃₍ᵢ₎ = minⱼ≥ᵢ min(1, m p₍ⱼ₎ / j).

    References
    ----------
    Holm, S. (1979). Scand. J. Statist. 6, 65–70. Benjamini, Y. & Hochberg, Y. (1995). JRSS B
    57, 289–300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1 or np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"pvalues must be a 1-d array of numbers in [0, 1], got {pvalues!r}")
    m = p.size
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    elif method == "fdr_bh":
        adj = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
        adj = np.minimum(adj, 1.0)
    else:
        raise ValueError(f"method must be 'holm' or 'fdr_bh', got {method!r}")
    out = np.empty(m)
    out[order] = adj
    return out
