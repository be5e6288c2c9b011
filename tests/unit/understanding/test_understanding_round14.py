"""Rules of the fourteenth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from app.understanding import understand
from app.understanding.yesno import plainly_assenting
from support.understood import MON, day, u


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # the cancel said back is the yes to "要取消吗？", its reasons included
        ("取消掉嘛，我去不成了", "yes"),
        ("对 对 退 掉 我 不 去 了", "yes"),
        ("要取消吗？嗯，取消，那天我孙子结婚", "yes"),
        ("好嘛，同意取消", "yes"),
        # the last cancel said negated is a no, whatever came before it
        ("取消……哦不不不，不要取消，我要去的", "no"),
        ("取 消 做 哪 样 莫 取 消", "no"),
        # asking about cancelling answers nothing
        ("取消哪个号嘛", "unknown"),
        ("取消的话要扣钱吗", "unknown"),
        # 取消，不要了 answers an offer as often: not read as the cancel's yes
        ("取 消 不 要 了", "no"),
    ],
)
def test_a_cancel_said_as_the_answer(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # a detail read back and put right by naming another value: a no
        ("不是我的，是我老伴的", "no"),
        ("是我儿子……哦不是，是我女婿", "no"),
        ("幺三九 不是幺三九嘛 是幺五九", "no"),
        ("下午？我说的是上午嘛", "no"),
        # ... unless what is named after 是 is a yes, or the 不是 asks
        ("不是不是，是的是的", "yes"),
        ("不是不要，是要", "yes"),
        ("不是我还是哪个嘛，就是我", "yes"),
    ],
)
def test_a_detail_put_right(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("要 车 要 车", True),
        ("要得要得 喊车来嘛", True),
        ("要车 我在门口等", True),
        ("要车，不过要大点的", False),  # a but
        ("要 车 嘛 能 带 狗 吗", False),  # a question
        ("我 想 一 下 要 嘛", False),  # thinking aloud
        ("没 得 车 咋 个 去", False),  # a negation
        ("对面那个老倌也要车", False),  # a look-alike of a yes opens it
        ("要命哦这个脚", False),
    ],
)
def test_what_a_statistical_yes_may_fill_in(text: str, plain: bool) -> None:
    assert plainly_assenting(text) is plain


def test_a_statistical_yes_needs_the_rules_to_have_abstained() -> None:
    # the rules' no is never overturned by the model, however sure it is of a yes
    assert understand("yesno", "不要车，我走路去", MON) == "no"


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # 天 dropped by the recogniser before a half-day
        ("明 上午 吧", day("2026-12-01", "am")),
        ("大后 下午 嘛 我 空 得 很", day("2026-12-03", "pm")),
        ("今 下午 我 就 来", day("2026-11-30", "pm")),
        # ... not in 清明 (a festival) or 如今
        ("如今 下午 人 少", day(None, "pm")),
        # 粥 heard for 周 before a weekday
        ("这 粥 六 上午", day("2026-12-05", "am")),
        # the other half-day said with what the caller cannot do in it
        ("下午吧，早上我起不来", day(None, "pm")),
        ("下 午 嘛 上 午 我 送 不 了 他", day(None, "pm")),
    ],
)
def test_days_as_the_recogniser_writes_them(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # one four said twice, spaced and with sound-alikes
        ("伞 零 二 零 伞 零 二 零", "3020"),
        ("幺 八 四 五 幺 八 四 五 对", "1845"),
        # said again with one digit put right after 哦 / 不对
        ("五二一六……哦，五二一七", "5217"),
        ("三三八零 不对 三三八九", "3389"),
        # two different fours are a landline
        ("六五三九 二六七幺", "65392671"),
        # years, ages and houses as the recogniser spaces them are no digits asked for
        ("我 一 九 五 八 年 的 今 年 六 十 九", None),
        ("我 家 住 在 十 三 号", None),
    ],
)
def test_digits_said_again_and_numbers_not_asked(text: str, digits: str | None) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # "who / where else could it be" after the detail said again
        ("就是第一人民医院嘛，还有哪家", "yes"),
        ("我自己嘛，还会是谁", "yes"),
        ("不去那里去哪里", "yes"),
        # not ready: 没 before 好
        ("还没好", "no"),
        # coming down to the car, or not
        ("下 来 了 下 来 了", "yes"),
        ("我下来了，在单元门口", "yes"),
        ("现在下不来，在洗脚", "no"),
        ("弯都弯不下去，腰杆疼", "unknown"),
    ],
)
def test_rhetorical_yes_not_ready_and_coming_down(text: str, answer: str) -> None:
    assert u("yesno", text) == answer
