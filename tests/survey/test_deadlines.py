"""Working-day deadlines: weekends and Vietnamese public holidays (the ``holidays`` library,
Tết included) are counted out, with the configured extra days off and make-up working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from survey.casework import deadlines
from survey.casework.deadlines import Calendar

CALENDAR = Calendar()


def test_ten_working_days_skip_two_weekends():
    # Monday 2026-06-08: the 9th–12th, 15th–19th and Monday 22nd are the ten working days.
    assert CALENDAR.add_working_days(date(2026, 6, 8), 10) == date(2026, 6, 22)


def test_tet_nguyen_dan_is_counted_out():
    # Tết 2026: 16–20 February (29 tháng Chạp to mùng 4) are days off.
    assert CALENDAR.add_working_days(date(2026, 2, 10), 10) == date(2026, 3, 3)
    for day in range(16, 21):
        assert not CALENDAR.is_working_day(date(2026, 2, day))
    assert CALENDAR.holiday(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_a_holiday_on_a_weekend_gives_the_next_working_day_off():
    # Giỗ Tổ Hùng Vương on Sunday 26 April 2026: Monday 27 is the day off in lieu (nghỉ bù).
    assert not CALENDAR.is_working_day(date(2026, 4, 27))
    # From Wednesday 22 April: 23, 24, 28, 29 (27, 30/4, 1/5 off), then Monday 4 May.
    assert CALENDAR.add_working_days(date(2026, 4, 22), 5) == date(2026, 5, 4)


def test_a_swapped_day_off_the_government_announced_is_known():
    assert not CALENDAR.is_working_day(date(2025, 5, 2))  # Friday off in exchange for Saturday 26/4


def test_national_day_and_its_neighbour_are_off():
    assert not CALENDAR.is_working_day(date(2026, 9, 1))
    assert not CALENDAR.is_working_day(date(2026, 9, 2))


def test_a_case_received_on_a_day_off_counts_from_the_next_working_day():
    saturday = date(2026, 6, 13)
    assert CALENDAR.add_working_days(saturday, 1) == date(2026, 6, 15)
    assert CALENDAR.add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)  # a Friday too


def test_configured_extra_days_off_and_make_up_working_days():
    bridge = Calendar(extra_off=["2026-06-15"], extra_working=[date(2026, 6, 13)])
    assert not bridge.is_working_day(date(2026, 6, 15))
    assert bridge.is_working_day(date(2026, 6, 13))
    assert bridge.holiday(date(2026, 6, 15)) == "Ngày nghỉ theo thông báo của Chính phủ"
    assert bridge.add_working_days(date(2026, 6, 12), 2) == date(2026, 6, 16)  # Sat 13, (15 off), Tue 16


def test_the_deadline_follows_the_kind_in_the_configuration():
    config = {"COMPLAINT_DEADLINE_DAYS": {"phan_anh": 10, "kien_nghi": 15},
              "HOLIDAYS_EXTRA_OFF": ["2026-06-10"], "HOLIDAYS_EXTRA_WORKING": []}
    assert deadlines.deadline(config, "phan_anh", date(2026, 6, 8)) == date(2026, 6, 23)
    assert deadlines.deadline(config, "kien_nghi", date(2026, 6, 8)) == date(2026, 6, 30)


def test_working_days_between_counts_what_is_left():
    assert CALENDAR.working_days_between(date(2026, 6, 12), date(2026, 6, 16)) == 2
    assert CALENDAR.working_days_between(date(2026, 6, 16), date(2026, 6, 16)) == 0


def test_a_deadline_needs_at_least_one_day():
    with pytest.raises(ValueError, match="at least one working day"):
        CALENDAR.add_working_days(date(2026, 6, 8), 0)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_every_deadline_lands_on_a_working_day_and_is_monotone(year):
    previous = None
    for offset in range(0, 366, 3):
        received = date(year, 1, 1) + timedelta(days=offset)
        due = CALENDAR.add_working_days(received, 10)
        assert CALENDAR.is_working_day(due)
        assert CALENDAR.working_days_between(received, due) == 10
        assert previous is None or due >= previous
        previous = due
