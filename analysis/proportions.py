"""Confidence intervals for one proportion (an item rate such as the share satisfied).

Brown, Cai & DasGupta (2001) show that the textbook Wald interval p ± z·√(p(1−p)/n) covers far
less than its nominal level for small n or p near 1, which is exactly where satisfaction rates
live. Wilson is the default; Jeffreys, Agresti–Coull and Clopper–Pearson are offered for
comparison. Every interval lies within [0, 1] and contains the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from analysis.estimate import Estimate, InsufficientDataError, check_level

__all__ = ["Method", "Proportions", "critical_value", "proportion", "proportions", "t_critical",
           "wilson_bounds"]

Method = Literal["wilson", "jeffreys", "agresti_coull", "clopper_pearson"]
METHODS: tuple[Method, ...] = ("wilson", "jeffreys", "agresti_coull", "clopper_pearson")
Floats = NDArray[np.float64]


def critical_value(confidence_level: float) -> float:
    """The two-sided normal critical value z = Φ⁻¹(1 − (1 − level)/2).

    Examples
    --------
    >>> round(critical_value(0.95), 6)
    1.959964
    """
    return _critical(check_level(confidence_level))


def t_critical(confidence_level: float, df: ArrayLike) -> Floats:
    """The two-sided Student t critical value on ``df`` degrees of freedom (df > 0).

    Examples
    --------
    >>> round(float(t_critical(0.95, 29)), 6)
    2.04523
    """
    level = check_level(confidence_level)
    return np.asarray(special.stdtrit(np.asarray(df, dtype=np.float64), (1.0 + level) / 2.0),
                      dtype=np.float64)


@lru_cache(maxsize=64)
def _critical(level: float) -> float:
    # scipy.stats.norm.isf(q) is -ndtri(q); calling ndtri directly is 100x faster.
    return float(-special.ndtri((1.0 - level) / 2.0))


def wilson_bounds(p: ArrayLike, n: ArrayLike, *, confidence_level: float = 0.95,
                  critical: ArrayLike | None = None) -> tuple[Floats, Floats]:
    """Wilson score bounds for an estimate ``p`` at a (possibly non-integer, effective) size ``n``.

    .. math::

        \\frac{\\hat p + z^2/2n}{1 + z^2/n} \\pm
        \\frac{z}{1 + z^2/n}\\sqrt{\\frac{\\hat p(1-\\hat p)}{n} + \\frac{z^2}{4n^2}}

    Composite and post-stratified estimates reuse it at their effective sample size, and may
    pass their own ``critical`` value (a Student t quantile, one per estimate) in place of z.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22, 209–212.

    Examples
    --------
    >>> low, high = wilson_bounds(0.9, 100)
    >>> round(float(low), 4), round(float(high), 4)
    (0.8256, 0.9448)
    """
    z = (critical_value(confidence_level) if critical is None
         else np.asarray(critical, dtype=np.float64))
    p_ = np.asarray(p, dtype=np.float64)
    n_ = np.asarray(n, dtype=np.float64)
    z2 = z * z
    denom = 1.0 + z2 / n_
    center = (p_ + z2 / (2.0 * n_)) / denom
    half = z * np.sqrt(p_ * (1.0 - p_) / n_ + z2 / (4.0 * n_ * n_)) / denom
    low = np.clip(np.minimum(center - half, p_), 0.0, 1.0)
    high = np.clip(np.maximum(center + half, p_), 0.0, 1.0)
    return low, high


@dataclass(frozen=True, slots=True)
class Proportions:
    """Vectorised result of :func:`proportions`: one entry per group (NaN where n = 0)."""

    value: Floats
    ci_low: Floats
    ci_high: Floats
    n: NDArray[np.int64]
    method: Method
    confidence_level: float


def _check_counts(successes: ArrayLike, n: ArrayLike) -> tuple[Floats, Floats]:
    x = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if x.shape != m.shape:
        raise ValueError(f"successes and n differ in shape: {x.shape} != {m.shape}")
    bad = ~np.isfinite(x) | ~np.isfinite(m) | (x < 0) | (x > m) | (x != np.floor(x))
    bad |= m != np.floor(m)
    if np.any(bad):
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"need whole counts with 0 <= successes <= n, got successes={x.ravel()[i]:g}, "
            f"n={m.ravel()[i]:g}"
        )
    return x, m


def _bounds(x: Floats, m: Floats, z: float, alpha: float, method: Method) -> tuple[Floats, Floats]:
    p = x / m
    if method == "wilson":
        z2 = z * z
        denom = 1.0 + z2 / m
        center = (p + z2 / (2.0 * m)) / denom
        half = z * np.sqrt(p * (1.0 - p) / m + z2 / (4.0 * m * m)) / denom
        low, high = center - half, center + half
    elif method == "agresti_coull":
        m_t = m + z * z
        p_t = (x + z * z / 2.0) / m_t
        half = z * np.sqrt(p_t * (1.0 - p_t) / m_t)
        low, high = p_t - half, p_t + half
    elif method in ("jeffreys", "clopper_pearson"):
        from scipy import stats  # imported here: scipy.stats takes a second to import

        if method == "jeffreys":
            low = np.where(x == 0, 0.0, stats.beta.ppf(alpha / 2, x + 0.5, m - x + 0.5))
            high = np.where(x == m, 1.0, stats.beta.isf(alpha / 2, x + 0.5, m - x + 0.5))
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                low = np.where(x == 0, 0.0,
                               stats.beta.ppf(alpha / 2, np.maximum(x, 1), m - x + 1))
                high = np.where(x == m, 1.0,
                                stats.beta.isf(alpha / 2, x + 1, np.maximum(m - x, 1)))
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    low = np.clip(np.minimum(low, p), 0.0, 1.0)
    high = np.clip(np.maximum(high, p), 0.0, 1.0)
    return low, high


def proportions(
    successes: ArrayLike,
    n: ArrayLike,
    *,
    confidence_level: float = 0.95,
    method: Method = "wilson",
) -> Proportions:
    """Item rates and their intervals for many groups at once (numpy-vectorised).

    Parameters
    ----------
    successes, n : array_like of int
        Satisfied answers and answers per group, e.g. straight from ``GROUP BY``.
    confidence_level : float
        Nominal coverage, default 0.95.
    method : {"wilson", "jeffreys", "agresti_coull", "clopper_pearson"}
        Interval method. Jeffreys uses the Brown–Cai–DasGupta boundary rule (lower bound 0 when
        successes = 0, upper bound 1 when successes = n), so it always contains the estimate.

    Returns
    -------
    Proportions
        Arrays ``value``, ``ci_low``, ``ci_high`` (NaN where ``n`` is 0, instead of raising).

    Notes
    -----
    Wilson: centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²).
    Agresti–Coull: Wald at ñ = n + z², p̃ = (x + z²/2)/ñ. Jeffreys: Beta(x + ½, n − x + ½)
    quantiles. Clopper–Pearson: Beta(x, n − x + 1) and Beta(x + 1, n − x) quantiles. All agree
    with ``statsmodels.stats.proportion.proportion_confint`` (``method="beta"`` for
    Clopper–Pearson), except Jeffreys at x = 0 or x = n, where the boundary rule applies.

    References
    ----------
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. Statistical Science 16(2), 101–133.

    Examples
    --------
    >>> r = proportions([27, 9], [30, 10])
    >>> [round(float(v), 4) for v in r.ci_low]
    [0.7438, 0.5958]
    """
    level = check_level(confidence_level)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    x, m = _check_counts(successes, n)
    z = critical_value(level)
    empty = m == 0
    safe_m = np.where(empty, 1.0, m)
    low, high = _bounds(x, safe_m, z, 1.0 - level, method)
    value = np.where(empty, np.nan, x / safe_m)
    return Proportions(
        value=value,
        ci_low=np.where(empty, np.nan, low),
        ci_high=np.where(empty, np.nan, high),
        n=m.astype(np.int64),
        method=method,
        confidence_level=level,
    )


def proportion(
    successes: int,
    n: int,
    *,
    confidence_level: float = 0.95,
    method: Method = "wilson",
) -> Estimate:
    """One item rate p̂ = successes / n with its confidence interval.

    Parameters
    ----------
    successes : int
        Answers of 4 or 5 (satisfied).
    n : int
        Answers to the item (skipped answers are not counted).
    confidence_level : float
        Nominal coverage, default 0.95.
    method : {"wilson", "jeffreys", "agresti_coull", "clopper_pearson"}
        See :func:`proportions` for the formulas.

    Returns
    -------
    Estimate

    Raises
    ------
    InsufficientDataError
        When ``n`` is 0.

    References
    ----------
    Brown, Cai & DasGupta (2001), Statistical Science 16(2), 101–133.

    Examples
    --------
    >>> e = proportion(27, 30)
    >>> round(e.value, 4), round(e.ci_low, 4), round(e.ci_high, 4), e.method
    (0.9, 0.7438, 0.9654, 'wilson')
    >>> round(proportion(27, 30, method="clopper_pearson").ci_low, 4)
    0.7347
    """
    if n == 0:
        raise InsufficientDataError("no answers (n = 0): the rate is undefined")
    r = proportions(
        np.asarray([successes]), np.asarray([n]), confidence_level=confidence_level, method=method
    )
    return Estimate(
        value=float(r.value[0]),
        ci_low=float(r.ci_low[0]),
        ci_high=float(r.ci_high[0]),
        n=int(n),
        method=method,
        confidence_level=r.confidence_level,
    )
