"""Verdicts against a statutory target (SPEC §4): met, not met, inconclusive or insufficient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from analysis.proportions import METHODS, proportions, wilson_bounds

__all__ = ["Operator", "Status", "Verdict", "verdict"]

Operator = Literal[">=", ">"]
Status = Literal["met", "not_met", "inconclusive", "insufficient"]
WILSON_LIKE = ("wilson", "linearization-wilson", "post-stratified")
MAX_N = 10**12


class Interval(Protocol):
    """What :func:`verdict` needs: an :class:`Estimate` or a :class:`WeightedEstimate`."""

    @property
    def value(self) -> float: ...
    @property
    def ci_low(self) -> float: ...
    @property
    def ci_high(self) -> float: ...
    @property
    def n(self) -> int: ...
    @property
    def method(self) -> str: ...
    @property
    def confidence_level(self) -> float: ...
    @property
    def effective_n(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of comparing an interval with a target.

    ``responses_needed`` is the number of additional answers after which, at the same estimate,
    the interval would exclude the threshold; ``None`` when the verdict is already decided or
    the estimate equals the threshold.
    """

    status: Status
    threshold: float
    operator: Operator
    responses_needed: int | None


def _decided(low: float, high: float, threshold: float, operator: Operator) -> Status | None:
    if operator == ">=":
        if low >= threshold:
            return "met"
        if high < threshold:
            return "not_met"
    else:
        if low > threshold:
            return "met"
        if high <= threshold:
            return "not_met"
    return None


def _interval_at(est: Interval, total: int) -> tuple[float, float]:
    """The interval the same estimate would have with ``total`` answers instead of ``est.n``."""
    scale = total / est.n
    if est.method in WILSON_LIKE:
        n_eff = (est.effective_n if est.effective_n is not None else est.n) * scale
        low, high = wilson_bounds(est.value, n_eff, confidence_level=est.confidence_level)
        return float(low), float(high)
    if est.method in METHODS:
        x = np.asarray([est.value * total])
        r = proportions(np.round(x), np.asarray([total]), confidence_level=est.confidence_level,
                        method=est.method)  # type: ignore[arg-type,unused-ignore]
        return float(r.ci_low[0]), float(r.ci_high[0])
    shrink = scale**-0.5
    return est.value - (est.value - est.ci_low) * shrink, est.value + (est.ci_high - est.value) * shrink


def _needed(est: Interval, threshold: float, operator: Operator) -> int | None:
    if est.value == threshold or est.n <= 0:
        return None

    def decided(total: int) -> bool:
        return _decided(*_interval_at(est, total), threshold, operator) is not None

    hi = est.n + 1
    while not decided(hi):
        if hi > MAX_N:
            return None
        hi *= 2
    lo = est.n  # not decided at lo (or lo is the current n)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if decided(mid):
            hi = mid
        else:
            lo = mid
    return hi - est.n


def verdict(
    estimate: Interval, *, threshold: float, operator: Operator, min_n: int = 30
) -> Verdict:
    """Compare an estimate's interval with a target (SPEC §4).

    Parameters
    ----------
    estimate : Estimate or WeightedEstimate
        Usually the satisfaction rate (item rate of ``overall``).
    threshold : float
        The target t, e.g. 0.9.
    operator : {">=", ">"}
        ``">="`` for "tối thiểu" (at least), ``">"`` for "trên" (above).
    min_n : int
        Fewer answers than this (``estimate.n``) gives ``insufficient``. Default 30.

    Returns
    -------
    Verdict
        ``met`` when the lower bound is ≥ t (``>=``) or > t (``>``); ``not_met`` when the upper
        bound is < t (``>=``) or ≤ t (``>``); else ``inconclusive``.

    Notes
    -----
    ``responses_needed`` is found by searching the smallest total N' > n at which the interval,
    recomputed with the same method and the same estimate (for Wilson-type intervals: at the
    effective size scaled by N'/n), decides. For ``insufficient`` it is at least ``min_n − n``.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics
    in Medicine 24, 1185–1202 (judging a unit against a target through its interval).

    Examples
    --------
    >>> from analysis.proportions import proportion
    >>> verdict(proportion(58, 60), threshold=0.8, operator=">=")
    Verdict(status='met', threshold=0.8, operator='>=', responses_needed=None)
    >>> verdict(proportion(54, 60), threshold=0.9, operator=">=")
    Verdict(status='inconclusive', threshold=0.9, operator='>=', responses_needed=None)
    >>> verdict(proportion(27, 30), threshold=0.85, operator=">").responses_needed
    166
    """
    if operator not in (">=", ">"):
        raise ValueError(f"operator must be '>=' or '>', got {operator!r}")
    t = float(threshold)
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"threshold must be within [0, 1], got {threshold!r}")
    if int(min_n) < 0:
        raise ValueError(f"min_n must be >= 0, got {min_n!r}")
    if estimate.n < min_n:
        needed = _needed(estimate, t, operator)
        gap = int(min_n) - int(estimate.n)
        return Verdict("insufficient", t, operator, None if needed is None else max(needed, gap))
    status = _decided(estimate.ci_low, estimate.ci_high, t, operator)
    if status is not None:
        return Verdict(status, t, operator, None)
    return Verdict("inconclusive", t, operator, _needed(estimate, t, operator))
