"""Rules from the third call trial of the phone service: emergencies inside everyday
sentences and in dialect, and answers that only look like a yes. The sentences here are
written for the rules; the trial's own transcripts are not test data."""

from __future__ import annotations

import pytest

from support.understood import u


@pytest.mark.parametrize(
    "text",
    [
        "我前天约的车，现在胸口痛得很",  # a past word in another clause
        "平常都还好，今天气都喘不上来",
        "我经常打电话给你们，心口闷得很",
        "有高血压老毛病，现在说话讲不清楚了",
        "我 上 个 礼拜 叫 过 车 现在 胸口 疼",  # recogniser style, the past word far off
    ],
)
def test_a_time_or_habit_word_of_another_clause_does_not_hide_an_emergency(text: str) -> None:
    assert u("emergency", text) is True


@pytest.mark.parametrize(
    "text",
    [
        "经常手脚发麻",
        "平时有点胸闷",
        "手脚发麻好几年了",
        "去年摔倒了起不来",
        "以前中风过，现在好了",
    ],
)
def test_an_old_complaint_said_as_old_is_still_no_emergency(text: str) -> None:
    assert u("emergency", text) is False


@pytest.mark.parametrize(
    "text",
    [
        "我老汉不行了",
        "出不赢气",
        "话也讲不清楚",
        "他右边手脚木了",
        "我妈跶了一跤",
        "我奶奶在地上起不来",
        "心口像刀割一样",
        "站不稳，说话也不清楚",
        "哎哟，不行了不行了",
        "我老伴跌下去了",
    ],
)
def test_dialect_and_everyday_phrasings_of_emergencies(text: str) -> None:
    assert u("emergency", text) is True


@pytest.mark.parametrize(
    "text", ["好早哦", "好贵嘛", "好好的", "能不能换个医生", "嗯，让我想想", "好麻烦哦"]
)
def test_complaints_questions_and_hesitation_are_no_yes(text: str) -> None:
    assert u("yesno", text) == "unknown"


def test_so_early_at_a_slot_offer_asks_for_a_later_one() -> None:
    assert u("offer", "好早哦") == "later"
    assert u("offer", "好晚哦") == "earlier"


def test_small_talk_with_a_day_word_is_no_time_answer() -> None:
    assert u("when", "今天出太阳了") is None
    assert u("when", "后 天 上 午") == {"date": "2026-12-02", "session": "am"}


# --- fourth call trial ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我妈突然说不来话了",
        "他舌头木了",
        "我老头吃饭噎住了",
        "人瘫在地上",
        "她抽起了",
        "没劲了，起不来",
    ],
)
def test_more_stroke_choking_and_collapse_phrasings_are_emergencies(text: str) -> None:
    assert u("emergency", text) is True


@pytest.mark.parametrize(
    "text", ["对是对，就是有点远", "要得，不过到时候怎么办", "这样的话就按1吗"]
)
def test_a_yes_that_turns_to_a_worry_or_a_condition_is_no_yes(text: str) -> None:
    assert u("yesno", text) == "unknown"


def test_a_scornful_yes_is_a_no() -> None:
    assert u("yesno", "好个屁") == "no"
