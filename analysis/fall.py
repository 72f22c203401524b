"""The alert on a falling rate that the pages use.

The alert (:func:`find_fall`) has a controlled false-alarm rate: at most 5 % of in-control
units watched monthly for a year ever raise one, and it rests on at least :data:`MIN_AFTER`
answers after the fall began; :func:`pending_fall` is a fall that would be beyond the limit on
fewer, which the pages name as too early to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.estimate import check_counts

__all__ = ["ALERT_CRITICAL", "MIN_AFTER", "MIN_BEFORE", "Fall", "alert_statistics", "detect_drop",
           "fall_statistics", "find_fall", "pending_fall"]


ALERT_CRITICAL = 2.82
"""Critical value of the fall statistic (see :func:`find_fall`), calibrated by simulation."""
MIN_BEFORE = 3
"""Periods with answers that the reference stretch of :func:`find_fall` spans at the least."""
MIN_AFTER = 10
"""Answers that the lower stretch of :func:`find_fall` holds at the least (see its Notes)."""


@dataclass(frozen=True, slots=True)
class Fall:
    """A fall in the rate found by :func:`find_fall`.

    Attributes
    ----------
    start_index : int
        The first period of the lower stretch (the fall began there).
    before, after : float
        Pooled rates of the periods before ``start_index`` and from it on.
    size : float
        ``before − after``, the size of the fall (positive).
    statistic : float
        The signed root deviance at that split (negative: below −``ALERT_CRITICAL``).
    n_before, n_after : int
        Answers before ``start_index`` and from it on.
    """

    start_index: int
    before: float
    after: float
    size: float
    statistic: float
    n_before: int
    n_after: int


def _loglik(k: NDArray[np.float64], m: NDArray[np.float64],
            p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ binomial log-likelihood k ln p + (m − k) ln(1 − p), with 0·ln 0 = 0."""
    safe_p = np.clip(p, 1e-300, 1.0)
    safe_q = np.clip(1.0 - p, 1e-300, 1.0)
    return np.where(k > 0, k * np.log(safe_p), 0.0) + np.where(m - k > 0, (m - k) * np.log(safe_q),
                                                                0.0)


def fall_statistics(successes_by_period: ArrayLike,
                    n_by_period: ArrayLike) -> NDArray[np.float64]:
    """Signed root deviance r_k of "the rate changed after period k", for k = 0 … T − 2.

    r_k = sign(p̂_after − p̂_before) · √(2[ℓ(before) + ℓ(after) − ℓ(pooled)]), where the earlier
    stretch is periods 0 … k, and ℓ is the binomial log-likelihood at the stretch's own pooled
    rate. It is +inf where a stretch has no answers, or where every answer of the series is
    satisfied (or none is): no fall is possible. Inputs may carry leading axes (many series
    at once, periods last), as the simulation study uses them.
    """
    x = np.asarray(successes_by_period, dtype=np.float64)
    m = np.asarray(n_by_period, dtype=np.float64)
    if x.shape != m.shape or x.ndim < 1 or np.any(x < 0) or np.any(x > m):
        raise ValueError(f"need arrays of one shape with 0 <= successes <= n, got "
                         f"{successes_by_period!r}, {n_by_period!r}")
    if x.shape[-1] < 2:
        return np.zeros((*x.shape[:-1], 0))
    bx, bm = np.cumsum(x, axis=-1)[..., :-1], np.cumsum(m, axis=-1)[..., :-1]
    tx, tm = x.sum(axis=-1, keepdims=True), m.sum(axis=-1, keepdims=True)
    ax, am = tx - bx, tm - bm
    ok = (bm > 0) & (am > 0) & (tx > 0) & (tx < tm)
    pb = np.divide(bx, bm, out=np.zeros_like(bx), where=bm > 0)
    pa = np.divide(ax, am, out=np.zeros_like(ax), where=am > 0)
    pooled = np.broadcast_to(np.divide(tx, tm, out=np.zeros_like(tx), where=tm > 0), bx.shape)
    dev = 2.0 * (_loglik(bx, bm, pb) + _loglik(ax, am, pa) - _loglik(bx, bm, pooled)
                 - _loglik(ax, am, pooled))
    return np.where(ok, np.sign(pa - pb) * np.sqrt(np.maximum(dev, 0.0)), np.inf)


