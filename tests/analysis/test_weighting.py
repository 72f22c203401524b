"""The post-stratified interval against an independent oracle (statsmodels) and by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import post_stratified


def test_weighted_interval_is_the_union_of_mover_wilson_and_kish_wilson():
    # Oracle: statsmodels' Wilson bounds per unit, combined by MOVER (Zou & Donner 2008), and
    # statsmodels' Wilson at Kish's effective size (non-integer n through the formula).
    from statsmodels.stats.proportion import proportion_confint

    s, n, vol = np.array([5, 990]), np.array([10, 1000]), np.array([9000.0, 1000.0])
    w, p = vol / vol.sum(), s / n
    lo_h, hi_h = proportion_confint(s, n, method="wilson")
    value = float(w @ p)
    mover = (value - np.sqrt(np.sum((w * (p - lo_h)) ** 2)),
             value + np.sqrt(np.sum((w * (hi_h - p)) ** 2)))
    kish = 1 / np.sum(w**2 / n)
    z = 1.959963984540054
    centre = (value + z * z / (2 * kish)) / (1 + z * z / kish)
    half = z / (1 + z * z / kish) * np.sqrt(value * (1 - value) / kish + z * z / (4 * kish**2))
    e = post_stratified(s, n, vol)
    assert e.ci_low == pytest.approx(min(mover[0], centre - half), abs=1e-12)
    assert e.ci_high == pytest.approx(max(mover[1], centre + half), abs=1e-12)
    # The stratified Wald interval is wider here: the methodology no longer claims otherwise.
    wald = 2 * z * np.sqrt(np.sum(w**2 * p * (1 - p) / n))
    assert e.ci_high - e.ci_low == pytest.approx(0.4914, abs=1e-4)
    assert wald == pytest.approx(0.5578, abs=1e-4)
