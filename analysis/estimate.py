"""The result types shared by every estimator, and the error for undefined results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Estimate", "InsufficientDataError", "check_counts", "check_level"]


class InsufficientDataError(ValueError):
    """There is nothing to estimate from (n = 0); the web layer shows "chưa đủ dữ liệu"."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes
    ----------
    value : float
        The point estimate (unrounded).
    ci_low, ci_high : float
        The confidence interval.
    n : int
        The number of answers behind the estimate (for a composite index: the largest number of
        answers to any one of its items).
    method : str
        How the interval was computed, e.g. ``"wilson"`` or ``"linearization-wilson"``.
    confidence_level : float
        The nominal coverage of the interval, e.g. 0.95.
    effective_n : float or None
        The sample size at which the interval was computed when it differs from ``n`` (the
        design-effect-adjusted n of a composite or weighted estimate); ``None`` means ``n``.
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    method: str
    confidence_level: float
    effective_n: float | None = None


def check_level(confidence_level: float) -> float:
    """Return ``confidence_level`` as a float, or raise ValueError when it is not in (0, 1)."""
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level!r}")
    return level


def check_counts(successes: ArrayLike, n: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Successes and answers as float arrays, or raise ValueError unless they are 1-d, of one
    length, with 0 ≤ successes ≤ n."""
    x = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if x.shape != m.shape or x.ndim != 1 or np.any(x < 0) or np.any(x > m):
        raise ValueError(f"need 1-d arrays with 0 <= successes <= n, got {successes!r}, {n!r}")
    return x, m
