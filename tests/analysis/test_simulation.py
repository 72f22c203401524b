"""SPEC §4's coverage rule, checked by simulation on realistic Likert answers.

A few cells run in the fast suite (about a second); the whole grid that ``make coverage-study``
prints for the methodology is marked ``slow``. Every 95 % interval must cover the truth 93–97 %
of the time for n >= 30. The slow grid runs the study's 10,000 replicates a cell (Monte-Carlo
standard error at most 0.25 points) and holds every cell to 93–97 %; the fast cells, at 1,500–2,000
replicates, allow 97.5 % for their larger noise, except the two that once went over 97 %, held to
97 % at a seed where the former interval gave 97.3 %.
"""

from __future__ import annotations

import pytest

from tests.analysis import study
from tests.analysis.simulation import (
    SKIPS,
    WEIGHTED_SCENARIOS,
    composite_cell,
    false_alarm_rate,
    truths,
    weighted_cell,
)


def test_the_truth_follows_the_skipping_model():
    comp_random, sipas_random = truths(0.9, "random")
    comp_mnar, sipas_mnar = truths(0.9, "not at random")
    assert sipas_random == pytest.approx(0.9, abs=0.005)  # the items straddle the cell's rate
    assert sipas_mnar > sipas_random  # unhappy citizens skip more, so answered rates are higher
    assert comp_mnar.shape == comp_random.shape == (5,)


@pytest.mark.parametrize(("n", "rate", "skip"), [(30, 0.85, "not at random"), (30, 0.95, "random"),
                                                 (100, 0.98, "not at random")])
def test_fast_cells_of_the_composite_grid(n, rate, skip):
    c = composite_cell(n, rate, skip, reps=1500, seed=3)
    assert 0.93 <= c.sipas <= 0.975
    assert 0.93 <= min(c.components) <= max(c.components) <= 0.975


def test_sipas_near_98_percent_is_not_widened_by_a_design_effect_floor_of_one():
    # With n_eff capped at the answers (design effect >= 1) this cell covered 97.3 % (97.4 % at
    # the study's seed); at twice the answers it covers 95.5 %, the components unchanged.
    c = composite_cell(30, 0.98, "not at random", reps=2000, seed=3)
    assert 0.93 <= c.sipas <= 0.97
    assert 0.93 <= min(c.components) <= max(c.components) <= 0.97


def test_fast_cells_of_the_hard_weighted_case():
    assert 0.93 <= weighted_cell(WEIGHTED_SCENARIOS[0], 0.85, reps=1500, seed=4) <= 0.975
    # MOVER around the raw unit rates covered 97.3 % here (the large unit's 10 answers at 0.81).
    assert 0.93 <= weighted_cell(WEIGHTED_SCENARIOS[0], 0.90, reps=2000, seed=8) <= 0.97


def test_without_the_small_sample_correction_sipas_would_fail_the_rule():
    """What the correction buys: the same cell, the same answers, with and without it."""
    cell = {"n": 30, "rate": 0.9, "skip": "random", "reps": 3000, "seed": 3}
    assert composite_cell(**cell, small_sample=False).sipas < 0.935
    assert composite_cell(**cell).sipas >= 0.935


@pytest.mark.slow
@pytest.mark.parametrize("n", study.SIZES)
@pytest.mark.parametrize("skip", list(SKIPS))
def test_every_composite_cell_meets_the_rule(n, skip):
    for i, rate in enumerate(study.RATES):
        c = composite_cell(n, rate, skip, reps=study.REPS, seed=1000 * n + 10 * i + len(skip))
        assert 0.93 <= c.sipas <= 0.97, (n, rate, skip, c)
        assert 0.93 <= min(c.components) <= max(c.components) <= 0.97, (n, rate, skip, c)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", WEIGHTED_SCENARIOS)
def test_every_weighted_cell_meets_the_rule(scenario):
    s = WEIGHTED_SCENARIOS.index(scenario)
    for i, rate in enumerate(study.RATES):
        c = weighted_cell(scenario, rate, reps=study.REPS, seed=100 * s + i)
        assert 0.93 <= c <= 0.97, (scenario, rate, c)


@pytest.mark.slow
@pytest.mark.parametrize("per_month", study.PER_MONTH)
def test_every_alert_cell_keeps_false_alarms_under_five_percent(per_month):
    j = study.PER_MONTH.index(per_month)
    rates = [false_alarm_rate(rate, per_month, reps=study.ALERT_REPS, seed=7000 + 10 * j + i)
             for i, rate in enumerate(study.RATES)]
    assert max(rates) <= 0.05, (per_month, rates)
    if per_month >= 30:  # close to 5 % wherever a fall can show: the limit is not wasted
        assert min(rates) >= 0.038, (per_month, rates)


@pytest.mark.slow
def test_every_funnel_cell_flags_at_most_the_nominal_share():
    for theta in study.RATES:
        for n in (10, *study.SIZES, 1000):
            assert study.funnel_flag_rate(theta, n, 0.95) <= 0.05
            assert study.funnel_flag_rate(theta, n, 0.998) <= 0.002
