"""Verdicts against a target (SPEC §4) and post-stratified estimates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import (
    Estimate,
    InsufficientDataError,
    post_stratified,
    proportion,
    verdict,
)
from analysis.proportions import wilson_bounds


def est(low: float, high: float, value: float = 0.9, n: int = 100) -> Estimate:
    return Estimate(value, low, high, n, "wilson", 0.95)


@pytest.mark.parametrize(
    ("low", "high", "operator", "status"),
    [
        (0.91, 0.97, ">=", "met"),
        (0.90, 0.97, ">=", "met"),  # lower bound equal to t: "tối thiểu" is met
        (0.90, 0.97, ">", "inconclusive"),  # lower bound equal to t: "trên" is not yet met
        (0.85, 0.899, ">=", "not_met"),
        (0.85, 0.90, ">=", "inconclusive"),  # upper bound equal to t: could still be >= t
        (0.85, 0.90, ">", "not_met"),  # upper bound equal to t: cannot be above t
        (0.85, 0.95, ">=", "inconclusive"),
    ],
)
def test_status_follows_the_operator_at_the_boundary(low, high, operator, status):
    assert verdict(est(low, high), threshold=0.9, operator=operator).status == status


def test_fewer_than_min_n_answers_is_insufficient_whatever_the_interval():
    v = verdict(proportion(29, 29), threshold=0.5, operator=">=")
    assert v.status == "insufficient"
    assert v.responses_needed == 1  # at least min_n − n
    assert verdict(proportion(29, 29), threshold=0.5, operator=">=", min_n=29).status == "met"


def test_decided_verdicts_need_no_more_responses():
    assert verdict(proportion(59, 60), threshold=0.8, operator=">=").responses_needed is None
    assert verdict(proportion(30, 60), threshold=0.8, operator=">=").responses_needed is None


def test_estimate_equal_to_the_target_never_gets_a_responses_needed():
    v = verdict(proportion(54, 60), threshold=0.9, operator=">=")
    assert (v.status, v.responses_needed) == ("inconclusive", None)


@pytest.mark.parametrize(("x", "n", "t", "op"), [(27, 30, 0.85, ">"), (47, 50, 0.9, ">="),
                                                 (42, 50, 0.9, ">="), (290, 300, 0.95, ">")])
def test_responses_needed_is_the_smallest_addition_that_decides(x, n, t, op):
    v = verdict(proportion(x, n), threshold=t, operator=op)
    assert v.status == "inconclusive"
    assert v.responses_needed is not None
    p = x / n

    def decided(total: int) -> bool:
        low, high = (float(b) for b in wilson_bounds(p, total))
        return (low >= t or high < t) if op == ">=" else (low > t or high <= t)

    assert decided(n + v.responses_needed)
    assert not decided(n + v.responses_needed - 1)


def test_bad_operator_or_threshold_raises_value_error():
    with pytest.raises(ValueError, match="'=>'"):
        verdict(est(0.8, 0.9), threshold=0.9, operator="=>")
    with pytest.raises(ValueError, match="90"):
        verdict(est(0.8, 0.9), threshold=90, operator=">=")


@settings(deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.floats(0.01, 0.99), st.sampled_from([">=", ">"]))
def test_met_implies_the_whole_interval_clears_the_target(xn, t, op):
    e = proportion(*xn)
    v = verdict(e, threshold=t, operator=op, min_n=0)
    if v.status == "met":
        assert e.ci_low >= t
    if v.status == "not_met":
        assert e.ci_high <= t


# --- post-stratification -------------------------------------------------------------------


def test_post_stratified_estimate_weights_units_by_dossiers():
    e = post_stratified([45, 10], [50, 20], [9000, 1000])
    assert e.value == pytest.approx(0.9 * 0.9 + 0.1 * 0.5)
    assert e.variance == pytest.approx(0.81 * 0.9 * 0.1 / 50 + 0.01 * 0.5 * 0.5 / 20)
    kish = 1 / (0.81 / 50 + 0.01 / 20)
    half = (e.ci_high - e.ci_low) / (2 * 1.959963984540054)
    assert e.effective_n == pytest.approx(min(kish, e.value * (1 - e.value) / half**2))
    assert e.effective_n <= kish
    assert (e.coverage, e.method, e.n) == (1.0, "post-stratified", 70)


def test_weights_proportional_to_answers_contain_the_pooled_wilson_interval():
    for s in ([45, 10], [45, 18], [50, 20]):
        e = post_stratified(s, [50, 20], [5000, 2000])
        pooled = proportion(sum(s), 70)
        assert e.value == pytest.approx(pooled.value, abs=1e-12)
        assert e.ci_low <= pooled.ci_low + 1e-12
        assert e.ci_high >= pooled.ci_high - 1e-12
        assert e.effective_n <= 70 + 1e-9


def test_units_with_rates_of_zero_and_one_do_not_collapse_the_interval():
    e = post_stratified([50, 0], [50, 20], [8000, 2000])
    assert e.variance == 0.0
    assert 0.0 < e.ci_low < e.value == 0.8 < e.ci_high < 1.0


def test_unit_without_answers_lowers_coverage_but_not_the_estimate():
    e = post_stratified([45, 0, 18], [50, 0, 20], [6000, 2500, 1500])
    assert e.coverage == pytest.approx(0.75)
    assert e.value == pytest.approx(0.9)


def test_no_answered_unit_is_insufficient_data():
    with pytest.raises(InsufficientDataError):
        post_stratified([0, 0], [0, 0], [10, 20])


def test_bad_strata_raise_value_error_naming_the_stratum():
    with pytest.raises(ValueError, match="stratum 1"):
        post_stratified([1, 5], [2, 3], [10, 10])


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 50), st.integers(0, 5000)),
                min_size=1, max_size=8))
def test_post_stratified_interval_lies_in_unit_interval_and_contains_the_estimate(rows):
    s = np.array([min(a, b) for a, b, _ in rows])
    n = np.array([b for _, b, _ in rows])
    vol = np.array([c for _, _, c in rows])
    if vol.sum() == 0:
        return
    e = post_stratified(s, n, vol)
    assert 0.0 <= e.ci_low <= e.value <= e.ci_high <= 1.0
    assert e.ci_low < e.ci_high
