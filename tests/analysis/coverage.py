"""Coverage of the interval methods: exact for one proportion, simulated for composites.

Run ``python -m tests.analysis.coverage`` to print the table that ``docs/methodology.md`` and
``docs/phuong-phap.md`` reproduce.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis import ItemStats, composite, proportions
from analysis.proportions import METHODS

SIZES = (10, 30, 100, 1000)
RATES = (0.5, 0.8, 0.9, 0.95, 0.99)


def exact_coverage(n: int, p: float, method: str, level: float = 0.95) -> float:
    """Σ_x P(X = x) over the outcomes x whose interval contains p (no simulation noise)."""
    x = np.arange(n + 1)
    r = proportions(x, np.full(n + 1, n), confidence_level=level, method=method)
    covered = (r.ci_low <= p) & (p <= r.ci_high)
    return float(stats.binom.pmf(x, n, p)[covered].sum())


def composite_coverage(n: int, p: float, *, reps: int, seed: int, items: int = 3,
                       rho: float = 0.5, skip: float = 0.1) -> float:
    """Share of simulated groups whose component-index interval contains the true index p.

    Each of ``n`` respondents answers ``items`` correlated items (with probability ``rho`` an
    item copies the respondent's common satisfied/unsatisfied draw, else it is drawn afresh,
    both with rate p) and skips each item with probability ``skip``.
    """
    rng = np.random.default_rng(seed)
    common = rng.random((reps, n, 1)) < p
    fresh = rng.random((reps, n, items)) < p
    copy = rng.random((reps, n, items)) < rho
    a = (rng.random((reps, n, items)) >= skip).astype(np.float64)
    y = np.where(copy, common, fresh) * a
    yt, at = y.transpose(0, 2, 1), a.transpose(0, 2, 1)
    yy = yt @ y
    ya = yt @ a
    aa = at @ a
    weights = np.full(items, 1.0 / items)
    hits = total = 0
    for r in range(reps):
        st = ItemStats(aa[r].diagonal(), yy[r].diagonal(), yy[r], ya[r], aa[r], n)
        if np.any(st.n == 0):
            continue
        e = composite(st, weights)
        total += 1
        hits += e.ci_low <= p <= e.ci_high
    return hits / total


def table(reps: int = 4000) -> str:
    lines = ["| n | p | " + " | ".join(METHODS) + " | composite (simulated) |",
             "|---|---|" + "---|" * (len(METHODS) + 1)]
    for n in SIZES:
        for p in RATES:
            cells = [f"{100 * exact_coverage(n, p, m):.1f}" for m in METHODS]
            cells.append(f"{100 * composite_coverage(n, p, reps=reps, seed=n):.1f}")
            lines.append(f"| {n} | {p} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
