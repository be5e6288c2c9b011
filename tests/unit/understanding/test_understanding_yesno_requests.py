"""Yes/no: 要 + something is a request, not an assent; spaces are word gaps, not clauses.

Written from the classes (not from single trial sentences): bare 要 and its tails assent,
要 + object or verb asks for something else, 还要 / 还是要 keeps what one has, 不要 / 不用
refuse, and a yes that turns to another matter is no answer.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 11, 30)


def yesno(text: str) -> object:
    return understand("yesno", text, TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "要",
        "要得",
        "要的",
        "要嘛",
        "要了",
        "我要",
        "那就要",
        "要呢要呢",
        "要 得 嘛",
        "要这个",
        "就要这个号",
        "要得，麻烦你了",
        "要，挂嘛",
    ],
)
def test_bare_want_is_yes(text: str) -> None:
    assert yesno(text) == "yes"


@pytest.mark.parametrize(
    "text",
    [
        # 要 + a different time or day
        "要晚一点的",
        "要早点的",
        "要换一天",
        "要下午的",
        "太早了，要晚一点的",
        "太早了要晚一点的",
        # 要 + an object or another action (要车 alone: since the fourteenth round the car
        # offered, a yes - tests/unit/understanding/test_understanding_round11.py)
        "要等车",
        "要等一下",
        "要问下我儿子",
        "要好多钱",
        # still wanting what one has
        "还是要",
        "还要",
        "要，还要等",
        "我还要等",
        # recogniser-style, no punctuation
        "要 晚 一 点 的",
        "要 换 一 天",
        "还 是 要",
        "要 等 车",
        # a yes said together with a request
        "好，要晚一点的",
        "对 要 换 个 时间",
    ],
)
def test_want_with_something_is_not_yes(text: str) -> None:
    assert yesno(text) != "yes"


@pytest.mark.parametrize(
    "text",
    ["不要", "不要了", "不用", "不用了", "莫要", "不 要 了", "不，要晚一点的", "错喽错喽", "错 了"],
)
def test_refusals_are_no(text: str) -> None:
    assert yesno(text) == "no"


@pytest.mark.parametrize(
    "text",
    [
        "好，我还想问下几点开门",
        "对了，我想起来了，还有个事",
        "好 那个 医生 是 男的 女的",
        "是的，要多少钱？",
        "好嘛，等一下",
    ],
)
def test_yes_that_turns_to_another_matter_is_unknown(text: str) -> None:
    assert yesno(text) == "unknown"


@pytest.mark.parametrize(
    "text,value",
    [
        ("可 以", "yes"),
        ("是 的", "yes"),
        ("对 头", "yes"),
        ("没 得 问 题", "yes"),
        ("不 是", "no"),
        ("不 对", "no"),
        ("晓 不 得", "unknown"),
        ("给 是", "unknown"),
    ],
)
def test_recogniser_spaces_do_not_split_words(text: str, value: str) -> None:
    assert yesno(text) == value


@pytest.mark.parametrize("text", ["要钱不", "去 得 了 不", "医生在不", "这个号好挂不"])
def test_a_kunming_question_ending_in_bu_is_no_answer(text: str) -> None:
    assert yesno(text) == "unknown"


@pytest.mark.parametrize("text", ["当然不", "我不", "肯定不", "哪里是", "哪 是 嘛"])
def test_dialect_refusals_are_no(text: str) -> None:
    assert yesno(text) == "no"
