"""Per-unit satisfaction with 95 % intervals: this library against samplics.

Builds 1,000,000 synthetic responses across 500 units in memory and computes each unit's
satisfaction rate twice:

- ``analysis``: counts per unit with ``numpy.bincount`` (what SQL ``GROUP BY`` returns), then
  :func:`analysis.proportions` (Wilson), plus the linearized variance of
  :func:`analysis.index_batch` (the composite machinery at one item);
- ``samplics``: ``TaylorEstimator(PopParam.prop).estimate(y, domain=unit)``, Taylor
  linearization with each response its own PSU, and its logit interval (samplics offers no
  Wilson interval).

Compared: point estimates (must agree to 1e-9) and standard errors (samplics treats each unit
as a domain of the whole sample of N responses and its with-replacement variance carries
N/(N − 1); ours is p(1 − p)/n, so ours is scaled by N/(N − 1) before comparing).
The intervals use different methods (Wilson against logit), so their difference is printed for
information only. Budget (issue #3): at least 5x faster, estimates equal to 1e-9.

    .venv/bin/pip install samplics && .venv/bin/python bench/analysis_vs_samplics.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from analysis import index_batch, proportions

ROWS, UNITS = 1_000_000, 500


def ours(unit: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    n = np.bincount(unit, minlength=UNITS).astype(np.float64)
    s = np.bincount(unit, weights=y, minlength=UNITS)
    r = proportions(s, n)
    m = n[:, None, None]
    b = index_batch(n[:, None], s[:, None], s[:, None, None], s[:, None, None], m,
                    np.ones((UNITS, 1)))
    return {"estimate": r.value, "low": r.ci_low, "high": r.ci_high,
            "stderror": np.sqrt(b.variance * ROWS / (ROWS - 1))}


def theirs(unit: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics import PopParam, TaylorEstimator

        est = TaylorEstimator(PopParam.prop)
        est.estimate(y=y, domain=unit, remove_nan=False)
    def pick(table: dict) -> np.ndarray:  # {unit: {0: value for y=0, 1: value for y=1}}
        return np.array([table[u][1] for u in range(UNITS)], dtype=np.float64)
    return {"estimate": pick(est.point_est), "low": pick(est.lower_ci),
            "high": pick(est.upper_ci), "stderror": pick(est.stderror)}


def main() -> None:
    rng = np.random.default_rng(766)
    unit = rng.integers(0, UNITS, size=ROWS)
    rate = rng.beta(18, 3, size=UNITS)
    y = (rng.random(ROWS) < rate[unit]).astype(np.float64)

    t0 = time.perf_counter()
    a = ours(unit, y)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    b = theirs(unit, y)
    t_theirs = time.perf_counter() - t0

    print(f"{ROWS:,} responses, {UNITS} units")
    print(f"  analysis: {t_ours:.3f} s   samplics: {t_theirs:.3f} s   "
          f"ratio: {t_theirs / t_ours:.0f}x faster (budget >= 5x)")
    print(f"  largest difference, point estimates: {np.max(np.abs(a['estimate'] - b['estimate'])):.2e}"
          " (budget 1e-9)")
    print(f"  largest difference, standard errors: {np.max(np.abs(a['stderror'] - b['stderror'])):.2e}")
    print(f"  largest difference, interval bounds (Wilson vs logit, not the same method): "
          f"{max(np.max(np.abs(a['low'] - b['low'])), np.max(np.abs(a['high'] - b['high']))):.2e}")


if __name__ == "__main__":
    main()
