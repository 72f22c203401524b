"""The post-stratified interval against an independent oracle (statsmodels) and by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import post_stratified


def test_weighted_interval_is_the_union_of_mover_wilson_and_kish_wilson():
    # Oracle: statsmodels' Wilson bounds per unit, around each unit's rate with four answers at
    # the weighted rate added, combined by MOVER (Zou & Donner 2008), and Wilson at Kish's
    # effective size (non-integer n through the formula).
    from statsmodels.stats.proportion import proportion_confint

    s, n, vol = np.array([5, 990]), np.array([10, 1000]), np.array([9000.0, 1000.0])
    w, p = vol / vol.sum(), s / n
    value = float(w @ p)
    shrunk = (s + 4 * value) / (n + 4)  # 5/10 → 7.196/14, 990/1000 → 992.196/1004
    lo_h, hi_h = proportion_confint(shrunk * n, n, method="wilson")
    mover = (value - np.sqrt(np.sum((w * (shrunk - lo_h)) ** 2)),
             value + np.sqrt(np.sum((w * (hi_h - shrunk)) ** 2)))
    kish = 1 / np.sum(w**2 / n)
    z = 1.959963984540054
    centre = (value + z * z / (2 * kish)) / (1 + z * z / kish)
    half = z / (1 + z * z / kish) * np.sqrt(value * (1 - value) / kish + z * z / (4 * kish**2))
    e = post_stratified(s, n, vol)
    assert e.ci_low == pytest.approx(min(mover[0], centre - half), abs=1e-12)
    assert e.ci_high == pytest.approx(max(mover[1], centre + half), abs=1e-12)
    # The stratified Wald interval is wider here: the methodology no longer claims otherwise.
    wald = 2 * z * np.sqrt(np.sum(w**2 * p * (1 - p) / n))
    assert e.ci_high - e.ci_low == pytest.approx(0.4878, abs=1e-4)
    assert wald == pytest.approx(0.5578, abs=1e-4)