def alert_statistics(successes_by_period: ArrayLike, n_by_period: ArrayLike, *,
                     min_before: int = MIN_BEFORE, min_after: int = MIN_AFTER) -> NDArray[np.float64]:
    """:func:`fall_statistics` with +inf at the splits the alert may not use.

    A split is used when the earlier stretch spans at least ``min_before`` periods with answers
    and the later one holds at least ``min_after`` answers. :func:`find_fall` alerts when the
    smallest value is below −``ALERT_CRITICAL``; the simulation study calls this function on
    many series at once (periods last), so that it judges the same rule.

    Examples
    --------
    >>> r = alert_statistics([18, 0, 1, 0], [19, 1, 1, 2], min_before=1)
    >>> bool(np.isinf(r).all())  # 4 answers at most after any split
    True
    """
    x = np.asarray(successes_by_period, dtype=np.float64)
    m = np.asarray(n_by_period, dtype=np.float64)
    r = fall_statistics(x, m)
    if r.shape[-1] == 0:
        return r
    periods_before = np.cumsum(m > 0, axis=-1)[..., :-1]
    answers_after = m.sum(axis=-1, keepdims=True) - np.cumsum(m, axis=-1)[..., :-1]
    return np.where((periods_before < min_before) | (answers_after < min_after), np.inf, r)


def find_fall(
    successes_by_period: ArrayLike,
    n_by_period: ArrayLike,
    *,
    critical: float = ALERT_CRITICAL,
    min_before: int = MIN_BEFORE,
    min_after: int = MIN_AFTER,
) -> Fall | None:
    """The most marked fall in the rate over the periods, if it is beyond chance; else ``None``.

    Parameters
    ----------
    successes_by_period, n_by_period : array_like of int
        Satisfied answers and answers in each period, oldest first (periods without answers
        are allowed and count for nothing).
    critical : float
        The alert fires when the smallest statistic of :func:`alert_statistics` is below
        −``critical``: 2.82 by default, calibrated by simulation (``make coverage-study``).
    min_before : int
        The earlier stretch (the reference) spans at least this many periods with answers,
        three by default: a fall from one or two unusually good months is not a fall.
    min_after : int
        The later stretch holds at least this many answers, ten by default: a fall seen on a
        handful of answers is not evidence to act on (:func:`pending_fall` names it).

    Notes
    -----
    Every split of the series into an earlier stretch (the reference, at least three periods
    with answers) and a later one (at least ten answers) is tried; the alert names the split
    with the most marked fall (the smallest r_k) when r_k is below −2.82. Without the
    three-period reference, two months at 100 % by chance at the start of the window (the
    demo's Sở Tư pháp: 123 of 123, then 94 % as before) made a "fall" from 100 %. Without the
    ten answers after, a small unit at 97 % (the demo's Sở Khoa học và Công nghệ: 18 of 19,
    then 1 of 4 over three months) was told its rate fell by 70 points, "hard to put down to
    chance". The reference is the series itself, not two periods: an earlier version compared
    every month with the pooled rate of the first two months (a lower CUSUM, :func:`cusum_drop`),
    and since that baseline is itself noisy, 19.8 % of in-control 12-month series raised an
    alert. The signed root deviance is close to normal even near 100 % and at 5 answers a month,
    where the score z is skewed, so one limit serves every rate and sample size once the later
    stretch holds ten answers.

    Why ten (``docs/methodology.md`` §9 has the numbers). Of in-control units (a constant rate
    of 0.5–0.99, 3–1000 answers a month, Poisson) watched monthly for a year, counting every
    look from the third month to the twelfth (40,000 series a cell), the single limit that keeps
    every cell at or under 4.8 % is 2.90 when a fall may rest on any number of answers, 2.83 on
    nine, 2.82 on ten, 2.81 from fifteen to thirty: the binomial steps of a few answers fatten
    the tail, and ten is where that stops. The alerts the rule removes say nothing (their
    reported fall is 50–80 points on average whether the unit is in control or fell by 10 or 20
    points), and it replaces a limit that rose to 2.90 for every split of a unit of about 10
    answers a month or fewer (2.80 + 0.10·min(1, 10/m̄)). On the study's grid of rates
    0.80–0.98 (``make coverage-study``) 4.0–4.6 % of in-control units alert from 30 answers a
    month, fewer below, where a fall must wait for ten answers. Power is kept (a fall from 0.90
    to 0.80 at 30 answers a month found at month 12 in 54.1 % of units, 53.5 % before); the
    smallest units lose their earliest looks. If every answer in the series is satisfied, or
    none is, no fall is possible and none is signalled.

    Examples
    --------
    >>> f = find_fall([180, 182, 179, 181, 165, 163, 160], [200] * 7)
    >>> f.start_index, round(f.before, 4), round(f.after, 4), round(f.size, 4), f.n_after
    (4, 0.9025, 0.8133, 0.0892, 600)
    >>> find_fall([12, 9, 12, 10], [12, 9, 12, 10]) is None
    True
    >>> find_fall([2, 3, 2, 2, 2, 2, 5, 0, 1, 0], [3, 3, 2, 2, 2, 2, 5, 1, 1, 2]) is None
    True
    """
    x, m = check_counts(successes_by_period, n_by_period)
    if critical <= 0:
        raise ValueError(f"critical must be positive, got {critical!r}")
    r = alert_statistics(x, m, min_before=min_before, min_after=min_after)
    if r.size == 0 or not np.isfinite(r).any():
        return None
    k = int(np.argmin(r))
    if not r[k] < -critical:
        return None
    split = k + 1
    n_before, n_after = int(m[:split].sum()), int(m[split:].sum())
    before = float(x[:split].sum() / n_before)
    after = float(x[split:].sum() / n_after)
    start = split + int(np.argmax(m[split:] > 0))  # the first period with answers after the split
    return Fall(start, before, after, before - after, float(r[k]), n_before, n_after)


