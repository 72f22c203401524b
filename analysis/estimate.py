"""The result types shared by every estimator, and the error for undefined results."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Estimate", "InsufficientDataError", "check_level"]


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
