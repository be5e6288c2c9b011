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


OFFERS_READ_PAST_KEYS = [
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
]


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


HOTLINE_QUESTIONS = [
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
]


KEYS = "对，请按1。不对，请按2。转人工，按0。"
DAUGHTER_HOME = "车到女儿家接您，地址是盘龙区北京路23号。对吗？" + KEYS
TO_HOSPITAL = "车到家接您去春城第一人民医院，对吗？" + KEYS
BOTH_CARS = "两辆都要：约好的车照样来，现在再派一辆，对吗？" + KEYS
CAR_TOO = (
    "号已经取消了。这个号还约了明天早上7点15分去医院的车，车也取消吗？"
    "取消，请按8。不取消，请按2。转人工，按0。"
)
RECORDED = "您说的地址已经录下来了，调度员会听。就按这个地址派车，对吗？" + KEYS


HOTLINE_READ_BACKS = [
    # a street read back as the recogniser writes it (北经路 for 北京路) is the same
    (DAUGHTER_HOME, "对 北 经 路 二十三号 就是那点", "yes"),
    (DAUGHTER_HOME, "不对 是南京路", "no"),
    # one thing agreed to, then not at home and where she is instead: the no
    (TO_HOSPITAL, "去医院是对的 可是我不在家 在我姑娘家这点", "no"),
    (TO_HOSPITAL, "对的 我在家这点等", "yes"),
    # what is said after 说错了 puts the detail right, no yes
    (RECORDED, "不对 我刚刚说错了 是东站", "no"),
    # not decided yet: nothing compared
    (TO_HOSPITAL, "我还没定下来去哪家医院", "unknown"),
    # what the question reads back first, said back as the answer
    (BOTH_CARS, "两辆都要 快点派", "yes"),
    (BOTH_CARS, "两辆都要？我只要一辆", "unknown"),
    # both given up together at the car's cancel; a question about it is no answer
    (CAR_TOO, "对 一起取消 不去医院了", "yes"),
    (CAR_TOO, "都取消了吗 那我还去不去", "no"),
    (CAR_TOO, "不去医院了 车留起 我要去别处", "no"),
]


SAME_DEPARTMENT = (
    "您已经挂了12月9号星期三上午8点，春城第一人民医院，心血管内科的号。"
    "还要再挂一个心血管内科的号，请按1。不用了，请按2。转人工，按0。"
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a user trial: the booked day said back ("下个礼拜三") booked a second one; what is
        # told as done already is no detail read back for a yes
        ("下个礼拜三", "unknown"),
        ("要 再挂一个", "yes"),
        ("不用了", "no"),
    ],
)
def test_what_is_done_already_is_not_read_back(text: str, value: str) -> None:
    assert understand("yesno", text, dt.date(2026, 12, 3), question=SAME_DEPARTMENT) == value


NO_CHANGE: dict[str, object] = {"date": None, "clock": None, "session": None, "to": None}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # an hour refused as it is said is not the hour wanted; the half-day wanted stays
        ("八点太早了 我起不来 有没有下午的", {**NO_CHANGE, "session": "pm"}),
        ("九点我来不了 十点嘛", {**NO_CHANGE, "clock": [10, 0], "session": "am"}),
        # refused with nothing else said: the hour is asked again
        ("八点太早了", {**NO_CHANGE, "time_again": True}),
    ],
)
def test_an_hour_refused_is_not_the_change(text: str, value: dict[str, object]) -> None:
    assert understand("change", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the recogniser's gap after a bare 要 ends its clause when a person opens the next
        ("要 我 妈 在 楼 下 等", "yes"),
        ("要 她 自己 下得来", "yes"),
        # ... not what is wanted instead, not "if you ask me", not thinking it over
        ("要 晚一点的", "unknown"),
        ("要 我 说 哪样", "unknown"),
        ("要 我问一下我儿子", "unknown"),
    ],
)
def test_a_bare_yes_then_a_person(text: str, value: str) -> None:
    assert understand("yesno", text, TODAY) == value



@pytest.mark.parametrize(
    ("text", "value"),
    [
        # days counted with 过后, or waited (等一个礼拜再去), or as the recogniser writes the
        # count (山天 = 三天, 是天 = 四天, 娘个礼拜 = 两个礼拜)
        ("三天过后吧", {"date": "2026-12-05", "session": None}),
        ("山天 以后 下午", {"date": "2026-12-05", "session": "pm"}),
        ("是天 以后 上午", {"date": "2026-12-06", "session": "am"}),
        ("等 一个礼拜 再去 上午", {"date": "2026-12-09", "session": "am"}),
        ("娘个礼拜以后 上午", {"date": "2026-12-16", "session": "am"}),
        # "过两天" stays vague (a couple of days), as decided before
        ("过两天", {"date": None, "session": None}),
        # later in the day; "can't come" in Yunnan words refuses its half-day
        ("明天 晚些 时候", {"date": "2026-12-03", "session": "pm"}),
        ("明天上午 下午来不起", {"date": "2026-12-03", "session": "am"}),
        # 十 then 是 before 号 is 十四号
        ("十是号 下午", {"date": "2026-12-14", "session": "pm"}),
        # a day refused after the day wanted, written as one word and closed by a mark
        ("我说的是礼拜天！不是礼拜一，上午", {"date": "2026-12-06", "session": "am"}),
        ("明天 哦 不是 后天 下午", {"date": "2026-12-04", "session": "pm"}),
    ],
)
def test_days(text: str, value: dict[str, object]) -> None:
    assert understand("when", text, TODAY) == value


@pytest.mark.parametrize(
    ("question", "text", "value"), OFFERS_READ_PAST_KEYS + HOTLINE_QUESTIONS + HOTLINE_READ_BACKS
)
def test_yes_no_to_the_hotline_s_own_questions(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value
