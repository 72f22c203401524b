"""Coverage of the intervals over n ∈ {10, 30, 100, 1000} and p ∈ {0.5, …, 0.99}.

One-proportion coverage is computed exactly by summing the binomial pmf over all outcomes; the
composite interval is simulated with a fixed seed. The full table is in docs/methodology.md.
"""

from __future__ import annotations

import pytest

from tests.analysis.coverage import RATES, composite_coverage, exact_coverage

pytestmark = pytest.mark.slow  # Monte-Carlo: `make test-fast` leaves it out

# Wilson's exact coverage oscillates with n and p (Brown, Cai & DasGupta 2001, fig. 5), and two
# cells of the grid fall just outside 93–97 %. At n = 100, p = 0.99 (one expected unsatisfied
# answer) it is 92.06 %, because the interval for 97/100 ends at 0.9898 < 0.99; at n = 30,
# p = 0.9 it is 97.42 %. These are properties of the Wilson interval that SPEC §4 prescribes,
# documented in the methodology, so the test pins the exact values instead of hiding them.
KNOWN_DIPS = {(100, 0.99): 0.92063, (30, 0.9): 0.97417}


@pytest.mark.parametrize("n", [30, 100, 1000])
@pytest.mark.parametrize("p", RATES)
def test_wilson_exact_coverage_is_near_nominal(n, p):
    coverage = exact_coverage(n, p, "wilson")
    if (n, p) in KNOWN_DIPS:
        assert coverage == pytest.approx(KNOWN_DIPS[(n, p)], abs=1e-5)
    else:
        assert 0.93 <= coverage <= 0.97


def test_wilson_coverage_at_n_30_and_p_099_matches_hand_calculation():
    # Covered iff X >= 29: 0.99**30 + 30 * 0.01 * 0.99**29 = 0.96385...
    assert exact_coverage(30, 0.99, "wilson") == pytest.approx(0.99**30 + 30 * 0.01 * 0.99**29)


@pytest.mark.parametrize("n", [30, 100, 1000])
def test_composite_interval_covers_near_nominal(n):
    for p in RATES:
        coverage = composite_coverage(n, p, reps=1500, seed=7)
        assert 0.93 <= coverage <= 0.97, (n, p, coverage)


def test_clopper_pearson_never_undercovers():
    assert min(exact_coverage(n, p, "clopper_pearson") for n in (10, 30, 100)
               for p in RATES) >= 0.95
