"""The hour of a ride booked ahead, said or pressed (app/understanding/when.py: parse_clock;
app/taxi/ahead.py: hour_by_key)."""

from __future__ import annotations

import pytest

from app.taxi.ahead import hour_by_key
from app.understanding.when import parse_clock


@pytest.mark.parametrize(
    ("said", "clock"),
    [
        ("明天早上八点", (8, 0)),
        ("礼拜三下午两点", (14, 0)),
        ("下午两点半", (14, 30)),
        ("八点二十", (8, 20)),
        ("晚上七点", (19, 0)),
        ("中午十二点", (12, 0)),
        ("三点钟", (15, 0)),  # 1 to 5 alone: the afternoon
        ("上午十点", (10, 0)),
        ("明天八点，不，九点", (9, 0)),  # the last said counts
    ],
)
def test_the_clock_time_said(said: str, clock: tuple[int, int]) -> None:
    assert parse_clock(said) == clock


@pytest.mark.parametrize("said", ["明天上午", "随便", "快一点", ""])
def test_no_hour_said_is_none(said: str) -> None:
    assert parse_clock(said) is None


@pytest.mark.parametrize(
    ("key", "clock"), [("7", (7, 0)), ("9", (9, 0)), ("2", (14, 0)), ("5", (17, 0)), ("x", None)]
)
def test_the_hour_pressed(key: str, clock: tuple[int, int] | None) -> None:
    assert hour_by_key(key) == clock
