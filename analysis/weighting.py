"""Post-stratification of item rates to dossier volumes (SPEC §4).

A unit that served 10,000 dossiers and a unit that served 100 should not weigh the same in a
provincial figure just because each returned 50 answers. Post-stratification weights each unit's
rate by its share of the dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.estimate import InsufficientDataError, check_level
from analysis.proportions import wilson_bounds

__all__ = ["WeightedEstimate", "post_stratified"]


@dataclass(frozen=True, slots=True)
class WeightedEstimate:
    """A post-stratified rate with its interval and the share of dossiers it covers.

    Attributes
    ----------
    value, ci_low, ci_high : float
        Σ_h W_h p_h and its Wilson interval at the Kish effective sample size.
    coverage : float
        Dossiers of units with at least one answer / all dossiers of the units given.
    method : str
        ``"post-stratified"``.
    confidence_level : float
    n : int
        Answers behind the estimate (Σ n_h).
    variance : float
        Σ_h W_h² p_h(1 − p_h)/n_h, the SPEC §4 variance, reported for reference.
    effective_n : float
        Kish's effective sample size 1/Σ_h (W_h²/n_h), at which the interval is computed.
    """

    value: float
    ci_low: float
    ci_high: float
    coverage: float
    method: str
    confidence_level: float
    n: int
    variance: float
    effective_n: float


def post_stratified(
    counts_satisfied: ArrayLike,
    counts_answered: ArrayLike,
    volumes: ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> WeightedEstimate:
    """Post-stratified rate Σ_h W_h p_h, W_h = N_h / Σ N over the units that have answers.

    Parameters
    ----------
    counts_satisfied, counts_answered : array_like of int, shape (H,)
        s_h and n_h for each unit (stratum) h; n_h may be 0 for a unit without answers.
    volumes : array_like of float, shape (H,)
        Dossiers N_h of each unit in the period.
    confidence_level : float

    Returns
    -------
    WeightedEstimate

    Raises
    ------
    InsufficientDataError
        When no unit with dossiers has an answer.

    Notes
    -----
    The variance of SPEC §4, V = Σ_h W_h² p_h(1 − p_h)/n_h, is 0 when every unit's rate is 0
    or 1, which would make a Wald interval collapse to a point. The interval is therefore
    Wilson's at Kish's effective sample size n_eff = (Σ_h W_h)²/Σ_h (W_h²/n_h) = 1/Σ_h W_h²/n_h
    (the size of a simple random sample with the same weight-driven variance). It lies in
    [0, 1], is never a point, and equals the ordinary Wilson interval when the weights are
    proportional to the answers. It replaces each p_h(1 − p_h) by p̂(1 − p̂), so it is at least as
    wide as the stratified Wald interval when units differ.

    References
    ----------
    Lumley (2010), Complex Surveys, §7.4 (post-stratification). Kish (1965), Survey Sampling,
    §11.7 (effective sample size under weighting).

    Examples
    --------
    >>> e = post_stratified([45, 20], [50, 20], [9000, 1000])
    >>> round(e.value, 4), round(e.coverage, 4), round(e.ci_low, 4)
    (0.91, 1.0, 0.8108)
    >>> post_stratified([45, 0], [50, 0], [9000, 1000]).coverage
    0.9
    """
    level = check_level(confidence_level)
    s = np.asarray(counts_satisfied, dtype=np.float64)
    n = np.asarray(counts_answered, dtype=np.float64)
    vol = np.asarray(volumes, dtype=np.float64)
    if not (s.shape == n.shape == vol.shape) or s.ndim != 1:
        raise ValueError(f"need three 1-d arrays of one length, got {s.shape}, {n.shape}, "
                         f"{vol.shape}")
    bad = (s < 0) | (s > n) | ~np.isfinite(vol) | (vol < 0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"stratum {i}: need 0 <= satisfied <= answered and dossiers >= 0, got "
                         f"{s[i]!r}, {n[i]!r}, {vol[i]!r}")
    answered = n > 0
    covered = float(vol[answered].sum())
    if covered <= 0.0:
        raise InsufficientDataError("no unit with dossiers has any answer")
    total = float(vol.sum())
    use = answered & (vol > 0)
    w = vol[use] / covered
    p = s[use] / n[use]
    value = min(max(float(w @ p), 0.0), 1.0)
    variance = float(np.sum(w * w * p * (1.0 - p) / n[use]))
    n_eff = 1.0 / float(np.sum(w * w / n[use]))
    low, high = wilson_bounds(value, n_eff, confidence_level=level)
    return WeightedEstimate(
        value=value, ci_low=float(low), ci_high=float(high), coverage=covered / total,
        method="post-stratified", confidence_level=level, n=int(n[use].sum()),
        variance=variance, effective_n=n_eff,
    )
