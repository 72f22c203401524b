"""Composite indices from sufficient statistics: formula, oracle and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as scipy_stats

from analysis import (
    SIPAS_COMPONENTS,
    InsufficientDataError,
    ItemStats,
    component_indices,
    composite,
    proportion,
    sipas_index,
)
from analysis.composite import linearized_variance


def respondents(seed: int, n: int = 200, k: int = 4, p: float = 0.85):
    rng = np.random.default_rng(seed)
    common = rng.random((n, 1)) < p
    y = np.where(rng.random((n, k)) < 0.6, common, rng.random((n, k)) < p)
    a = (rng.random((n, k)) > 0.15).astype(int)
    return (y * a).astype(int), a


def test_sufficient_statistics_are_the_sql_sums():
    y, a = respondents(1)
    st_ = ItemStats.from_indicators(y, a)
    assert st_.n.tolist() == a.sum(axis=0).tolist()
    assert st_.s.tolist() == y.sum(axis=0).tolist()
    assert st_.ya[0, 1] == np.sum(y[:, 0] * a[:, 1])
    assert np.array_equal(np.diag(st_.yy), st_.s)
    assert np.array_equal(np.diag(st_.aa), st_.n)


def test_linearized_variance_equals_sum_of_squared_influences():
    # Oracle: the respondent-level influence u_i = Σ_j w_j (y_ij − p_j a_ij)/n_j, computed
    # directly from the raw 0/1 data with numpy, then Var = Σ_i u_i².
    y, a = respondents(2)
    w = np.array([0.1, 0.2, 0.3, 0.4])
    p = y.sum(axis=0) / a.sum(axis=0)
    u = ((y - p * a) / a.sum(axis=0)) @ w
    st_ = ItemStats.from_indicators(y, a)
    assert linearized_variance(st_, w) == pytest.approx(float(u @ u), rel=1e-12)


def test_one_item_composite_is_the_wilson_interval():
    y, a = respondents(3, k=1)
    e = composite(ItemStats.from_indicators(y, a), [1.0])
    w = proportion(int(y.sum()), int(a.sum()))
    assert (e.value, e.ci_low, e.ci_high) == pytest.approx((w.value, w.ci_low, w.ci_high),
                                                           abs=1e-12)


def test_sipas_is_the_mean_of_the_five_component_indices():
    y, a = respondents(4, k=7)
    names = ["access", "access", "procedure", "staff", "staff", "result", "feedback"]
    st_ = ItemStats.from_indicators(y, a)
    comps = component_indices(st_, names)
    total = sipas_index(st_, names)
    assert total is not None
    assert total.value == pytest.approx(np.mean([comps[c].value for c in SIPAS_COMPONENTS]))
    assert comps["access"].value == pytest.approx(np.mean(y[:, :2].sum(0) / a[:, :2].sum(0)))


def test_positively_correlated_items_widen_the_interval_beyond_independence():
    y, a = respondents(5, n=400, k=4)
    e = composite(ItemStats.from_indicators(y, a), np.full(4, 0.25))
    independent = proportion(int(y.sum()), int(a.sum()))
    assert e.ci_high - e.ci_low > independent.ci_high - independent.ci_low


def test_a_component_whose_items_were_all_skipped_is_absent_and_sipas_is_none():
    y, a = respondents(6, k=5)
    a[:, 4] = 0
    y[:, 4] = 0
    st_ = ItemStats.from_indicators(y, a)
    assert "feedback" not in component_indices(st_, list(SIPAS_COMPONENTS))
    assert sipas_index(st_, list(SIPAS_COMPONENTS)) is None


def test_skipped_item_does_not_count_in_its_component():
    y = np.array([[1, 0], [1, 0], [0, 0]])
    a = np.array([[1, 0], [1, 0], [1, 0]])
    e = component_indices(ItemStats.from_indicators(y, a), ["staff", "staff"])["staff"]
    assert e.value == pytest.approx(2 / 3)


def test_everyone_satisfied_gives_an_interval_that_does_not_collapse():
    y = np.ones((40, 3), dtype=int)
    e = composite(ItemStats.from_indicators(y, y), np.full(3, 1 / 3))
    assert e.value == 1.0
    assert e.ci_high == 1.0
    # Fallback n_eff = 1/(Σ w_j/√n_j)² = 40 = m, one answer's worth per respondent, so no
    # small-sample correction: the Wilson lower bound 40/(40 + z²).
    assert e.ci_low == pytest.approx(40 / (40 + 1.959963984540054**2))


def test_a_difference_between_items_uses_a_wald_interval_within_its_range():
    y, a = respondents(7, k=2)
    e = composite(ItemStats.from_indicators(y, a), [1.0, -1.0])
    assert e.method == "linearization-wald"
    assert -1.0 <= e.ci_low <= e.value <= e.ci_high <= 1.0


def test_weighted_statistics_give_the_weighted_ratio_and_report_raw_counts():
    y, a = respondents(8, k=2)
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=y.shape[0])
    e = composite(ItemStats.from_indicators(y, a, weights=w), [1.0, 0.0])
    assert e.value == pytest.approx(float(w @ y[:, 0]) / float(w @ a[:, 0]))
    assert e.n == int(a[:, 0].sum())


def test_item_without_answers_raises_insufficient_data():
    y = np.zeros((3, 2), dtype=int)
    a = np.array([[1, 0], [1, 0], [1, 0]])
    with pytest.raises(InsufficientDataError, match="item 1"):
        composite(ItemStats.from_indicators(y, a), [0.5, 0.5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n": [1, 2], "s": [2, 1]}, "s <= n"), ({"n": [1, -2], "s": [0, 0]}, "non-negative")],
)
def test_bad_statistics_raise_value_error(kwargs, message):
    base = {"yy": np.zeros((2, 2)), "ya": np.zeros((2, 2)), "aa": np.zeros((2, 2)),
            "respondents": 2}
    with pytest.raises(ValueError, match=message):
        ItemStats(**kwargs, **base)


def test_weights_of_the_wrong_length_raise_value_error():
    y, a = respondents(9, k=2)
    with pytest.raises(ValueError, match="weights"):
        composite(ItemStats.from_indicators(y, a), [1.0])


matrices = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        arrays(np.int8, (n, 3), elements=st.integers(0, 2)),
        st.sampled_from([[1 / 3] * 3, [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]),
    )
)


def _stats(codes: np.ndarray) -> ItemStats:
    # 0 = skipped, 1 = unsatisfied, 2 = satisfied
    return ItemStats.from_indicators((codes == 2).astype(int), (codes > 0).astype(int))


@settings(max_examples=200, deadline=None)
@given(matrices)
def test_composite_interval_is_in_unit_interval_and_contains_the_estimate(case):
    codes, w = case
    st_ = _stats(codes)
    if np.any(st_.n[np.asarray(w) > 0] == 0):
        return
    e = composite(st_, w)
    assert 0.0 <= e.ci_low <= e.value <= e.ci_high <= 1.0
    assert e.ci_low < e.ci_high


@settings(max_examples=200, deadline=None)
@given(matrices)
def test_composite_is_symmetric_under_swapping_satisfied_and_not(case):
    codes, w = case
    st_ = _stats(codes)
    if np.any(st_.n[np.asarray(w) > 0] == 0):
        return
    swapped = _stats(np.where(codes == 0, 0, 3 - codes))
    e, f = composite(st_, w), composite(swapped, w)
    assert e.value == pytest.approx(1 - f.value, abs=1e-9)
    assert e.ci_low == pytest.approx(1 - f.ci_high, abs=1e-9)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_composite_interval_narrows_when_the_sample_is_replicated(seed):
    y, a = respondents(seed % 1000, n=30, k=3)
    one = composite(ItemStats.from_indicators(y, a), np.full(3, 1 / 3))
    four = composite(ItemStats.from_indicators(np.tile(y, (4, 1)), np.tile(a, (4, 1))),
                     np.full(3, 1 / 3))
    assert four.ci_high - four.ci_low < one.ci_high - one.ci_low


def test_small_sample_correction_against_a_by_hand_oracle():
    """Influence values from raw answers, the blended m/(m − 1) and t quantile (scipy), Wilson."""
    y, a = respondents(11, n=30, k=3, p=0.85)
    st_ = ItemStats.from_indicators(y, a)
    w = np.full(3, 1 / 3)
    e = composite(st_, w)
    p = y.sum(axis=0) / a.sum(axis=0)
    u = ((y - p * a) / a.sum(axis=0)) @ w  # influence of each respondent on the index
    m = int(a.sum(axis=0).max())
    theta = float(w @ p)
    var0 = np.sum((u - u.mean()) ** 2)
    lam = max(0.0, 1 - m / (theta * (1 - theta) / var0))
    assert 0.2 < lam < 1  # the case where the correction matters
    var = var0 * (1 + lam / (m - 1))
    n_eff = theta * (1 - theta) / var
    z, t_q = scipy_stats.norm.ppf(0.975), scipy_stats.t.ppf(0.975, m - 1)
    t = np.sqrt(z**2 + lam * (t_q**2 - z**2))
    centre = (theta + t * t / (2 * n_eff)) / (1 + t * t / n_eff)
    half = t / (1 + t * t / n_eff) * np.sqrt(theta * (1 - theta) / n_eff + t * t / (4 * n_eff**2))
    assert (e.value, e.ci_low, e.ci_high) == pytest.approx((theta, centre - half, centre + half),
                                                           abs=1e-12)
    assert e.effective_n == pytest.approx(n_eff)


def test_a_component_of_one_item_keeps_the_plain_wilson_interval():
    y, a = respondents(12, n=30, k=1)
    e = composite(ItemStats.from_indicators(y, a), [1.0])
    w = proportion(int(y.sum()), int(a.sum()))
    assert (e.ci_low, e.ci_high) == pytest.approx((w.ci_low, w.ci_high), abs=1e-12)


def test_the_effective_size_is_capped_at_twice_the_answers():
    # Two items answered in a complementary way (satisfied with one, not the other) by 38 of 40
    # people: the index is 0.5 for nearly everyone and its variance is tiny. n_eff stops at
    # 2 × 80 answers (a design effect of 1/2), so the interval is Wilson's at 160, not a point,
    # with the quantile of the small-sample correction at λ = 1 − 40/160.
    y = np.array([[1, 0], [0, 1]] * 20)
    y[0], y[1] = [1, 1], [0, 0]
    e = composite(ItemStats.from_indicators(y, np.ones_like(y)), [0.5, 0.5])
    assert e.effective_n == pytest.approx(160.0)
    z, t_q = scipy_stats.norm.ppf(0.975), scipy_stats.t.ppf(0.975, 39)
    c = np.sqrt(z**2 + 0.75 * (t_q**2 - z**2))
    half = c / (1 + c * c / 160) * np.sqrt(0.25 / 160 + c * c / (4 * 160**2))
    assert (e.ci_low, e.ci_high) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-12)


@settings(deadline=None, max_examples=60)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=5))
def test_the_effective_size_never_exceeds_twice_the_answers(seed, k):
    y, a = respondents(seed, n=30, k=k, p=0.95)
    stats_ = ItemStats.from_indicators(y, a)
    e = composite(stats_, np.full(k, 1 / k))
    assert e.effective_n <= 2 * stats_.n.sum() + 1e-9
