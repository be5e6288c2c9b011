"""The `offer` kind: the caller's answer to an offered slot.

Written from the classes: taking the slot (in yes/no words or the offer's own 挂), asking
for a later or earlier one, for another day, or naming a day or session; said typed,
recogniser-style (spaces, no punctuation) and with near-homophones.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import KINDS, NOTHING, understand
from app.understanding.phrases import phrase_list

SUNDAY = dt.date(2026, 11, 29)


def offer(text: str, today: dt.date = SUNDAY) -> object:
    return understand("offer", text, today)


@pytest.mark.parametrize(
    "text",
    [
        "好的",
        "要得",
        "是喽",
        "可以",
        "挂",
        "挂嘛",
        "就挂这个",
        "就这个",
        "要这个",
        "我要挂",
        "挂 这 个",
        "不用换，就这个",
        "行，挂上",
    ],
)
def test_taking_the_slot(text: str) -> None:
    assert offer(text) == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "晚一点",
        "晚点",
        "晚一点的",
        "要晚一点的",
        "太早了，要晚一点的",
        "太早了",
        "再晚些",
        "迟一点嘛",
        "晚 一 点",
        "要 晚 点 的",
        "完一点的",
        "有没有下午的",
        "往后一点",
    ],
)
def test_asking_for_a_later_slot(text: str) -> None:
    assert offer(text) == "later"


@pytest.mark.parametrize("text", ["早一点的", "太晚了", "有没有早点的", "提前一点"])
def test_asking_for_an_earlier_slot(text: str) -> None:
    assert offer(text) == "earlier"


@pytest.mark.parametrize(
    "text",
    ["换一天", "要换一天", "换个日子", "改天嘛", "这天不得行", "换 一 天", "下个礼拜", "过几天"],
)
def test_asking_for_another_day(text: str) -> None:
    assert offer(text) == "other_day"


@pytest.mark.parametrize(
    ("text", "date", "session"),
    [
        ("礼拜六上午", "2026-12-05", "am"),
        ("星期六早上", "2026-12-05", "am"),
        ("礼拜 六 上午", "2026-12-05", "am"),
        ("下礼拜三", "2026-12-02", None),  # Monday-based weeks: today is a Sunday
        ("下个礼拜三", "2026-12-02", None),
        ("下 个 星期 三", "2026-12-02", None),
        ("明天下午", "2026-11-30", "pm"),
        ("大后天", "2026-12-02", None),
        ("好，礼拜五下午", "2026-12-04", "pm"),
    ],
)
def test_naming_a_day_or_session(text: str, date: str, session: str | None) -> None:
    assert offer(text) == {"date": date, "session": session}


@pytest.mark.parametrize("text", ["不要", "不要了", "不挂", "不行"])
def test_plain_refusals(text: str) -> None:
    assert offer(text) == "no"


@pytest.mark.parametrize("text", ["", "我家猫跑了", "晚一点或者换一天", "挂号要好多钱", "要车"])
def test_unclear_answers_are_unknown(text: str) -> None:
    assert offer(text) == "unknown"


def test_offer_is_a_kind_with_its_phrase_list() -> None:
    assert "offer" in KINDS and NOTHING["offer"] == "unknown"
    phrases = phrase_list("offer")
    for word in ("晚一点", "换一天", "挂", "要得", "下礼拜三", "上午", "胸口疼"):
        assert word in phrases or any(word in p for p in phrases), word
