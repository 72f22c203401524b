"""Change over time: a trend test across periods, and the classical CUSUM.

:func:`cusum_drop` is the CUSUM against a known in-control rate, kept for analysts who have one;
it is not what the pages use. Their alert on a falling rate is :mod:`analysis.fall`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from analysis.estimate import InsufficientDataError, check_counts, check_level
from analysis.proportions import critical_value

__all__ = ["Drop", "Trend", "cusum_drop", "trend_test"]


@dataclass(frozen=True, slots=True)
class Trend:
    """Cochran–Armitage test and logistic slope (log-odds per period) with its interval."""

    statistic: float
    pvalue: float
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    confidence_level: float


def trend_test(
    successes_by_period: ArrayLike,
    n_by_period: ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> Trend:
    """Is the rate rising or falling across ordered periods?

    Parameters
    ----------
    successes_by_period, n_by_period : array_like of int
        Satisfied answers and answers in each period, oldest first.
    confidence_level : float
        Level of the slope's interval.

    Returns
    -------
    Trend
        ``statistic`` is the Cochran–Armitage z with scores t = 0, 1, …, T − 1,

            z = Σ t (x_t − n_t p̄) / √(p̄(1 − p̄)[Σ n_t t² − (Σ n_t t)²/N]),

        ``pvalue`` its two-sided normal p-value, and ``slope`` the maximum-likelihood β₁ of
        logit p_t = β₀ + β₁ t (Newton–Raphson on the grouped binomial likelihood) with a Wald
        interval. Both equal ``statsmodels`` (GLM binomial) to numerical precision.

    References
    ----------
    Armitage, P. (1955). Tests for linear trends in proportions and frequencies. Biometrics 11,
    375–386. Agresti, A. (2013). Categorical Data Analysis, 3rd ed., §5.3.5.

    Examples
    --------
    >>> t = trend_test([90, 85, 80, 72], [100, 100, 100, 100])
    >>> round(t.statistic, 3), t.slope < 0
    (-3.416, True)
    """
    level = check_level(confidence_level)
    x, m = check_counts(successes_by_period, n_by_period)
    if x.size < 2 or np.count_nonzero(m) < 2:
        raise InsufficientDataError("a trend needs at least two periods with answers")
    t = np.arange(x.size, dtype=np.float64)
    total = m.sum()
    p = x.sum() / total
    sxx = float(m @ t**2 - (m @ t) ** 2 / total)
    denom = p * (1 - p) * sxx
    z = float(t @ (x - m * p) / np.sqrt(denom)) if denom > 0 else 0.0
    pvalue = float(special.erfc(abs(z) / np.sqrt(2)))
    beta, se = _logistic_slope(x, m, t)
    half = critical_value(level) * se
    return Trend(z, pvalue, beta, beta - half, beta + half, level)


def _logistic_slope(x: NDArray[np.float64], m: NDArray[np.float64],
                    t: NDArray[np.float64]) -> tuple[float, float]:
    design = np.column_stack([np.ones_like(t), t])
    p0 = (x.sum() + 0.5) / (m.sum() + 1.0)
    beta = np.array([np.log(p0 / (1 - p0)), 0.0])
    info = np.eye(2)
    for _ in range(100):
        mu = special.expit(design @ beta)
        info = design.T @ (design * (m * mu * (1 - mu))[:, None])
        step = np.linalg.solve(info, design.T @ (x - m * mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    mu = special.expit(design @ beta)
    info = design.T @ (design * (m * mu * (1 - mu))[:, None])
    return float(beta[1]), float(np.sqrt(np.linalg.inv(info)[1, 1]))


@dataclass(frozen=True, slots=True)
class Drop:
    """Result of :func:`cusum_drop`: the CUSUM path and, if it signalled, where."""

    baseline: float
    cusum: NDArray[np.float64]
    signal_index: int | None
    start_index: int | None


def cusum_drop(
    successes_by_period: ArrayLike,
    n_by_period: ArrayLike,
    *,
    baseline: float | None = None,
    baseline_periods: int = 2,
    k: float = 0.5,
    h: float = 4.0,
) -> Drop:
    """Lower one-sided CUSUM of standardised period rates (a p-chart with memory).

    Parameters
    ----------
    successes_by_period, n_by_period : array_like of int
        Oldest first.
    baseline : float, optional
        In-control rate p₀. By default the pooled rate of the first ``baseline_periods``; when that
        pooled rate is exactly 0 or 1 nothing can be standardised against it, and no drop is
        signalled.
    k, h : float
        Reference value and decision interval in standard-error units (k = 0.5, h = 4 give an
        in-control average run length of about 170 periods for normal z).

    Notes
    -----
    z_t = (p̂_t − p₀)/√(p₀(1 − p₀)/n_t);  S_t = max(0, S_{t−1} − z_t − k);  a signal is the first
    t with S_t > h, and the drop is estimated to begin just after the last t' < t with
    S_{t'} = 0 (Page 1954; Montgomery 2013, §9.1.4).

    References
    ----------
    Page, E. S. (1954). Continuous inspection schemes. Biometrika 41, 100–115.
    Montgomery, D. C. (2013). Introduction to Statistical Quality Control, 7th ed., ch. 9.
    """
    x, m = check_counts(successes_by_period, n_by_period)
    if baseline is None:
        first = slice(0, max(1, int(baseline_periods)))
        if m[first].sum() == 0:
            raise InsufficientDataError("no answers in the baseline periods")
        p0 = float(x[first].sum() / m[first].sum())
        if p0 in (0.0, 1.0):
            # Every baseline answer agreed (a small unit in a good month): the standardised rate
            # is undefined, and no fall from a rate estimated as exactly 100 % (or a rise from 0 %)
            # can be judged against it. No alert, rather than one computed on an unsound basis.
            return Drop(p0, np.zeros(x.size), None, None)
    else:
        p0 = float(baseline)
    if not 0.0 < p0 < 1.0:
        raise ValueError(f"the baseline rate must be strictly between 0 and 1, got {p0!r}")
    path = np.zeros(x.size)
    level, last_zero, signal, start = 0.0, -1, None, None
    for i in range(x.size):
        if m[i] > 0:
            z = (x[i] / m[i] - p0) / np.sqrt(p0 * (1 - p0) / m[i])
            level = max(0.0, level - z - k)
        path[i] = level
        if level == 0.0:
            last_zero = i
        elif level > h and signal is None:
            signal, start = i, last_zero + 1
    return Drop(p0, path, signal, start)
