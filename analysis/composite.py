"""Composite indices (component indices and ``sipas``) from sufficient statistics.

A respondent usually answers several items, and their answers are correlated, so the items of a
component are not independent samples. The interval therefore comes from Taylor linearization
over respondents (Lumley, *Complex Surveys*, §2.3 and §3.4; Woodruff 1971), computed entirely from
per-group sums and cross-products that SQL ``GROUP BY`` can return, corrected for the small
number of respondents behind it (towards m/(m − 1) and a t quantile on m − 1 degrees of
freedom, as far as the items carry more information than the respondents), then
turned into a Wilson interval at the effective sample size so that it stays in [0, 1] and never
collapses to a point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.estimate import Estimate, InsufficientDataError, check_level
from analysis.proportions import critical_value, t_critical, wilson_bounds

__all__ = ["SIPAS_COMPONENTS", "IndexBatch", "ItemStats", "component_indices", "composite",
           "index_batch", "sipas_index"]

SIPAS_COMPONENTS = ("access", "procedure", "staff", "result", "feedback")
DEFF_FLOOR_INVERSE = 2.0
"""The effective size of an index is at most this many times its answers (design effect ≥ 1/2)."""
Floats = NDArray[np.float64]


def _vector(name: str, values: ArrayLike) -> Floats:
    out = np.array(values, dtype=np.float64)
    if out.ndim != 1 or not np.isfinite(out).all() or (out < 0).any():
        raise ValueError(f"{name} must be a 1-d array of non-negative numbers, got {values!r}")
    return out


def _matrix(name: str, values: ArrayLike, k: int) -> Floats:
    out = np.array(values, dtype=np.float64)
    if out.shape != (k, k) or not np.isfinite(out).all():
        raise ValueError(f"{name} must be a finite {k}x{k} matrix, got shape {out.shape}")
    return out


@dataclass(frozen=True)
class ItemStats:
    """Sufficient statistics of k items in one group of respondents.

    With y_ij = 1 when respondent i answered item j with 4 or 5 (else 0) and a_ij = 1 when they
    answered item j at all (else 0):

    Attributes
    ----------
    n : array (k,)
        Answers per item, Σ_i a_ij.
    s : array (k,)
        Satisfied answers per item, Σ_i y_ij.
    yy, ya, aa : arrays (k, k)
        Cross-moments Σ_i y_ij y_ik, Σ_i y_ij a_ik and Σ_i a_ij a_ik. Their diagonals are s, s
        and n.
    respondents : int
        Respondents in the group.
    counts : array (k,) or None
        Raw answer counts when the statistics are weighted (then n and s are Σ w·a and Σ w·y and
        the cross-moments carry w²); ``None`` means ``n`` already holds the counts.

    Examples
    --------
    >>> y = np.array([[1, 1], [1, 0], [0, 0]])
    >>> a = np.array([[1, 1], [1, 1], [1, 0]])
    >>> st = ItemStats.from_indicators(y, a)
    >>> st.n.tolist(), st.s.tolist(), st.ya.tolist()
    ([3.0, 2.0], [2.0, 1.0], [[2.0, 2.0], [1.0, 1.0]])
    """

    n: Floats
    s: Floats
    yy: Floats
    ya: Floats
    aa: Floats
    respondents: int
    counts: Floats | None = field(default=None)

    def __post_init__(self) -> None:
        n = _vector("n", self.n)
        s = _vector("s", self.s)
        k = n.shape[0]
        if s.shape != n.shape or (s > n).any():
            raise ValueError(f"need 0 <= s <= n item by item, got s={self.s!r}, n={self.n!r}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "s", s)
        for name in ("yy", "ya", "aa"):
            object.__setattr__(self, name, _matrix(name, getattr(self, name), k))
        if self.counts is not None:
            object.__setattr__(self, "counts", _vector("counts", self.counts))
        if int(self.respondents) < 0:
            raise ValueError(f"respondents must be >= 0, got {self.respondents!r}")

    @property
    def k(self) -> int:
        """The number of items."""
        return int(self.n.shape[0])

    @classmethod
    def from_indicators(
        cls, y: ArrayLike, a: ArrayLike, *, weights: ArrayLike | None = None
    ) -> ItemStats:
        """Build the statistics from respondent-level 0/1 matrices (respondents × items).

        This is what SQL computes with ``SUM(y_j * y_k)`` etc.; it is here for tests, benches
        and analysts holding raw data. Optional ``weights`` (one per respondent) give weighted
        statistics.
        """
        y_ = np.asarray(y, dtype=np.float64)
        a_ = np.asarray(a, dtype=np.float64)
        if y_.shape != a_.shape or y_.ndim != 2 or np.any(y_ > a_):
            raise ValueError("y and a must be equal-shaped 2-d 0/1 arrays with y <= a")
        w = np.ones(y_.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
        wy, wa = y_ * w[:, None], a_ * w[:, None]
        return cls(
            n=wa.sum(axis=0), s=wy.sum(axis=0), yy=wy.T @ wy, ya=wy.T @ wa, aa=wa.T @ wa,
            respondents=int(y_.shape[0]),
            counts=None if weights is None else a_.sum(axis=0),
        )


def linearized_variance(stats: ItemStats, weights: Floats) -> float:
    """Var(Σ_j w_j p̂_j) by linearization over respondents (see :func:`composite`)."""
    used = weights != 0
    p = np.divide(stats.s, stats.n, out=np.zeros(stats.k), where=used)
    c = np.divide(weights, stats.n, out=np.zeros(stats.k), where=used)
    yap = stats.ya * p[None, :]
    m = stats.yy - yap - yap.T + stats.aa * np.outer(p, p)
    return max(float(c @ m @ c), 0.0)


def composite(
    stats: ItemStats, weights: ArrayLike, *, confidence_level: float = 0.95
) -> Estimate:
    """A linear combination θ = Σ_j w_j p_j of item rates, with a linearization interval.

    Parameters
    ----------
    stats : ItemStats
        Sufficient statistics of the group.
    weights : array_like (k,)
        Coefficients w_j; items with weight 0 are ignored and may have no answers.
    confidence_level : float
        Nominal coverage, default 0.95.

    Returns
    -------
    Estimate
        ``method="linearization-wilson"`` when the weights are non-negative and sum to 1 (an
        index that is itself a proportion), else ``"linearization-wald"``.

    Notes
    -----
    Each p̂_j = s_j/n_j is a ratio; its influence for respondent i is (y_ij − p̂_j a_ij)/n_j.
    The influence of θ̂ is u_i = Σ_j c_j (y_ij − p̂_j a_ij) with c_j = w_j/n_j, and
    Var(θ̂) = Σ_i u_i² = cᵀ M c, where

        M_jk = yy_jk − p̂_k ya_jk − p̂_j ya_kj + p̂_j p̂_k aa_jk.

    For an index (w ≥ 0, Σ w = 1) of two or more items a small-sample correction follows.
    With m respondents (taken as the largest number of answers to one of its items) and
    n₀ = θ̂(1 − θ̂)/Var(θ̂) the uncorrected effective size, let λ = max(0, 1 − m/n₀). The
    variance is multiplied by 1 + λ/(m − 1) and the quantile is √(z² + λ(t² − z²)), t being
    Student's on m − 1 degrees of freedom. When the items add information beyond the m
    respondents (n₀ ≫ m, as for ``sipas``: n₀ ≈ 170–225 at m = 30) the variance is estimated
    from only m clusters, and λ → 1 gives the usual m/(m − 1) factor (Lumley 2010, §2.2) and the
    t quantile. When the index holds no more than one answer per respondent (n₀ ≤ m, items
    answered alike) the variance has the binomial form of a single rate, Wilson's interval
    needs no correction, and λ = 0. Without it ``sipas`` covered 92.4–93.3 % at m = 30 in the
    simulation of ``tests/analysis/simulation.py``; the full correction whatever n₀ made
    two-item components cover up to 97.5 %. The interval is then Wilson's, with that quantile,
    at the corrected effective size n_eff = θ̂(1 − θ̂)/Var(θ̂), capped at twice the total number
    of answers (a design effect of 1/2). An earlier cap at the answers themselves (design effect
    ≥ 1) was the cause of over-coverage near 98 %: there the few unsatisfied answers are mostly
    in different respondents, the linearized variance often falls below the binomial one by
    chance (in half the samples for a two-item component at 0.95), and the cap only ever
    widened the interval (``sipas`` covered 97.4 % at m = 30, 0.98; 95.8 % with the looser
    cap). The looser cap still stops a collapse when items are answered in a complementary
    way. With it every cell of the grid lies within 93.2–97.0 % (10,000 replicates a cell;
    ``docs/methodology.md`` has the table); the components reach 96–97 % at rates of 0.95 and
    above, where, as for Wilson's interval of one rate, unsatisfied answers are too few for the
    interval to miss on the high side. When Var(θ̂) = 0 (every answer satisfied, or none) n_eff
    falls back to 1/(Σ_j w_j/√n_j)², the size under perfectly correlated items, so the interval
    does not collapse. A single item (one weight) gets no
    correction: its interval is exactly the Wilson interval of its rate. Otherwise (weights of
    either sign, or not summing to 1) the interval is θ̂ ± z√Var, clipped to [Σ w⁻, Σ w⁺].

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, ch. 2–3.
    Kish, L. (1965). Survey Sampling, §8.2 (design effect, effective sample size).

    Examples
    --------
    >>> y = np.array([[1, 1], [1, 1], [0, 1], [1, 0], [1, 1]])
    >>> st = ItemStats.from_indicators(y, np.ones_like(y))
    >>> e = composite(st, [0.5, 0.5])
    >>> round(e.value, 3), round(e.ci_low, 4), round(e.ci_high, 4), e.method
    (0.8, 0.4348, 0.9541, 'linearization-wilson')
    """
    level = check_level(confidence_level)
    w = np.array(weights, dtype=np.float64)
    if w.shape != (stats.k,) or not np.isfinite(w).all() or not w.any():
        raise ValueError(f"weights must be {stats.k} finite numbers, not all 0, got {weights!r}")
    used = w != 0
    if (stats.n[used] <= 0).any():
        j = int(np.flatnonzero(used & (stats.n <= 0))[0])
        raise InsufficientDataError(f"item {j} has no answers")
    counts = stats.n if stats.counts is None else stats.counts
    if (w >= 0).all() and abs(float(w.sum()) - 1.0) <= 1e-9:
        r = index_batch(stats.n[None], stats.s[None], stats.yy[None], stats.ya[None],
                        stats.aa[None], w[None], counts=counts[None], confidence_level=level)
        return Estimate(float(r.value[0]), float(r.ci_low[0]), float(r.ci_high[0]),
                        int(r.n[0]), "linearization-wilson", level, float(r.effective_n[0]))
    p = np.divide(stats.s, stats.n, out=np.zeros(stats.k), where=used)
    theta = float(w @ p)
    var = linearized_variance(stats, w)
    half = critical_value(level) * var**0.5
    lo_lim, hi_lim = float(w[w < 0].sum()), float(w[w > 0].sum())
    return Estimate(theta, max(theta - half, lo_lim), min(theta + half, hi_lim),
                    round(float(np.max(counts[used]))), "linearization-wald", level)


@dataclass(frozen=True, slots=True)
class IndexBatch:
    """Indices of G groups at once (see :func:`index_batch`)."""

    value: Floats
    ci_low: Floats
    ci_high: Floats
    n: NDArray[np.int64]
    effective_n: Floats
    variance: Floats


def index_batch(
    n: Floats, s: Floats, yy: Floats, ya: Floats, aa: Floats, weights: Floats, *,
    counts: Floats | None = None, confidence_level: float = 0.95, small_sample: bool = True,
) -> IndexBatch:
    """The ``linearization-wilson`` index of :func:`composite` for G groups in one pass.

    Parameters
    ----------
    n, s : arrays (G, k)
    yy, ya, aa : arrays (G, k, k)
        As in :class:`ItemStats`, one row per group.
    weights : array (G, k)
        Non-negative weights summing to 1 in each row; every item with a weight must have
        answers in that group. Not checked here: :func:`composite` checks them.
    counts : array (G, k), optional
        Raw answer counts when the statistics are weighted.
    confidence_level : float
    small_sample : bool
        Apply the small-sample correction of :func:`composite` (default). ``False`` is there
        for the coverage study, to show what the correction buys.

    Returns
    -------
    IndexBatch
        :func:`composite` itself calls this with G = 1, so both agree to the last bit.
    """
    used = weights != 0
    zeros = np.zeros(n.shape)
    p = np.divide(s, n, out=zeros.copy(), where=used)
    c = np.divide(weights, n, out=zeros.copy(), where=used)
    yap = ya * p[:, None, :]
    m = yy - yap - yap.transpose(0, 2, 1) + aa * (p[:, :, None] * p[:, None, :])
    var = np.maximum(np.einsum("gj,gjk,gk->g", c, m, c), 0.0)
    theta = np.clip(np.einsum("gj,gj->g", weights, p), 0.0, 1.0)
    diag = aa.diagonal(axis1=1, axis2=2)
    kish = np.divide(n * n, diag, out=zeros.copy(), where=used & (diag > 0))
    # The design effect may fall below 1 by chance (few, scattered unsatisfied answers), but not
    # below 1/2: n_eff is at most twice the answers, so complementary items cannot collapse it.
    n_total = DEFF_FLOOR_INVERSE * kish.sum(axis=1)
    root = np.sqrt(kish)
    spread = np.divide(weights, root, out=zeros.copy(), where=used & (root > 0)).sum(axis=1)
    n_corr = 1.0 / spread**2
    raw = n if counts is None else counts
    # Small-sample correction (see composite's Notes): with m respondents behind an index of
    # several items, the variance is scaled by 1 + λ/(m − 1) and the quantile moves towards
    # Student's t on m − 1 degrees of freedom, by λ = 1 − m/n₀ (0 when n₀ ≤ m). m is the largest
    # number of answers to one item: the respondents who answered the index, at the least.
    m = np.where(used, raw, 0.0).max(axis=1)
    several = (used.sum(axis=1) > 1) & (m > 1.0) & small_sample
    ok = (var > 0.0) & (theta > 0.0) & (theta < 1.0)
    n_raw = np.where(ok, np.minimum(theta * (1.0 - theta) / np.where(ok, var, 1.0), n_total),
                     n_corr)
    blend = np.where(several, np.clip(1.0 - m / np.maximum(n_raw, 1e-12), 0.0, 1.0), 0.0)
    df = np.where(several, m - 1.0, 1.0)
    var = var * (1.0 + blend / df)
    z = critical_value(confidence_level)
    t_q = t_critical(confidence_level, df)
    critical = np.sqrt(z * z + blend * (t_q * t_q - z * z))
    n_eff = np.where(ok, np.minimum(theta * (1.0 - theta) / np.where(ok, var, 1.0), n_total),
                     n_corr)
    low, high = wilson_bounds(theta, n_eff, confidence_level=confidence_level, critical=critical)
    n_report = np.rint(m).astype(np.int64)
    return IndexBatch(theta, low, high, n_report, n_eff, var)


def _component_weights(stats: ItemStats, item_components: Sequence[str]) -> dict[str, Floats]:
    if len(item_components) != stats.k:
        raise ValueError(
            f"item_components names {len(item_components)} items but the statistics hold {stats.k}"
        )
    names = np.asarray(item_components, dtype=object)
    out: dict[str, Floats] = {}
    for name in dict.fromkeys(item_components):
        present = (names == name) & (stats.n > 0)
        if present.any():
            out[name] = present / float(present.sum())
    return out


def component_indices(
    stats: ItemStats, item_components: Sequence[str], *, confidence_level: float = 0.95
) -> dict[str, Estimate]:
    """Component index I_c = mean of the rates of the items of c that have answers.

    Parameters
    ----------
    stats : ItemStats
    item_components : sequence of str
        The component of each item, in the order of ``stats`` (e.g. ``"staff"`` for
        ``staff.courteous``).
    confidence_level : float

    Returns
    -------
    dict
        One :func:`composite` estimate per component that has at least one answered item;
        components without answers are absent.

    Examples
    --------
    >>> y = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]])
    >>> st = ItemStats.from_indicators(y, np.ones_like(y))
    >>> res = component_indices(st, ["staff", "staff", "result"])
    >>> {k: round(v.value, 4) for k, v in res.items()}
    {'staff': 0.6667, 'result': 0.6667}
    """
    return {
        name: composite(stats, w, confidence_level=confidence_level)
        for name, w in _component_weights(stats, item_components).items()
    }


def sipas_index(
    stats: ItemStats,
    item_components: Sequence[str],
    *,
    confidence_level: float = 0.95,
    components: Sequence[str] = SIPAS_COMPONENTS,
) -> Estimate | None:
    """``sipas`` = mean of the five component indices, or ``None`` unless all five have answers.

    Its weights are w_j = 1/(5·k_c) for the k_c answered items of each component c, and the
    interval is that of :func:`composite`, which allows for the correlation between the
    components answered by the same respondent.

    Examples
    --------
    >>> y = np.array([[1, 1, 1, 1, 1], [1, 0, 1, 1, 0], [1, 1, 1, 0, 1]])
    >>> st = ItemStats.from_indicators(y, np.ones_like(y))
    >>> round(sipas_index(st, list(SIPAS_COMPONENTS)).value, 4)
    0.8
    >>> sipas_index(st, ["access", "staff", "staff", "result", "feedback"]) is None
    True
    """
    per: Mapping[str, Floats] = _component_weights(stats, item_components)
    if any(c not in per for c in components):
        return None
    w = sum((per[c] for c in components), np.zeros(stats.k)) / len(components)
    return composite(stats, w, confidence_level=confidence_level)
