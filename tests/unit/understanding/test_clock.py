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


@pytest.mark.parametrize(
    ("said", "clock"),
    [
        ("晌午", (12, 0)),  # Yunnan: noon
        ("明天晌午", (12, 0)),
        ("中午", (12, 0)),
        ("晌午饭后", (13, 0)),  # after lunch
        ("吃了晌午饭", (13, 0)),
        ("晌午过后", (13, 0)),
        ("晌午饭前", (11, 0)),
        ("晌午一点", (13, 0)),  # an hour said wins over the word alone
        ("晌午十二点", (12, 0)),
    ],
)
def test_noon_said_without_an_hour(said: str, clock: tuple[int, int]) -> None:
    assert parse_clock(said) == clock
