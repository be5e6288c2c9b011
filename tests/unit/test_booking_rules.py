"""app.hospital.rules: window, release time, closed days, cancel deadline, penalties.

All clock times below are Kunming local time (UTC+8); `at()` turns them into UTC.
2026-11-30 is a Monday; 2026-12-03 a Thursday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.demo_data import HOSPITAL_RULES
from app.hospital.rules import LOCAL_TZ, BookingRules, DayStatus, spoken_day, spoken_time

RULES = BookingRules()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock moment, as the UTC datetime the services receive."""
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


MONDAY = date(2026, 11, 30)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# --- parsing ------------------------------------------------------------------------------


def test_missing_rules_take_the_defaults() -> None:
    assert BookingRules.from_json(None) == BookingRules.from_json({}) == RULES
    assert RULES.booking_window_days == 7 and RULES.release_time == time(15, 0)
    assert RULES.cancel_deadline_time == time(16, 0) and RULES.cancel_deadline_working_day
    assert RULES.elderly_age == 60 and RULES.closed_on_holidays
    assert RULES.noshow_penalties == ((1, 30), (2, 60), (3, 90))


def test_the_demo_hospital_rules_parse_to_the_defaults() -> None:
    assert BookingRules.from_json(HOSPITAL_RULES) == RULES


def test_rules_are_read_from_hospital_json() -> None:
    rules = BookingRules.from_json(
        {
            "booking_window_days": 14,
            "release_time": "07:00",
            "next_day_close_time": "17:30",
            "cancel_deadline": "12:00 the day before",
            "elderly_age": 65,
            "closed_on_holidays": False,
            "noshow_penalties": [[3, 30], [1, 7]],
            "noshow_window_days": 30,
        }
    )
    assert rules.booking_window_days == 14 and rules.release_time == time(7, 0)
    assert rules.next_day_close_time == time(17, 30)
    assert rules.cancel_deadline_time == time(12, 0) and not rules.cancel_deadline_working_day
    assert rules.elderly_age == 65 and not rules.closed_on_holidays
    assert rules.noshow_penalties == ((1, 7), (3, 30)) and rules.noshow_window_days == 30


