"""Funnel limits, shrinkage, p-value adjustment, trends, drops, alpha and Decision 766."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import (
    DECISION_766_LABEL,
    InsufficientDataError,
    adjust_pvalues,
    cronbach_alpha,
    cusum_drop,
    decision_766,
    detect_drop,
    funnel_limits,
    shrink,
    trend_test,
)

# --- funnel limits --------------------------------------------------------------------------


def test_funnel_limits_are_exact_binomial_counts():
    f = funnel_limits(0.9, [30])
    # Oracle with scipy: F(22) = 0.00804… ≤ 0.025 < F(23) = 0.02581…, so counts below 23 are
    # outside: the limit is 23/30, not Spiegelhalter's interpolated 0.76514 (which flags 23).
    assert stats.binom.cdf(22, 30, 0.9) <= 0.025 < stats.binom.cdf(23, 30, 0.9)
    assert f.lower[0, 0] == 23 / 30
    assert f.upper[0, 0] == stats.binom.ppf(0.975, 30, 0.9) / 30 == 1.0


@pytest.mark.parametrize("theta", [0.5, 0.8, 0.85, 0.9, 0.95, 0.98])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_an_in_control_unit_is_flagged_at_most_at_the_nominal_rate(theta, level):
    """Exact flag rates (sums of the binomial pmf), for every n from 1 to 400."""
    n = np.arange(1, 401)
    f = funnel_limits(theta, n, levels=(level,))
    tail = (1 - level) / 2
    for size, low, high in zip(n, f.lower[0], f.upper[0], strict=True):
        x = np.arange(size + 1)
        pmf = stats.binom.pmf(x, size, theta)
        below, above = pmf[x / size < low].sum(), pmf[x / size > high].sum()
        assert below <= tail + 1e-12, (size, below)
        assert above <= tail + 1e-12, (size, above)
        # ...and the limits are as tight as that allows: one step in would pass α/2.
        if low > 0:
            assert pmf[x / size <= low].sum() > tail
        if high < 1:
            assert pmf[x / size >= high].sum() > tail


def test_a_unit_at_thirty_of_thirty_is_inside_the_998_funnel_around_090():
    assert stats.binom.pmf(30, 30, 0.9) == pytest.approx(0.0424, abs=1e-4)  # not improbable
    f = funnel_limits(0.9, [30], levels=(0.998, 0.95))
    assert f.upper[0, 0] == 1.0
    assert f.upper[1, 0] == 1.0
    # Around 0.98 it takes a small n: 30/30 has P = 0.545, still inside; 0/1 at 0.999 is outside.
    assert funnel_limits(0.98, [30]).upper[0, 0] == 1.0
    assert funnel_limits(0.999, [1]).lower[0, 0] == 1.0


def test_funnel_narrows_with_n_and_the_998_limits_are_outside_the_95():
    f = funnel_limits(0.85, [20, 50, 200, 1000, 5000])
    assert np.all(np.diff(f.lower[0]) > 0)
    assert np.all(np.diff(f.upper[0]) < 0)
    assert np.all(f.lower[1] <= f.lower[0])
    assert np.all(f.upper[0] <= f.upper[1])
    assert np.all((f.lower <= 0.85) & (f.upper >= 0.85))
    assert f.levels == (0.95, 0.998)


def test_funnel_rejects_a_center_of_one():
    with pytest.raises(ValueError, match=r"1\.0"):
        funnel_limits(1.0, [10])


# --- shrinkage ------------------------------------------------------------------------------


def test_small_units_are_pulled_towards_the_pooled_rate_more_than_large_ones():
    x, n = np.array([6, 60, 88, 265, 450]), np.array([10, 100, 100, 300, 500])
    r = shrink(x, n)
    pooled = x.sum() / n.sum()
    raw = x / n
    pull = np.abs(raw - r.value) / np.abs(raw - pooled)
    assert pull[0] > pull[1]  # 6/10 moves further towards the pool than 60/100
    assert np.all((r.ci_low <= r.value) & (r.value <= r.ci_high))
    # The fitted prior maximises the beta-binomial likelihood (oracle: scipy.stats.betabinom).
    def loglik(a: float, b: float) -> float:
        return float(stats.betabinom.logpmf(x, n, a, b).sum())
    best = loglik(r.prior_alpha, r.prior_beta)
    for fa, fb in [(1.1, 1.0), (0.9, 1.0), (1.0, 1.1), (1.0, 0.9)]:
        assert best >= loglik(r.prior_alpha * fa, r.prior_beta * fb) - 1e-7


def test_units_that_differ_only_by_noise_are_all_pulled_to_the_pool():
    r = shrink([90, 180, 45, 270], [100, 200, 50, 300])
    assert np.allclose(r.value, 0.9, atol=2e-3)


def test_shrinkage_needs_two_units():
    with pytest.raises(InsufficientDataError):
        shrink([5], [10])


# --- multiple comparisons -------------------------------------------------------------------

P = [0.01, 0.04, 0.03, 0.2, 0.001]


def test_holm_matches_statsmodels():
    # statsmodels.stats.multitest.multipletests(P, method="holm")[1]
    assert adjust_pvalues(P, method="holm") == pytest.approx([0.04, 0.09, 0.09, 0.2, 0.005])


def test_benjamini_hochberg_matches_statsmodels():
    # statsmodels.stats.multitest.multipletests(P, method="fdr_bh")[1]
    assert adjust_pvalues(P, method="fdr_bh") == pytest.approx([0.025, 0.05, 0.05, 0.2, 0.005])


@settings(deadline=None, max_examples=15)  # multipletests takes ~75 ms a call
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.sampled_from(["holm", "fdr_bh"]))
def test_adjustment_agrees_with_statsmodels_on_any_input(p, method):
    assert adjust_pvalues(p, method=method) == pytest.approx(
        multipletests(p, method=method)[1], abs=1e-12)


def test_adjustment_rejects_unknown_method_and_bad_pvalues():
    with pytest.raises(ValueError, match="'bonferroni'"):
        adjust_pvalues(P, method="bonferroni")
    with pytest.raises(ValueError, match=r"1\.5"):
        adjust_pvalues([0.1, 1.5], method="holm")


# --- trend ----------------------------------------------------------------------------------

X, N = [90, 85, 80, 72], [100, 100, 100, 100]


def test_cochran_armitage_matches_the_linear_by_linear_test():
    # statsmodels Table([[x, n − x]]).test_ordinal_association(row_scores=range(4),
    # col_scores=[0, 1]).zscore = 3.4112861494478297 (sign follows the column order); the
    # Cochran–Armitage z uses N rather than N − 1 in the variance: z·√(400/399).
    t = trend_test(X, N)
    assert t.statistic == pytest.approx(-3.4112861494478297 * np.sqrt(400 / 399), rel=1e-12)
    assert t.pvalue == pytest.approx(2 * stats.norm.sf(abs(t.statistic)))


def test_logistic_slope_matches_statsmodels_glm():
    # sm.GLM(np.column_stack([x, n - x]), sm.add_constant(np.arange(4.)),
    #        family=sm.families.Binomial()).fit(): params[1], conf_int(0.05)[1]
    t = trend_test(X, N)
    assert t.slope == pytest.approx(-0.40960908295673215, rel=1e-9)
    assert (t.slope_ci_low, t.slope_ci_high) == pytest.approx((-0.64885831, -0.17035986),
                                                              abs=1e-8)


def test_flat_series_has_no_significant_trend():
    t = trend_test([80, 81, 79, 80], [100, 100, 100, 100])
    assert t.pvalue > 0.5
    assert t.slope_ci_low < 0 < t.slope_ci_high


# --- drops ----------------------------------------------------------------------------------

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]


def test_drop_detector_names_the_period_where_the_drop_began():
    x = [180, 182, 179, 181, 165, 163, 160]
    assert detect_drop(x, [200] * 7, labels=MONTHS) == "2026-05"


def test_stable_series_and_a_rise_raise_no_alarm():
    assert detect_drop([180, 178, 182, 179, 181, 180, 183], [200] * 7, labels=MONTHS) is None
    assert detect_drop([150, 152, 160, 170, 180, 185, 190], [200] * 7, labels=MONTHS) is None


def test_drop_against_an_explicit_baseline():
    drop = cusum_drop([85, 86, 84, 85], [100] * 4, baseline=0.95)
    assert drop.start_index == 0
    assert drop.signal_index is not None


def test_detect_drop_checks_labels():
    with pytest.raises(ValueError, match="labels"):
        detect_drop([1, 2], [3, 3], labels=["a"])


# --- reliability and Decision 766 ----------------------------------------------------------


def test_cronbach_alpha_matches_the_covariance_formula_and_feldt_interval():
    rng = np.random.default_rng(3)
    true = rng.normal(size=(200, 1))
    scores = np.clip(np.rint(3.5 + true + rng.normal(scale=0.8, size=(200, 4))), 1, 5)
    e = cronbach_alpha(scores)
    # Oracle: α = k c̄ / (v̄ + (k − 1) c̄) from numpy.cov (mean variance v̄, mean covariance c̄);
    # Feldt bounds from scipy.stats.f.isf/ppf(0.025, 199, 597).
    cov = np.cov(scores, rowvar=False)
    k = 4
    v, c = np.mean(np.diag(cov)), (cov.sum() - np.trace(cov)) / (k * (k - 1))
    alpha = k * c / (v + (k - 1) * c)
    assert e.value == pytest.approx(alpha, rel=1e-12)
    assert e.ci_low == pytest.approx(1 - (1 - alpha) * stats.f.isf(0.025, 199, 597))
    assert e.ci_high == pytest.approx(1 - (1 - alpha) * stats.f.ppf(0.025, 199, 597))
    assert e.ci_low < e.value < e.ci_high


def test_cronbach_alpha_needs_two_items():
    with pytest.raises(ValueError, match="two items"):
        cronbach_alpha([[1], [2]])


def test_decision_766_counts_silence_as_satisfaction_and_says_so():
    d = decision_766(2000, 30)
    assert d.value == pytest.approx(0.985)
    assert d.counts_silence_as_satisfaction
    assert "im lặng" in DECISION_766_LABEL
    assert "silence" in d.label


def test_decision_766_rejects_more_unsatisfied_than_dossiers():
    with pytest.raises(ValueError, match="31"):
        decision_766(30, 31)


def test_a_baseline_of_every_answer_satisfied_signals_nothing_and_does_not_raise():
    """A small unit at 100 % in its first months (the demo's Sở Tư pháp) gets no alert, not a crash."""
    drop = cusum_drop([12, 9, 10, 3], [12, 9, 12, 10])
    assert drop.signal_index is None
    assert drop.baseline == 1.0
    assert detect_drop([0, 0, 5], [4, 3, 5], labels=["a", "b", "c"]) is None
    with pytest.raises(ValueError, match="strictly between"):
        cusum_drop([1, 2], [2, 2], baseline=1.0)  # a baseline given by the caller is still checked
