"""Nineteenth round: classes of answer found in the round's development sets, each tested in
words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the question said back with 么 as its particle: no 幺
        ("后四位么？五十三，零六", "5306"),
        ("后 四 位 么 五 洞 洞 二", "5002"),
        ("最后四位么 八 三 拐 二", "8372"),
        ("电话号码么，幺三九八七六五四三二一", "13987654321"),
        # ... while 么 among digits is still 幺
        ("五么三二", "5132"),
        ("后四位 幺三五二", "1352"),
    ],
)
def test_digits_classes(text: str, value: str) -> None:
    assert understand("digits", text, TODAY) == value
