"""Item-rate intervals against statsmodels, and their properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import InsufficientDataError, proportion, proportions
from analysis.proportions import METHODS

# Reference values, each produced by
#   statsmodels.stats.proportion.proportion_confint(x, n, alpha=0.05, method=M)
# (statsmodels 0.15.0), with M = "beta" for Clopper–Pearson.
REFERENCE = [
    (27, 30, "wilson", 0.7437891742081592, 0.9654001112526659),
    (27, 30, "jeffreys", 0.7565983910150729, 0.9710193809672735),
    (27, 30, "agresti_coull", 0.7358281750847897, 0.9733611103760351),
    (27, 30, "clopper_pearson", 0.7347115495257919, 0.9788828629702774),
    (112, 120, "wilson", 0.8739486959646967, 0.9658346931390938),
    (112, 120, "jeffreys", 0.878158898461976, 0.9679797283912068),
    (112, 120, "agresti_coull", 0.872081315949301, 0.9677020731544892),
    (112, 120, "clopper_pearson", 0.872863251760787, 0.9707808156862036),
    (0, 10, "wilson", 0.0, 0.27753279986288926),
    (0, 10, "agresti_coull", 0.0, 0.3208873057505458),
    (0, 10, "clopper_pearson", 0.0, 0.30849710781876083),
    (10, 10, "wilson", 0.7224672001371106, 1.0),
    (10, 10, "agresti_coull", 0.6791126942494543, 1.0),
    (10, 10, "clopper_pearson", 0.6915028921812392, 1.0),
    (45, 50, "wilson", 0.7863976856252034, 0.9565242350681095),
    (45, 50, "clopper_pearson", 0.7818646335657977, 0.9667249064109775),
]


@pytest.mark.parametrize(("x", "n", "method", "low", "high"), REFERENCE)
def test_interval_matches_statsmodels(x: int, n: int, method: str, low: float, high: float):
    e = proportion(x, n, method=method)
    assert e.value == x / n
    assert e.ci_low == pytest.approx(low, abs=1e-12)
    assert e.ci_high == pytest.approx(high, abs=1e-12)
    assert (e.n, e.method, e.confidence_level) == (n, method, 0.95)


def test_other_level_matches_statsmodels():
    # proportion_confint(27, 30, alpha=0.10, method="wilson")
    e = proportion(27, 30, confidence_level=0.90)
    assert (e.ci_low, e.ci_high) == pytest.approx((0.7744975205091514, 0.9593230329907693))


def test_jeffreys_uses_the_boundary_rule_at_zero_and_n():
    # statsmodels gives (4.7890433157581876e-05, 0.2171962675092106) for 0/10; Brown, Cai and
    # DasGupta set the lower bound to 0 so that the interval contains the estimate.
    zero = proportion(0, 10, method="jeffreys")
    assert (zero.ci_low, zero.ci_high) == pytest.approx((0.0, 0.2171962675092106))
    full = proportion(10, 10, method="jeffreys")
    assert (full.ci_low, full.ci_high) == pytest.approx((0.7828037324907894, 1.0))


def test_vectorised_variant_agrees_with_scalar_and_marks_empty_groups_nan():
    r = proportions([27, 0, 112], [30, 0, 120])
    assert r.ci_low[0] == proportion(27, 30).ci_low
    assert r.ci_high[2] == proportion(112, 120).ci_high
    assert np.isnan(r.value[1])
    assert np.isnan(r.ci_low[1])


def test_zero_answers_raise_insufficient_data():
    with pytest.raises(InsufficientDataError):
        proportion(0, 0)


@pytest.mark.parametrize(
    ("x", "n", "kwargs", "message"),
    [(5, 3, {}, "successes=5"), (-1, 3, {}, "successes=-1"), (1.5, 3, {}, "1.5"),
     (1, 3, {"method": "wald"}, "'wald'"), (1, 3, {"confidence_level": 95}, "95")],
)
def test_bad_input_raises_value_error_naming_the_value(x, n, kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion(x, n, **kwargs)


counts = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
methods = st.sampled_from(METHODS)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])


@settings(deadline=None)
@given(counts, methods, levels)
def test_interval_lies_in_unit_interval_and_contains_the_estimate(xn, method, level):
    x, n = xn
    e = proportion(x, n, method=method, confidence_level=level)
    assert 0.0 <= e.ci_low <= e.value <= e.ci_high <= 1.0


@settings(deadline=None)
@given(counts, methods)
def test_interval_is_symmetric_under_swapping_satisfied_and_not(xn, method):
    x, n = xn
    e, f = proportion(x, n, method=method), proportion(n - x, n, method=method)
    assert e.ci_low == pytest.approx(1.0 - f.ci_high, abs=1e-9)
    assert e.ci_high == pytest.approx(1.0 - f.ci_low, abs=1e-9)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=300),
       st.integers(min_value=2, max_value=10), methods)
def test_interval_narrows_as_n_grows_at_the_same_rate(x, n, factor, method):
    x = min(x, n)
    small, large = proportion(x, n, method=method), proportion(x * factor, n * factor,
                                                               method=method)
    assert large.ci_high - large.ci_low < small.ci_high - small.ci_low


@settings(deadline=None)
@given(counts)
def test_higher_level_gives_wider_interval(xn):
    x, n = xn
    a, b = proportion(x, n, confidence_level=0.9), proportion(x, n, confidence_level=0.99)
    assert b.ci_low <= a.ci_low
    assert a.ci_high <= b.ci_high
