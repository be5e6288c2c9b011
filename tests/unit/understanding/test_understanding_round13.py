"""Rules of the thirteenth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from app.understanding import understand
from support.understood import MON, day, u


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a day refused where first said, named again only with its reason: the day said
        # instead is meant
        ("明天不得，明天我要去接孙子，后天嘛", day("2026-12-02")),
        ("五号不对，六号，五号我要去吃席", day("2026-12-06")),
        ("礼拜三 嗯 不是 礼拜四 礼拜三 我 要 去 买 菜", day("2026-12-03")),
        # ... but a day refused and then chosen again after all stays
        ("明天不行，后天也不行，算了还是明天", day("2026-12-01")),
        # a day said twice before 号, and the one of 后天的 closing its clause
        ("三号三号去", day("2026-12-03")),
        ("就挂后天的，后天下午", day("2026-12-02", "pm")),
        # what a day is said to be is no answer; the day answered before it is
        ("后天，大后天……大后天嘛，后天是赶街天", day("2026-12-03")),
        # a festival kept today, a gathering, a day too soon: busy
        ("后天去，今天过节", day("2026-12-02")),
        ("礼拜四礼拜五都空着，礼拜五嘛，礼拜四我们聚会", day("2026-12-04")),
        ("明天后天都得，还是后天嘛，明天要赶街", day("2026-12-02")),
    ],
)
def test_days_refused_and_reasons(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # Yunnan festival days of the lunar and the solar calendar
        ("刀杆节过了第二天去", day("2027-03-16")),
        ("泼水节那天", day("2027-04-13")),
        ("阔时节", day("2026-12-20")),
        # counted from the day after it (过后第三天), or with the festival the first (第三天)
        ("元旦过后第三天去", day("2027-01-04")),
        ("元旦第三天", day("2027-01-03")),
        ("元旦过了就去", day("2027-01-02")),
        ("元旦过了再去", None),  # "after it, some day": no day (再, not 就)
        # Friday prayers name Friday
        ("主麻那天", day("2026-12-04")),
        ("主麻过了第二天", day("2026-12-05")),
        # market days of one animal and of one weekday, the day after the next one
        ("我们这点属猪天赶街，赶完街第二天去", day("2026-12-04")),
        ("我们这点星期三赶街，赶完街第二天", day("2026-12-03")),
        ("逢五逢十赶街，赶完街第二天去", day("2026-12-06")),
        # going the day after a day named in the clause before
        ("我姑娘礼拜六回来，她回来第二天去", day("2026-12-06")),
        ("礼拜五去，第二天回来", day("2026-12-04")),
    ],
)
def test_days_counted_from_others(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # n/l and f/h merged, dropped and misheard characters
        ("下个你拜三 娘点钟", day("2026-12-09", "pm")),
        ("明天 吃过午换", day("2026-12-01", "pm")),
        ("拉天都冷去 里们安排", day(None)),
        ("采完茶拜六去", day("2026-12-05")),
        ("星 三 下 午", day("2026-12-02", "pm")),
        ("礼 拜 午 上 午", day("2026-12-04", "am")),
        ("十 五 好 十 五 好 下 午", day("2026-12-15", "pm")),
        ("下周二 摸宁", day("2026-12-08", "am")),
        # 礼拜一个 is no Monday
        ("药还能吃一个礼拜，一个礼拜以后嘛", day("2026-12-07")),
    ],
)
def test_days_heard_as_other_words(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a half-day with the caller's work or a hindrance in it gives way to the other
        ("大后天下午可以，早上路滑", day("2026-12-03", "pm")),
        ("明天早上雾大，吃过午饭去", day("2026-12-01", "pm")),
        ("我只能早上，下午要睡觉，日子嘛后天", day("2026-12-02", "am")),
        ("上午下午……下午下午，上午我要送孙子，日子就礼拜四", day("2026-12-03", "pm")),
        ("明天早早的", day("2026-12-01", "am")),
        # the hour one wakes is no time asked for
        ("后天上午，越早越好，我六点就起来了", day("2026-12-02", "am")),
    ],
)
def test_half_days(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # no preference in formal words, the hospital left to arrange, any day alike
        ("日期不拘，听你们安排", day(None)),
        ("还是医院安排好，我没有什么特别的要求", day(None)),
        ("哪天都行，我天天都是星期天", day(None)),
        ("初一十五都一样，你们定", day(None)),
        ("端午还没到，端午前头去，哪天你们定", day(None)),
        # not a day: put off for a while, how things are now, a formerly heard as now
        ("过段时间再看嘛，地里忙", None),
        ("现在就我一个人在家", None),
        ("我原先在电车上卖票，后天上午", day("2026-12-02", "am")),
        # 哦不好意思 / 哎，不说这些 take nothing back
        ("哦不好意思，就后天吧", day("2026-12-02")),
        ("哎，不说这些，三号嘛", day("2026-12-03")),
    ],
)
def test_no_preference_and_no_day(text: str, meant: dict[str, str | None] | None) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("不是不挂，挂嘛", "yes"),
        ("不是不需要，是需要的", "yes"),
        ("要嘛，你听清楚没得", "yes"),
        ("不用……哦我听岔了，要的要的", "yes"),
        ("要，搞快点", "yes"),
        ("好啰", "yes"),
        ("要噻，你说呢", "yes"),
        ("事呢", "yes"),
        ("队的", "yes"),
        ("格消问，当然要", "yes"),
        ("哪个不要嘛，要嘛", "yes"),
        ("没有错", "yes"),
        ("要呢要呢，脚杆疼得很，走不动", "yes"),
        ("是嘛，我自己的号，又不是别人的", "yes"),
        ("对的，不是我自己还是哪个", "yes"),
        ("先别派，我还没下楼", "no"),
        ("要不成，那天我有事", "no"),
        ("不要！你听不懂人话嘛", "no"),
        ("要……也行，不要……也行", "unknown"),
        ("好 那个 等一下", "unknown"),
        ("对的，可是我想改到下午", "unknown"),
        ("要得，不过挂下午的", "unknown"),
    ],
)
def test_yesno_rules(text: str, meant: str) -> None:
    assert u("yesno", text) == meant


def test_a_rhetorical_refusal_is_a_no_by_the_rules() -> None:
    # (the backstop, retrained in the fourteenth round, asks this one again: a no it
    # doubts in a longer sentence; a re-ask commits nothing)
    assert understand("yesno", "我又没病，叫哪样车", MON, backstop=False) == "no"
    assert understand("yesno", "我又没病，叫哪样车", MON) in ("no", "unknown")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("五六二三 五六 五六二三", "5623"),
        ("一三八 一三八七七六五四三二一", "13877654321"),
        ("二四六八 哎呀我这嘴 二四六九", "2469"),
        ("五 五 一 挨 克 斯", "551X"),
        ("后 四 位 七 七 一 差", "771X"),
        ("一 二 三 四 是 我 爸 的", "1234"),
        ("九 五 二 七 哦 错 了 第 二 个 是 六", "9627"),
        ("三 八 二 一 哦 错 了 最 后 一 个 是 五", "3825"),
        ("前面是四四七 四四七乘号", "447X"),
        ("坐 十 五 路 车 去", None),
        ("我 是 五 几 年 生 的", None),
    ],
)
def test_digits(text: str, meant: str | None) -> None:
    assert u("digits", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("第一个还是第二个？第二个", 2),
        ("头一个……第二个，第二个好", 2),
        ("第一个还是第二个", None),
        ("最后一个，第三个", 3),
    ],
)
def test_choices(text: str, meant: int | None) -> None:
    assert u("choice", text) == meant


@pytest.mark.parametrize(
    ("kind", "text", "meant"),
    [
        ("emergency", "我老汉一边脸垮下来了", True),
        ("emergency", "心口好痛，一身冷汗", True),
        ("emergency", "我老伴不呼吸了", True),
        ("emergency", "grandma 说她 chest 好痛", True),
        ("emergency", "我心疼我那孙子，天热出汗多", False),
        ("emergency", "你这个话把我气得喘不过气来了，开玩笑的", False),
        ("intent", "帮我喊一部车嘛，去医院复查", "taxi"),
        ("intent", "把我妈后天的挂号退一下", "cancel"),
        ("intent", "不用派车了", "cancel"),
        ("intent", "车派了没有嘛", "query"),
        ("intent", "叫你们领导来听电话", "operator"),
        ("department", "右边胳膊麻了好久", "神经内科"),
        ("department", "动不动就想哭", "精神心理科"),
        ("department", "医生说我是会气肿", "呼吸内科"),
        ("department", "一转头就天旋地转，还想吐", "神经内科"),
        ("department", "可嗽，有痰咳不出来", "呼吸内科"),
        ("department", "石膏拆了，手腕还弯不过来，医生叫去锻炼", "康复科"),
        ("department", "成天担心这担心那，心脏查过了没得事", "精神心理科"),
    ],
)
def test_other_rules(kind: str, text: str, meant: object) -> None:
    assert u(kind, text) == meant
