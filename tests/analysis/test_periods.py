"""The one definition of a SPEC §3 period label, shared by the command line and the web app."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

import analysis
from analysis import period_label
from analysis.tool import stamps


def test_every_day_of_a_leap_year_gets_its_labels():
    day = date(2028, 1, 1)
    while day.year == 2028:
        assert period_label(day, "year") == "2028"
        assert period_label(day, "half") == ("2028-H1" if day < date(2028, 7, 1) else "2028-H2")
        assert period_label(day, "quarter") == f"2028-Q{(day.month + 2) // 3}"
        assert period_label(day, "month") == f"2028-{day.month:02d}"
        day += timedelta(days=1)


@pytest.mark.parametrize("kind", ["week", "Quarter", "", "H1"])
def test_an_unknown_kind_is_refused(kind):
    with pytest.raises(ValueError, match="kind must be"):
        period_label(date(2026, 7, 1), kind)


@pytest.mark.parametrize("kind", ["year", "half", "quarter", "month"])
def test_the_command_line_labels_its_period_codes_with_the_core_function(kind):
    assert stamps.period_label is analysis.period_label
    days = np.arange(stamps.days_of(date(2025, 1, 1)), stamps.days_of(date(2027, 1, 1)))
    for day, code in zip(days.tolist(), stamps.period_code(days, kind).tolist(), strict=True):
        local = date(1970, 1, 1) + timedelta(days=day)
        assert stamps.code_label(code, kind) == period_label(local, kind)
