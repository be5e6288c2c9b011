"""Dialect refusals (second trial of issue 9, finding 8): 不消了, 莫整了, 不要了, 算了, 不整了
are a clear "no" to a yes/no question, and ``decline`` tells a no that wants nothing at all
from a no that corrects a detail (不对, 不是, 错了).

Examples are written per class (dialect forms, particles, recogniser spaces, polite
endings), not only the trial's words.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import KINDS, NOTHING, understand
from app.understanding.phrases import phrase_list

TODAY = dt.date(2026, 12, 1)

WANTS_NOTHING = [
    "不消了",
    "不 消 了 嘛",
    "莫整了",
    "莫 整 喽",
    "不整了，谢谢你",
    "算了",
    "算喽",
    "那就算了吧",
    "算了算了，不好意思",
    "不要了",
    "不要了嘛",
    "莫要了",
    "不用了，谢谢",
    "不叫车了",
    "不挂号了",
    "不去了",
    "用不着了",
    "不需要了",
    "不麻烦了",
    "不了",
    "不对，算了",
]

CORRECTS = [
    "不对",
    "不 是",
    "错了",
    "不是这个",
    "不",
    "不用，我在医院门口",
    "不要这个，要晚一点的",
    "算了，换一天",
    "不消，就这个",
]

NOT_NO = ["要得", "好的", "不要紧", "是不是不要了", "疼得受不了", "我去不了", "", "嗯……"]


@pytest.mark.parametrize("text", WANTS_NOTHING)
def test_dialect_refusals_are_a_no_that_wants_nothing(text: str) -> None:
    assert understand("yesno", text, TODAY) == "no"
    assert understand("decline", text, TODAY) is True


@pytest.mark.parametrize("text", CORRECTS)
def test_a_no_that_corrects_or_asks_for_something_else_is_no_decline(text: str) -> None:
    assert understand("yesno", text, TODAY) == "no"
    assert understand("decline", text, TODAY) is False


@pytest.mark.parametrize("text", NOT_NO)
def test_anything_that_is_not_a_no_is_no_decline(text: str) -> None:
    assert understand("decline", text, TODAY) is False


def test_decline_is_a_public_kind_with_a_phrase_list() -> None:
    assert "decline" in KINDS and NOTHING["decline"] is False
    words = phrase_list("decline")
    assert {"不要了", "算了", "莫整了", "不消了"} <= set(words)
    assert words[-1] == "[unk]"


# The words the taxi and hospital flows once listed per question (`words: not_ordered` /
# `not_booked`), and the dialect refusals of issue 9: the flows now ask this kind only.
FORMER_FLOW_LISTS = [
    "不要了", "不消了", "不消", "莫要", "毛要", "莫整了", "不用了", "算了", "不叫了", "不要车了",
    "车不要了", "不坐了", "不坐车了", "不挂了", "不挂号了", "不看了", "不整了", "要不得",
]  # fmt: skip


@pytest.mark.parametrize("text", FORMER_FLOW_LISTS)
def test_every_refusal_the_flows_listed_by_hand_is_a_decline(text: str) -> None:
    assert understand("decline", text, TODAY) is True
    assert understand("decline", f"{text}，谢谢你", TODAY) is True


@pytest.mark.parametrize("text", ["去医院要不得", "不坐公交", "要不得的话怎么办"])
def test_kunming_yao_bu_de_or_bu_zuo_inside_another_matter_is_no_decline(text: str) -> None:
    assert understand("decline", text, TODAY) is False
