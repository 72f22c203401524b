"""The reporting layer never raises on ordinary data at its edges.

Groups with no answer, one answer, ``min_n − 1`` answers, or every answer satisfied (or none), in
any position of a trend, are what small units produce in a quiet or a good month. Every function
of :mod:`survey.reporting.stats` must return a result (or None) for them, never an exception.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.reporting import stats
from survey.reporting.queries import ItemSums, OverallCounts

MIN_N = 30
EDGE_N = st.sampled_from([0, 1, MIN_N - 1, MIN_N, 200])


@st.composite
def counts(draw) -> tuple[int, int]:
    """(satisfied, answered) with answered at an edge and the rate 0, 1 or anything between."""
    n = draw(EDGE_N)
    s = draw(st.sampled_from([0, n, *(range(n + 1) if n < 5 else (n // 2, n - 1))]))
    return s, n


SETTINGS = settings(max_examples=150, deadline=None, database=None)


@SETTINGS
@given(st.lists(counts(), min_size=1, max_size=14))
def test_a_trend_of_edge_periods_never_raises(periods):
    successes, ns = [s for s, _n in periods], [n for _s, n in periods]
    labels = [f"2026-{i + 1:02d}" if i < 12 else f"2027-{i - 11:02d}" for i in range(len(periods))]
    result = stats.detect_drop(successes, ns, labels)
    assert result is None or result.start in labels
    assert result is None or 0.0 < result.size <= 1.0


@SETTINGS
@given(counts(), st.sampled_from([0.8, 0.9, 0.95]), st.sampled_from([">=", ">"]))
def test_a_group_at_an_edge_gets_an_estimate_and_a_verdict(pair, threshold, operator):
    s, n = pair
    estimate = stats.satisfaction(OverallCounts(responses=n, n=n, s=s), 0.95)
    assert (estimate is None) == (n == 0)
    verdict = stats.judge(estimate, threshold, operator, MIN_N)
    if n < MIN_N:
        assert verdict.status == "insufficient"


@SETTINGS
@given(st.lists(counts(), min_size=1, max_size=12))
def test_comparing_edge_groups_never_raises(groups):
    successes, ns = [s for s, _n in groups], [n for _s, n in groups]
    shrunk = stats.shrink(successes, ns)
    assert len(shrunk) == len(groups)
    assert all(value is None or 0.0 <= value <= 1.0 for value in shrunk)
    limits = stats.funnel_limits(0.9, [max(n, 1) for n in ns])
    assert len(limits.n) == len(ns)
    weighted = stats.weighted(successes, ns, [float(10 * n + 1) for n in ns], 0.95)
    assert weighted is None or 0.0 <= weighted.ci_low <= weighted.ci_high <= 1.0


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=0, max_size=MIN_N),
       st.sampled_from([["access.place"], ["access.place", "staff.courteous"],
                        ["access.place", "feedback.easy", "procedure.as_posted", "result.as_promised",
                         "staff.courteous"]]))
def test_components_of_a_handful_of_respondents_never_raise(answers, items):
    """Respondents who all agree, or skipped everything, in a group of 0 to min_n people."""
    k = len(items)
    y = np.array([[a[0]] * k for a in answers], dtype=float).reshape(len(answers), k)
    a = np.array([[a[1]] * k for a in answers], dtype=float).reshape(len(answers), k)
    y = y * a
    sums = ItemSums(list(items), y.T @ y, y.T @ a, a.T @ a, respondents=len(answers))
    components, sipas = stats.indices(sums, 0.95)
    for estimate in [*components.values(), *([sipas] if sipas else [])]:
        assert 0.0 <= estimate.ci_low <= estimate.value <= estimate.ci_high <= 1.0


@SETTINGS
@given(st.integers(0, 500), st.integers(0, 500))
def test_the_decision_766_ratio_at_its_edges(dossiers, unsatisfied):
    result = stats.decision_766(dossiers, min(unsatisfied, dossiers))
    assert result is None or 0.0 <= result.value <= 1.0
