"""How many answers to collect: for a margin of error, or to show a rate above a target."""

from __future__ import annotations

import math
from typing import Literal

from scipy import special

from analysis.estimate import check_level
from analysis.proportions import critical_value, wilson_bounds

__all__ = ["sample_size_margin", "sample_size_target"]


def _rate(name: str, value: float) -> float:
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be within [0, 1], got {value!r}")
    return v


def sample_size_margin(
    p: float,
    margin: float,
    *,
    confidence_level: float = 0.95,
    method: Literal["wilson", "wald"] = "wilson",
) -> int:
    """Answers needed so that the interval's half-width is at most ``margin`` at rate ``p``.

    Parameters
    ----------
    p : float
        Expected rate, e.g. 0.9.
    margin : float
        Wanted half-width e, e.g. 0.05 for ±5 points.
    confidence_level : float
    method : {"wilson", "wald"}
        ``"wald"`` is Cochran's n = ⌈z² p(1 − p)/e²⌉. ``"wilson"`` (default) is the smallest n
        at which both Wilson bounds at p̂ = p lie within e of p; it is the honest choice near
        p = 1, where the Wald formula promises margins the reported interval will not keep.

    Returns
    -------
    int

    References
    ----------
    Cochran, W. G. (1977). Sampling Techniques, 3rd ed., §4.4.

    Examples
    --------
    >>> sample_size_margin(0.9, 0.05, method="wald")
    139
    >>> sample_size_margin(0.9, 0.05)
    196
    >>> sample_size_margin(0.5, 0.035, method="wald")
    784
    """
    rate = _rate("p", p)
    e = float(margin)
    if not 0.0 < e < 1.0:
        raise ValueError(f"margin must be between 0 and 1, got {margin!r}")
    z = critical_value(confidence_level)
    wald = max(1, math.ceil(z * z * rate * (1.0 - rate) / (e * e) - 1e-9))
    if method == "wald":
        return wald
    if method != "wilson":
        raise ValueError(f"method must be 'wilson' or 'wald', got {method!r}")

    def fits(n: int) -> bool:
        low, high = wilson_bounds(rate, n, confidence_level=confidence_level)
        return bool(rate - low <= e and high - rate <= e)

    lo, hi = 0, max(wald, 1)
    while not fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    return hi


def sample_size_target(
    p: float,
    target: float,
    *,
    confidence_level: float = 0.95,
    power: float = 0.8,
) -> int:
    """Answers needed for the interval's lower bound to clear ``target`` when the rate is ``p``.

    Parameters
    ----------
    p : float
        The rate the unit is believed to have (must exceed ``target``).
    target : float
        The threshold t of the target.
    confidence_level : float
        Level of the two-sided interval used by the verdict (its lower bound is a one-sided
        test at (1 − level)/2).
    power : float
        Wanted probability of a ``met`` verdict, default 0.8.

    Returns
    -------
    int
        n = ⌈(z_{1−α/2}√(t(1 − t)) + z_{power}√(p(1 − p)))² / (p − t)²⌉.

    References
    ----------
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and
    Proportions, 3rd ed., §2.5 (one-sample test of a proportion).

    Examples
    --------
    >>> sample_size_target(0.95, 0.9)
    239
    """
    rate, t = _rate("p", p), _rate("target", target)
    if rate <= t:
        raise ValueError(f"p must exceed target to show a rate above it, got p={p!r}, "
                         f"target={target!r}")
    pw = check_level(power)
    z_a = critical_value(confidence_level)
    z_b = float(special.ndtri(pw))
    root = z_a * math.sqrt(t * (1.0 - t)) + z_b * math.sqrt(rate * (1.0 - rate))
    return max(1, math.ceil((root / (rate - t)) ** 2 - 1e-9))
