"""Responses needed, honestly (SPEC §4): even chance, 80 % chance, and the plausible limit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import proportion, verdict
from analysis.proportions import proportions


def _chance_of_a_decision(total: int, p: float, t: float) -> float:
    """Exact P(the Wilson interval at ``total`` answers excludes t) when the true rate is p."""
    x = np.arange(total + 1)
    r = proportions(x, np.full(total + 1, total))
    decided = (r.ci_low >= t) | (r.ci_high < t)
    return float(stats.binom.pmf(x, total, p)[decided].sum())


@pytest.mark.parametrize(("x", "n", "t"), [
    (90, 100, 0.85), (114, 120, 0.9), (57, 60, 0.9), (85, 100, 0.9), (93, 100, 0.9),
    (44, 50, 0.8), (190, 200, 0.92), (190, 195, 0.95), (195, 200, 0.95), (290, 300, 0.95),
])
def test_the_two_figures_give_about_an_even_and_an_80_percent_chance(x, n, t):
    v = verdict(proportion(x, n), threshold=t, operator=">=", dossiers=10**9)
    assert v.status == "inconclusive"
    assert v.responses_needed is not None
    assert v.responses_for_80 is not None
    assert v.responses_for_80 > v.responses_needed
    assert 0.40 <= _chance_of_a_decision(n + v.responses_needed, x / n, t) <= 0.60
    assert 0.74 <= _chance_of_a_decision(n + v.responses_for_80, x / n, t) <= 0.86


def test_a_rate_too_close_to_the_target_is_said_so_and_no_number_is_offered_for_80():
    # Sở Tư pháp on the demo: 95.0 % of 119 against "tối thiểu 95 %".
    v = verdict(proportion(113, 119), threshold=0.95, operator=">=")
    assert v.responses_needed is not None
    assert v.responses_needed > 10 * 119
    assert v.too_close
    assert v.responses_for_80 is None


def test_the_limit_is_the_dossiers_when_they_are_known():
    est = proportion(90, 100)
    needed = verdict(est, threshold=0.85, operator=">=").responses_needed
    assert needed is not None
    assert not verdict(est, threshold=0.85, operator=">=", dossiers=100 + needed).too_close
    assert verdict(est, threshold=0.85, operator=">=", dossiers=99 + needed).too_close
    # without volumes: ten times the answers so far
    assert verdict(proportion(9, 10), threshold=0.85, operator=">=").too_close


def test_insufficient_keeps_the_gap_to_min_n_and_an_estimate_at_the_target_is_too_close():
    v = verdict(proportion(5, 6), threshold=0.9, operator=">=")
    assert (v.status, v.at_least) == ("insufficient", 24)
    assert v.responses_needed is not None
    assert v.responses_needed >= 24
    at = verdict(proportion(90, 100), threshold=0.9, operator=">=")
    assert (at.responses_needed, at.too_close) == (None, True)
    decided = verdict(proportion(99, 100), threshold=0.8, operator=">=")
    assert (decided.status, decided.too_close, decided.responses_for_80) == ("met", False, None)
