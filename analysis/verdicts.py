"""Verdicts against a statutory target (SPEC §4): met, not met, inconclusive or insufficient.

Besides the status, a verdict says how many more answers would decide it: ``responses_needed``
(SPEC §4: the interval at the same estimate would exclude the target, which gives only about an
even chance of a decision when the true rate equals the estimate), ``responses_for_80`` (about
an 80 % chance) and ``too_close`` when that number is more than the unit can plausibly collect:
more than its dossiers in the period, or more than ten times its answers so far (at least
``min_n``) when its volumes are unknown. A page then says the rate is too close to the target
to decide, and never prints the number.
"""

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
PLANNING_POWER = 0.8
Z_80 = 0.8416212335729143  # the standard normal 80 % quantile


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
    the estimate equals the threshold. ``responses_for_80`` is the additional number for about
    an 80 % chance of a decision if the true rate equals the estimate (None when decided or
    implausible). ``too_close`` is True when ``responses_needed`` is more than the unit can
    plausibly collect. ``at_least`` is ``min_n − n`` for ``insufficient``, else 0.
    """

    status: Status
    threshold: float
    operator: Operator
    responses_needed: int | None
    responses_for_80: int | None = None
    too_close: bool = False
    at_least: int = 0


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


def _interval_at(est: Interval, total: int, power_z: float = 0.0) -> tuple[float, float]:
    """The interval the same estimate would have with ``total`` answers instead of ``est.n``.

    With ``power_z`` > 0 the estimate is first moved ``power_z`` standard errors (at ``total``)
    towards ``toward``: the interval then decides with probability Φ(power_z) when the true
    rate is the estimate (normal approximation of the estimate's spread).
    """
    scale = total / est.n
    n_eff = (est.effective_n if est.effective_n is not None else est.n) * scale
    value = est.value
    if power_z:
        value = value - power_z * float(np.sqrt(value * (1.0 - value) / n_eff))
    if est.method in WILSON_LIKE:
        low, high = wilson_bounds(min(max(value, 0.0), 1.0), n_eff,
                                  confidence_level=est.confidence_level)
        return float(low), float(high)
    if est.method in METHODS:
        x = np.asarray([min(max(value, 0.0), 1.0) * total])
        r = proportions(np.round(x), np.asarray([total]), confidence_level=est.confidence_level,
                        method=est.method)  # type: ignore[arg-type,unused-ignore]
        return float(r.ci_low[0]), float(r.ci_high[0])
    shrink = scale**-0.5
    return value - (est.value - est.ci_low) * shrink, value + (est.ci_high - est.value) * shrink


def _needed(est: Interval, threshold: float, operator: Operator, power_z: float = 0.0) -> int | None:
    """Additional answers until the interval decides (moved ``power_z`` errors towards t)."""
    if est.value == threshold or est.n <= 0:
        return None
    towards = power_z if est.value > threshold else -power_z

    def decided(total: int) -> bool:
        return _decided(*_interval_at(est, total, towards), threshold, operator) is not None

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


def plausible_limit(n: int, min_n: int, dossiers: float | None) -> float:
    """The most additional answers a unit can plausibly collect (SPEC §4)."""
    if dossiers is not None:
        return max(float(dossiers) - n, 0.0)
    return float(max(10 * n, min_n))


def verdict(
    estimate: Interval, *, threshold: float, operator: Operator, min_n: int = 30,
    dossiers: float | None = None,
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
    dossiers : float, optional
        The unit's dossiers in the period, when known: the plausible limit for ``too_close``.

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
    ``responses_for_80`` is the same search with the estimate moved z₀.₈ standard errors (at N')
    towards the target: if the true rate is the estimate, the estimate at N' lands beyond that
    point with probability about 80 %, and the interval then decides.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics
    in Medicine 24, 1185–1202 (judging a unit against a target through its interval).

    Examples
    --------
    >>> from analysis.proportions import proportion
    >>> verdict(proportion(58, 60), threshold=0.8, operator=">=").status
    'met'
    >>> v = verdict(proportion(54, 60), threshold=0.9, operator=">=")
    >>> v.status, v.responses_needed
    ('inconclusive', None)
    >>> verdict(proportion(27, 30), threshold=0.85, operator=">").responses_needed
    166
    >>> v = verdict(proportion(90, 100), threshold=0.85, operator=">=")
    >>> v.responses_needed, v.responses_for_80, v.too_close
    (96, 263, False)
    >>> verdict(proportion(113, 119), threshold=0.95, operator=">=").too_close
    True
    """
    if operator not in (">=", ">"):
        raise ValueError(f"operator must be '>=' or '>', got {operator!r}")
    t = float(threshold)
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"threshold must be within [0, 1], got {threshold!r}")
    if int(min_n) < 0:
        raise ValueError(f"min_n must be >= 0, got {min_n!r}")
    n = int(estimate.n)
    if n < min_n:
        gap = int(min_n) - n
        needed = _needed(estimate, t, operator)
        return _planned("insufficient", t, operator, None if needed is None else max(needed, gap),
                        estimate, int(min_n), dossiers, gap)
    status = _decided(estimate.ci_low, estimate.ci_high, t, operator)
    if status is not None:
        return Verdict(status, t, operator, None)
    return _planned("inconclusive", t, operator, _needed(estimate, t, operator), estimate,
                    int(min_n), dossiers, 0)


def _planned(status: Status, t: float, operator: Operator, needed: int | None, est: Interval,
             min_n: int, dossiers: float | None, gap: int) -> Verdict:
    if needed is None:
        # the estimate equals the target: no number of answers decides at this estimate
        return Verdict(status, t, operator, None, None, est.n > 0, gap)
    limit = plausible_limit(int(est.n), min_n, dossiers)
    if needed > limit:
        return Verdict(status, t, operator, needed, None, True, gap)
    more = _needed(est, t, operator, Z_80)
    if more is not None:
        more = max(more, needed)
    plausible = more if more is not None and more <= limit else None
    return Verdict(status, t, operator, needed, plausible, False, gap)
