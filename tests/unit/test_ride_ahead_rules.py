"""The rules of a ride booked ahead (app/taxi/ahead.py), at their edges; now is Monday
2026-11-30 10:00 in Kunming, the defaults: 6:00 to 22:00, 7 days, released 30 min before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.core.local_time import LOCAL_TZ
from app.taxi.ahead import AheadRules, pickup_time, problem, reminder_time, spoken_pickup

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ)
RULES = AheadRules()


@pytest.mark.parametrize(
    ("pickup", "found"),
    [
        (NOW - timedelta(minutes=1), "past"),
        (NOW, "past"),
        (NOW + timedelta(minutes=29), "soon"),
        (NOW + timedelta(minutes=30), None),
        (pickup_time(date(2026, 12, 1), 5, 59), "hours"),
        (pickup_time(date(2026, 12, 1), 6, 0), None),
        (pickup_time(date(2026, 12, 1), 21, 59), None),
        (pickup_time(date(2026, 12, 1), 22, 0), "hours"),
        (pickup_time(date(2026, 12, 7), 8, 0), None),  # 7 days ahead
        (pickup_time(date(2026, 12, 8), 8, 0), "far"),
    ],
)
def test_what_can_be_booked(pickup: datetime, found: str | None) -> None:
    assert problem(pickup, NOW, RULES) == found


def test_the_window_and_hours_follow_the_settings() -> None:
    rules = AheadRules(booking_days=2, start_hour=8, end_hour=18)
    assert problem(pickup_time(date(2026, 12, 1), 7, 30), NOW, rules) == "hours"
    assert problem(pickup_time(date(2026, 12, 3), 9, 0), NOW, rules) == "far"


def test_the_reminder_is_the_evening_before_at_the_reminder_hour() -> None:
    assert reminder_time(pickup_time(date(2026, 12, 1), 8, 0), RULES) == pickup_time(
        date(2026, 11, 30), 19, 0
    )


@pytest.mark.parametrize(
    ("pickup", "said"),
    [
        (pickup_time(date(2026, 12, 1), 8, 0), "明天早上8点"),
        (pickup_time(date(2026, 12, 2), 14, 30), "后天下午2点半"),
        (pickup_time(date(2026, 11, 30), 12, 0), "今天中午12点"),
        (pickup_time(date(2026, 12, 3), 19, 15), "12月3号星期四晚上7点15分"),
    ],
)
def test_the_pickup_time_as_the_caller_hears_it(pickup: datetime, said: str) -> None:
    assert spoken_pickup(pickup, NOW) == said