def pending_fall(
    successes_by_period: ArrayLike,
    n_by_period: ArrayLike,
    *,
    critical: float = ALERT_CRITICAL,
    min_before: int = MIN_BEFORE,
    min_after: int = MIN_AFTER,
) -> Fall | None:
    """A fall beyond the limit that rests on fewer than ``min_after`` answers after it began,
    when :func:`find_fall` raises no alert; else ``None``.

    It is not an alert: the rate of so few answers may be anything (1 of 4 satisfied at a unit
    whose rate is 97 %), and the page says that it is too early to judge rather than staying
    silent about what its chart shows. Its ``n_after`` is below ``min_after``.

    Examples
    --------
    >>> f = pending_fall([2, 3, 2, 2, 2, 2, 5, 0, 1, 0], [3, 3, 2, 2, 2, 2, 5, 1, 1, 2])
    >>> f.start_index, f.n_before, f.n_after, round(f.before, 4), f.after
    (7, 19, 4, 0.9474, 0.25)
    >>> pending_fall([180, 182, 179, 181, 165, 163, 160], [200] * 7) is None  # an alert
    True
    """
    if find_fall(successes_by_period, n_by_period, critical=critical, min_before=min_before,
                 min_after=min_after) is not None:
        return None
    return find_fall(successes_by_period, n_by_period, critical=critical, min_before=min_before,
                     min_after=0)


def detect_drop(
    successes_by_period: ArrayLike,
    n_by_period: ArrayLike,
    *,
    labels: Sequence[str],
) -> str | None:
    """The label of the period where a fall in the rate began, or ``None`` (:func:`find_fall`).

    Examples
    --------
    >>> detect_drop([180, 182, 179, 181, 160, 158], [200] * 6,
    ...             labels=["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"])
    '2026-05'
    >>> detect_drop([180, 182, 179, 181], [200] * 4, labels=["Q1", "Q2", "Q3", "Q4"]) is None
    True
    """
    if len(labels) != np.asarray(n_by_period).size:
        raise ValueError(f"labels has {len(labels)} entries but there are "
                         f"{np.asarray(n_by_period).size} periods")
    fall = find_fall(successes_by_period, n_by_period)
    return None if fall is None else labels[fall.start_index]
