"""The alert on a falling rate: its statistic against statsmodels, its false-alarm rate by
simulation, and the edges (rates of exactly 0 and 1) where it must stay silent."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import find_fall
from analysis.trend import ALERT_CRITICAL, fall_statistics
from tests.analysis.simulation import detection_rate, false_alarm_rate


def test_fall_statistic_is_the_signed_root_of_statsmodels_deviance_drop():
    x = np.array([45, 47, 44, 40, 35, 36])
    n = np.array([50, 52, 49, 50, 48, 50])
    r = fall_statistics(x, n)
    for k in range(x.size - 1):
        after = (np.arange(x.size) > k).astype(float)
        endog = np.column_stack([x, n - x])
        flat = sm.GLM(endog, np.ones((x.size, 1)), family=sm.families.Binomial()).fit()
        step = sm.GLM(endog, sm.add_constant(after), family=sm.families.Binomial()).fit()
        sign = np.sign(x[after == 1].sum() / n[after == 1].sum()
                       - x[after == 0].sum() / n[after == 0].sum())
        assert r[k] == pytest.approx(sign * np.sqrt(flat.deviance - step.deviance), rel=1e-8)


def test_the_alert_names_where_the_fall_began_and_its_size():
    f = find_fall([180, 182, 179, 181, 165, 163, 160], [200] * 7)
    assert f is not None
    assert f.start_index == 4
    assert f.before == pytest.approx(722 / 800)
    assert f.after == pytest.approx(488 / 600)
    assert f.size == pytest.approx(722 / 800 - 488 / 600)
    assert f.statistic < -ALERT_CRITICAL


def test_a_month_without_answers_at_the_split_dates_the_fall_to_the_next_month_with_answers():
    f = find_fall([90, 91, 90, 0, 70, 69], [100, 100, 100, 0, 100, 100])
    assert f is not None
    assert f.start_index == 4


def test_the_reference_spans_at_least_three_periods_with_answers():
    # The demo's Sở Tư pháp: two months at 100 % by chance (123 of 123), then 94 % as before.
    x = [56, 67, 58, 66, 54, 50, 57, 58, 51, 71, 61, 45]
    n = [56, 67, 62, 71, 58, 56, 62, 59, 54, 73, 65, 47]
    assert find_fall(x, n) is None
    assert find_fall(x, n, min_before=2) is not None  # what the shorter reference said
    assert find_fall([90, 90, 60], [100] * 3) is None  # two periods are no reference
    assert find_fall([90, 90, 90, 60], [100] * 4).start_index == 3


def test_flat_small_series_ending_at_one_hundred_percent_raise_nothing():
    # The demo's Sở Tư pháp: 89–98 % a month on a dozen answers, ending at 12 of 12.
    x = [8, 10, 9, 11, 10, 9, 10, 11, 9, 10, 11, 12]
    n = [9, 11, 10, 12, 11, 10, 11, 12, 10, 11, 12, 12]
    assert find_fall(x, n) is None


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_every_answer_alike_raises_nothing(rate):
    n = [5, 12, 0, 30, 7]
    assert find_fall([round(rate * m) for m in n], n) is None


def test_a_fall_from_a_perfect_start_is_judged_on_a_sound_basis():
    f = find_fall([50, 50, 50, 40, 41, 39], [50] * 6)  # 100 % then 80 %: a real fall
    assert f is not None
    assert f.start_index == 3
    assert f.before == 1.0


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=0, max_size=14))
def test_any_series_gives_none_or_a_positive_fall(pairs):
    x = [min(a, b) for a, b in pairs]
    n = [max(a, b) for a, b in pairs]
    f = find_fall(x, n)
    if f is not None:
        assert 0.0 < f.size <= 1.0
        assert n[f.start_index] > 0
        assert 0 < sum(x) < sum(n)


@pytest.mark.parametrize(("rate", "per_month"), [(0.9, 30), (0.98, 10), (0.8, 300)])
def test_in_control_units_watched_monthly_for_a_year_rarely_alert(rate, per_month):
    """Fast cells of the study (`make coverage-study` runs the grid): at most 5 % alert."""
    assert false_alarm_rate(rate, per_month, reps=3000, seed=11) <= 0.05


def test_a_ten_point_fall_at_100_answers_a_month_is_found_and_dated():
    found, dated = detection_rate(0.9, 0.10, 100, reps=200, seed=5)
    assert found >= 0.9
    assert dated >= 0.8
