"""Twenty-second round: answers a user trial of calls was asked again for, read with the
question as the hotline speaks it (its key instructions included)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)
TRIP = (
    "给您母亲张秀英挂好了：明天星期四上午8点，春城第一人民医院，心血管内科李医生。"
    "要不要约车送她去医院？车明天早上7点15分到她家接她。要，请按1；不用，请按2。转人工，按0。"
)
PERSON = "要转人工吗？转人工，请按1。不用，请按2。"


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # the car asked for with a reason, at the offer of a car to hospital: the yes (the
        # menu's 转人工 is not what the question offers)
        (TRIP, "她走不动 要车", "yes"),
        (TRIP, "要个车嘛 她腿不好", "yes"),
        (TRIP, "她 走 不 动 要 约 车", "yes"),
        # ... refused, or a question about it, or thinking: never the yes
        (TRIP, "她走不动 不要车 她儿子开车送", "no"),
        (TRIP, "约车要好多钱", "unknown"),
        (TRIP, "要车 等下 我问问她", "unknown"),
        # a person offered: wanting one is still the yes, the menu read past
        (PERSON, "要 找个人跟我说", "yes"),
    ],
)
def test_offers_read_past_the_key_instructions(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # 么 after the count announced is the first digit when only the rest follow it; the
        # question said back (后四位么？) when four follow
        ("后四位 么 么 四 九", "1149"),
        ("后 四 位 么 三 零 八", "1308"),
        ("后四位么？五三零六", "5306"),
        # a number said again with its front added, or a group begun again mid-number
        ("八 九 叉 哎呀 前面漏了一个 三 八 九 叉", "389X"),
        ("一三九，六六二……六六二……六六二八，四四五零", "13966284450"),
        # ... while a group said twice in a row is no restart
        ("七七零八 七七零八", "7708"),
        # a group of four explained after the number (两 is 二)
        ("一三六，两两八八，零二四一，两两八八就是二二八八", "13622880241"),
        # a room or a bed named first, a day said with 是: no number asked for
        ("我 病房 号 是 四 零 二 护士 晓得", None),
        ("今天是十八号 我电话是幺三八零零幺二三四五六", "13800123456"),
        # the ID's digits not known and another card's said instead, or only the front
        ("身份证的记不得了 社保卡的我记得 五五六七", None),
        ("前面几个倒是记得 五三二六 后面不记得", None),
    ],
)
def test_digits(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


CANCEL_CAR = "这辆车要取消吗？取消，请再按8。不取消，请按2。转人工，按0。"
ANOTHER = (
    "您已经挂了明天星期二上午8点，春城第一人民医院，心血管内科的号。"
    "还要再挂一个心血管内科的号，请按1。不用了，请按2。转人工，按0。"
)
SLOT = (
    "最早的号是明天星期四上午8点，春城第一人民医院，心血管内科李医生。"
    "给您挂这个号，请按1。要晚一点的，请按2。换一天，请按3。转人工，按0。"
)


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # at a cancel: the cancel said then "not wanted", the thing itself not wanted, no use
        # for it: the yes (取消 written 去消 by the recogniser)
        (CANCEL_CAR, "取消 取消 车不要了", "yes"),
        (CANCEL_CAR, "车也不要了 我走路去", "yes"),
        (CANCEL_CAR, "去 消 吧 不 要 了", "yes"),
        (CANCEL_CAR, "号都退了 还要车做哪样", "yes"),
        # ... kept, or "don't bother cancelling" (Kunming 费事): the no
        (CANCEL_CAR, "留起嘛 车留起", "no"),
        (CANCEL_CAR, "费事取消了 我等着", "no"),
        # ... what a cancel costs or leaves, asked: no answer; a bare 不要了 stays the no
        (CANCEL_CAR, "取消了要不要钱", "unknown"),
        (CANCEL_CAR, "取消了还能再叫不", "unknown"),
        (CANCEL_CAR, "不要了", "no"),
        # the question asked as its first key's words (还要再挂一个…的号，请按1)
        (ANOTHER, "要 再挂一个 下个月复查", "yes"),
        (ANOTHER, "不用了 一个够了", "no"),
        # the other keys' words (要晚一点的，请按2) are no detail read back
        (SLOT, "可以 明天八点就明天八点", "yes"),
        (SLOT, "八点太早了 要晚一点的", "no"),
    ],
)
def test_questions_as_the_hotline_asks_them(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value
