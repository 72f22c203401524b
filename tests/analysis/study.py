"""The coverage study of SPEC §4: ``make coverage-study`` prints the tables of the methodology.

Every table gives the share (in %) of simulated 95 % intervals that cover the truth, the share of
in-control units that a funnel flags, or the share of in-control units that raise a drop alert,
with the largest Monte-Carlo standard error of the table. The simulations are those of
:mod:`tests.analysis.simulation`; ``tests/analysis/test_simulation.py`` checks the same grid
(marked ``slow``) and a few cells of it in the fast suite.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis import funnel_limits
from tests.analysis.coverage import exact_coverage
from tests.analysis.simulation import (
    SKIPS,
    WEIGHTED_SCENARIOS,
    composite_cell,
    false_alarm_rate,
    weighted_cell,
)

SIZES = (30, 50, 100, 300)
RATES = (0.80, 0.85, 0.90, 0.95, 0.98)
PER_MONTH = (5, 10, 30, 100, 300)
REPS = 10000
"""Replicates a cell of the interval tables: Monte-Carlo s.e. at most 0.25 points."""
ALERT_REPS = 40000
"""Series a cell of the alert table: Monte-Carlo s.e. at most 0.11 points near 5 %."""


def mc_error(share: float, reps: int) -> float:
    """Binomial Monte-Carlo standard error of a simulated share, in points."""
    return 100.0 * float(np.sqrt(share * (1.0 - share) / reps))


def composite_table(reps: int = REPS) -> tuple[list[str], float]:
    rows = ["| n | skips | " + " | ".join(f"{p:.2f}" for p in RATES) + " |",
            "|---|---|" + "---|" * len(RATES)]
    worst = 0.0
    for n in SIZES:
        for skip in SKIPS:
            cells = []
            for i, p in enumerate(RATES):
                c = composite_cell(n, p, skip, reps=reps, seed=1000 * n + 10 * i + len(skip))
                low, high = min(c.components), max(c.components)
                worst = max(worst, mc_error(min(low, c.sipas), reps))
                cells.append(f"{100 * low:.1f}–{100 * high:.1f} / {100 * c.sipas:.1f}")
            rows.append(f"| {n} | {skip} | " + " | ".join(cells) + " |")
    return rows, worst


def weighted_table(reps: int = REPS) -> tuple[list[str], float]:
    rows = ["| province | " + " | ".join(f"{p:.2f}" for p in RATES) + " |",
            "|---|" + "---|" * len(RATES)]
    worst = 0.0
    for s, scenario in enumerate(WEIGHTED_SCENARIOS):
        cells = []
        for i, p in enumerate(RATES):
            c = weighted_cell(scenario, p, reps=reps, seed=100 * s + i)
            worst = max(worst, mc_error(c, reps))
            cells.append(f"{100 * c:.1f}")
        rows.append(f"| {scenario} | " + " | ".join(cells) + " |")
    return rows, worst


def funnel_flag_rate(theta: float, n: int, level: float) -> float:
    """Exact probability that an in-control unit falls outside the funnel (no simulation)."""
    f = funnel_limits(theta, [n], levels=(level,))
    x = np.arange(n + 1)
    pmf = stats.binom.pmf(x, n, theta)
    return float(pmf[(x / n < f.lower[0, 0]) | (x / n > f.upper[0, 0])].sum())


def funnel_table() -> list[str]:
    rows = ["| θ₀ | " + " | ".join(f"n = {n}" for n in (10, *SIZES, 1000)) + " |",
            "|---|" + "---|" * (len(SIZES) + 2)]
    for theta in RATES:
        cells = [f"{100 * funnel_flag_rate(theta, n, 0.95):.1f} / "
                 f"{100 * funnel_flag_rate(theta, n, 0.998):.2f}" for n in (10, *SIZES, 1000)]
        rows.append(f"| {theta:.2f} | " + " | ".join(cells) + " |")
    return rows


def alert_table(reps: int = ALERT_REPS) -> tuple[list[str], float]:
    rows = ["| answers a month | " + " | ".join(f"{p:.2f}" for p in RATES) + " |",
            "|---|" + "---|" * len(RATES)]
    worst = 0.0
    for j, m in enumerate(PER_MONTH):
        cells = []
        for i, p in enumerate(RATES):
            rate = false_alarm_rate(p, m, reps=reps, seed=7000 + 10 * j + i)
            worst = max(worst, mc_error(rate, reps))
            cells.append(f"{100 * rate:.2f}")
        rows.append(f"| {m} | " + " | ".join(cells) + " |")
    return rows, worst


def wilson_average_table() -> list[str]:
    rows = ["| n | mean over p in 0.80–0.98 | mean over p in 0.005–0.995 |", "|---|---|---|"]
    for n in SIZES:
        narrow = np.mean([exact_coverage(n, p, "wilson") for p in np.linspace(0.80, 0.98, 91)])
        wide = np.mean([exact_coverage(n, p, "wilson") for p in np.linspace(0.005, 0.995, 199)])
        rows.append(f"| {n} | {100 * narrow:.2f} | {100 * wide:.2f} |")
    return rows


def main(reps: int = REPS, alert_reps: int = ALERT_REPS) -> None:
    comp, e1 = composite_table(reps)
    weighted, e2 = weighted_table(reps)
    alerts, e3 = alert_table(alert_reps)
    print(f"Components (lowest–highest of the five) / sipas, coverage %, {reps} replicates a "
          f"cell, Monte-Carlo s.e. at most {e1:.2f} points:\n" + "\n".join(comp) + "\n")
    print(f"Post-stratified rate, coverage %, Monte-Carlo s.e. at most {e2:.2f} points:\n"
          + "\n".join(weighted) + "\n")
    print("Funnel, exact share of in-control units outside the 95 % / 99.8 % limits, %:\n"
          + "\n".join(funnel_table()) + "\n")
    print(f"Drop alert, in-control units alerting at any monthly look over a year, %, "
          f"{alert_reps} series a cell, Monte-Carlo s.e. at most {e3:.2f} points:\n"
          + "\n".join(alerts) + "\n")
    print("Wilson interval of one item rate, exact coverage averaged over p, %:\n"
          + "\n".join(wilson_average_table()))


if __name__ == "__main__":
    main()