@pytest.mark.parametrize(
    "raw",
    [
        {"release_time": "3pm"},
        {"cancel_deadline": "the day before"},
        {"booking_window_days": 0},
        {"booking_window_days": "seven"},
    ],
)
def test_a_misconfigured_rule_is_an_error_not_a_silent_default(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BookingRules.from_json(raw)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        RULES.bookable_days(datetime(2026, 11, 30, 10, 0))


# --- window and release time ---------------------------------------------------------------


def test_before_the_release_time_tomorrow_to_six_days_ahead_are_bookable() -> None:
    # Sunday 6 December is closed.
    assert RULES.bookable_days(at(MONDAY, 14, 59)) == [d(12, 1), d(12, 2), d(12, 3), d(12, 4),
                                                        d(12, 5)]


def test_at_the_release_time_a_new_day_opens_and_tomorrow_closes() -> None:
    assert RULES.bookable_days(at(MONDAY, 15, 0)) == [d(12, 2), d(12, 3), d(12, 4), d(12, 5),
                                                       d(12, 7)]
    assert RULES.day_status(d(12, 1), at(MONDAY, 15, 0)) == DayStatus.TOO_LATE
    assert RULES.day_status(d(12, 7), at(MONDAY, 14, 59)) == DayStatus.NOT_YET


def test_today_and_the_past_are_never_bookable_by_phone() -> None:
    assert RULES.day_status(MONDAY, at(MONDAY, 7, 0)) == DayStatus.TOO_LATE
    assert RULES.day_status(d(11, 29), at(MONDAY, 7, 0)) == DayStatus.TOO_LATE


def test_next_day_booking_may_close_later_than_the_release() -> None:
    rules = BookingRules(release_time=time(7, 0), next_day_close_time=time(17, 0))
    assert rules.day_status(d(12, 1), at(MONDAY, 16, 59)) == DayStatus.OPEN
    assert rules.day_status(d(12, 1), at(MONDAY, 17, 0)) == DayStatus.TOO_LATE
    assert rules.day_status(d(12, 7), at(MONDAY, 7, 0)) == DayStatus.OPEN


def test_the_release_moment_is_the_release_time_window_days_before() -> None:
    assert RULES.release_moment(d(12, 7)) == datetime(2026, 11, 30, 15, 0, tzinfo=LOCAL_TZ)


def test_release_time_is_local_time_not_utc() -> None:
    # 07:00 UTC is 15:00 in Kunming.
    now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert RULES.day_status(d(12, 7), now) == DayStatus.OPEN


# --- closed days -----------------------------------------------------------------------------


def test_sundays_and_public_holidays_are_closed_saturdays_open() -> None:
    assert RULES.is_closed(d(12, 6))  # Sunday
    assert not RULES.is_closed(d(12, 5))  # ordinary Saturday: morning clinics
    assert all(RULES.is_closed(d(10, n)) for n in range(1, 8))  # National Day week
    assert RULES.is_closed(d(9, 26))  # a Saturday inside the Mid-autumn holiday
    assert not RULES.is_closed(d(10, 10))  # Saturday made a working day (调休)


def test_a_hospital_open_on_holidays_has_no_closed_days() -> None:
    rules = BookingRules(closed_on_holidays=False)
    assert not rules.is_closed(d(12, 6)) and not rules.is_closed(d(10, 1))


def test_years_without_holiday_data_fall_back_to_the_plain_week() -> None:
    assert RULES.is_closed(d(1, 3, 2027))  # a Sunday
    assert not RULES.is_closed(d(1, 4, 2027))
    # Known limit: without 2027 data, New Year's Day (a Friday) looks like a working day.
    assert RULES.bookable_days(at(d(12, 30), 16, 0)) == [d(1, 1, 2027), d(1, 2, 2027),
                                                        d(1, 4, 2027), d(1, 5, 2027),
                                                        d(1, 6, 2027)]


# --- cancel deadline -------------------------------------------------------------------------


def test_cancel_until_16_00_on_the_working_day_before() -> None:
    # A Thursday visit: until Wednesday 16:00.
    assert RULES.can_cancel(d(12, 3), at(d(12, 2), 16, 0))
    assert not RULES.can_cancel(d(12, 3), at(d(12, 2), 16, 1))


def test_a_monday_visit_must_be_cancelled_by_friday_afternoon() -> None:
    assert RULES.cancel_deadline(d(12, 7)) == datetime(2026, 12, 4, 16, 0, tzinfo=LOCAL_TZ)
    assert not RULES.can_cancel(d(12, 7), at(d(12, 5), 9, 0))


def test_after_a_public_holiday_the_deadline_is_the_last_working_day_before_it() -> None:
    assert RULES.cancel_deadline(d(10, 8)) == datetime(2026, 9, 30, 16, 0, tzinfo=LOCAL_TZ)


def test_a_calendar_day_deadline_ignores_working_days() -> None:
    rules = BookingRules.from_json({"cancel_deadline": "16:00 the day before"})
    assert rules.cancel_deadline(d(12, 7)) == datetime(2026, 12, 6, 16, 0, tzinfo=LOCAL_TZ)


# --- penalties and age -----------------------------------------------------------------------


@pytest.mark.parametrize(("noshows", "days"), [(0, 0), (1, 30), (2, 60), (3, 90), (7, 90)])
def test_noshows_in_a_year_suspend_phone_booking(noshows: int, days: int) -> None:
    assert RULES.suspension_days(noshows) == days


def test_custom_penalties_three_in_a_month() -> None:
    rules = BookingRules.from_json({"noshow_penalties": [[3, 30]], "noshow_window_days": 30})
    assert [rules.suspension_days(n) for n in (1, 2, 3)] == [0, 0, 30]


def test_elderly_from_60_by_default_and_unknown_age_counts_as_elderly() -> None:
    assert not RULES.is_elderly(59) and RULES.is_elderly(60) and RULES.is_elderly(None)
    assert not BookingRules(elderly_age=65).is_elderly(64)


def test_days_and_times_are_said_the_chinese_way() -> None:
    assert spoken_day(d(12, 3), "am") == "12月3日 星期四 上午"
    assert spoken_day(d(12, 6)) == "12月6日 星期日"
    assert spoken_time(time(8, 0)) == "8点" and spoken_time(time(14, 20)) == "14点20分"
    assert at(MONDAY, 15) - at(MONDAY, 14) == timedelta(hours=1)


def test_the_elderly_release_rule_is_read_and_checked() -> None:
    never = BookingRules.from_json({})
    assert never.elderly_release_moment(d(12, 1), "am") is None
    assert not never.elderly_released(d(12, 1), "am", at(MONDAY, 23))
    assert never.elderly_released_through(at(MONDAY, 23)) is None
    day_before = BookingRules.from_json({"elderly_release": "17:00 the day before"})
    assert day_before.elderly_release_moment(d(12, 1), "pm") == datetime(
        2026, 11, 30, 17, 0, tzinfo=LOCAL_TZ
    )
    assert day_before.elderly_release_words == "就诊前一天 17:00"
    two_days = BookingRules.from_json({"elderly_release": "07:30 2 days before"})
    assert two_days.elderly_release_moment(d(12, 2), "am") == datetime(
        2026, 11, 30, 7, 30, tzinfo=LOCAL_TZ
    )
    hours = BookingRules.from_json({"elderly_release": "30 hours before"})
    assert hours.elderly_release_moment(d(12, 1), "pm") == datetime(
        2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ
    )
    assert hours.elderly_release_words == "开诊前 30 小时"
    assert BookingRules.from_json({"elderly_release": None}).elderly_release_days is None
    for bad in ("tomorrow", "25:00 the day before", "0 hours before", "17:00"):
        with pytest.raises(ValueError):
            BookingRules.from_json({"elderly_release": bad})


@pytest.mark.parametrize(
    "rule", ["17:00 the day before", "07:30 2 days before", "30 hours before", "1 hour before"]
)
def test_the_database_cutoff_agrees_with_the_release_moment(rule: str) -> None:
    """`elderly_released_through` (used in SQL filters) says the same as `elderly_released`
    for every session of two weeks, at every half hour of three days."""
    rules = BookingRules.from_json({"elderly_release": rule})
    days = [MONDAY + timedelta(days=n) for n in range(14)]
    for step in range(3 * 48):
        now = at(MONDAY, 0) + timedelta(minutes=30 * step)
        through = rules.elderly_released_through(now)
        assert through is not None
        last_day, sessions = through
        for day in days:
            for session in ("am", "pm"):
                by_cutoff = day < last_day or (day == last_day and session in sessions)
                assert by_cutoff == rules.elderly_released(day, session, now), (rule, now, day)
