"""Rules of the sixteenth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from support.understood import u


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        # "while" something done just now is no past time; "when I was young" still is
        ("我老伴刚刚洗脸的时候突然嘴巴歪了，话都说不清楚", True),
        ("他二十几岁的时候昏倒过一回，现在想挂个号查查", False),
        # signs said without their usual words
        ("我脑壳痛得像要炸开一样", True),
        ("我爹呼吸好像停了，你们快点", True),
        ("我妈喊了半天都没有反应", True),
        ("心跳乱七八糟的，我人要倒了", True),
        ("我站都站不住了，眼前发黑", True),
        ("切菜切到手，血一直流不住", True),
        ("突然一下子看东西都是双的", True),
        # ... and the same words in the past, over, or a complaint of these last days
        ("昨天晚上心口疼了一阵，睡一觉就好了", False),
        ("这几天心口闷闷的，想找个医生看看", False),
        ("最近老是头昏，想挂个号", False),
        # legs too weak to walk far is no one who cannot be woken
        ("我腿脚不行了，走不远，帮我叫个车", False),
    ],
)
def test_emergency_signs_of_the_round(text: str, emergency: bool) -> None:
    assert u("emergency", text) is emergency


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # the last digit owned as a slip, then said
        ("五 三 七 八，最后一个说错了，是九", "5379"),
        # each digit by its place
        ("第一个是三，第二个是零，第三个是八，第四个是六", "3086"),
        # the end of a phone number taken back and said again
        ("一三九八七六五四三二一 不是 三二一 是 一二三", "13987654123"),
        # the last group put right, then the number goes on
        ("一三八，七七六五，不对，是七六七五，零零二三", "13876750023"),
    ],
)
def test_digits_put_right_or_said_by_place(text: str, digits: str) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "department"),
    [
        # what the doctor said last time is a finding, not a complaint
        ("医生上回讲我是白内障，要来做手术", "眼科"),
        # a part of the body said to be fine is no complaint about it
        ("嗓子倒是不疼，就是咳嗽，咳出来黄痰", "呼吸内科"),
        # "I am a woman" names no department
        ("我是女的", None),
        ("我要看老人科", "老年医学科"),
        ("骨头长好了，医生叫我来做康复锻炼", "康复科"),
        ("背上有个肉疙瘩越长越大了", "普通外科"),
    ],
)
def test_departments_of_the_round(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # not answered yet
        ("我看哈再说", "unknown"),
        ("到时候再说嘛", "unknown"),
        # a hum with a filler, then "what?"
        ("嗯，那个，你说", "unknown"),
        # "how could it not be"
        ("咋个不是嘛，就是给我挂的", "yes"),
        # no detail put right after 咋个不是
        ("怎么不是呢，是我自己去", "yes"),
        # a no taken back after 哦, and a detail put right (still a no)
        ("嗯，不是，是我老伴", "no"),
        ("不对，是大后天", "no"),
        ("不要不要，要钱呢嘛", "no"),
        # the offer said back: "at once", a dialect verb, a person asked for
        ("现在就转", "yes"),
        ("整一个来嘛", "yes"),
        ("人工嘛", "yes"),
        # "no problem, go ahead"
        ("没得事，发给她嘛", "yes"),
        ("没的错", "yes"),
        # not ready yet, not there, already there
        ("还没得，我还在换衣服", "no"),
        ("我现在还下不来，等哈", "no"),
        ("我不在门口，我在菜市场", "no"),
        ("在门口了在门口了", "yes"),
        ("我已经在楼下了", "yes"),
        ("在门口等了半天了，车还没来", "yes"),  # (seventeenth round: at the door is a yes)
        # not being ready is about the question; not having eaten is not
        ("我还没吃饭呢", "unknown"),
        # 晓不得 heard as 小不得
        ("小不得，我问下我儿子", "unknown"),
    ],
)
def test_yes_or_no_of_the_round(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("啥子时候来车嘛，等了好久了", "query"),
        ("我的号是啥时候的", "query"),
    ],
)
def test_when_said_in_dialect_is_a_question(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        # digits: stumbled over, then said whole; a relative's Cantonese "no"
        ("digits", "幺……幺五……幺五七，幺幺五七", "1157"),
        ("digits", "三二八六，唔系，三二八九", "3289"),
        # departments: one organ said alone; two parts each to be seen; heartburn said with
        # 得慌; a bearing-down heaviness "down there"; a Cantonese tight chest
        ("department", "肺。", "呼吸内科"),
        ("department", "耳朵跟眼睛都要看", None),
        ("department", "心口烧得慌，还老是打嗝", "消化内科"),
        ("department", "我下面老是坠起的", "妇科"),
        ("department", "佢话心口翳，我估系心脏问题", "心血管内科"),
        # emergencies: blood that will not stop said over two clauses; a story of long ago
        ("emergency", "手上划了个口子，血流得多，按不住", True),
        ("emergency", "咳嗽止不住，痰里头有点血丝", False),
        ("emergency", "我小时候跟我爹上山砍柴，斧头砍到脚，流了好多血", False),
        # choice: weighed aloud, then settled
        ("choice", "第二个……第一个……哎呀还是第二个", 2),
        # intent: a booking told as made, then asked about; a car to buy; Cantonese "yet"
        ("intent", "我孙女帮我约了号，你帮我查一下是几号", "query"),
        ("intent", "我想买辆车给我孙子", "unknown"),
        ("intent", "部车到咗未", "query"),
        ("intent", "你食咗未", "unknown"),
    ],
)
def test_second_pass_of_the_round(kind: str, text: str, value: object) -> None:
    assert u(kind, text) == value


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # "don't get it wrong" is no no
        ("要得，莫搞错了哈", "yes"),
        ("不要，你们搞错了", "no"),
        # a no that hangs on a condition
        ("太远了我就不叫了", "unknown"),
        # done as the hotline says
        ("可以嘛，你说咋个整就咋个整", "yes"),
        ("就照你们说的办", "yes"),
        # the Kunming question said back, then the answer with no pause
        ("格 是 给 我 自 己 挂 是 的", "yes"),
        # not come down yet; there already, said twice
        ("没 下 来 我 还 在 找 钥 匙", "no"),
        ("下来了下来了，我在门口了", "yes"),
        # the offer refused, something else will do
        ("不发，你就打电话给我就行", "no"),
        # nothing more to ask, said after the answer
        ("好的，没有什么问题了，谢谢", "yes"),
    ],
)
def test_yes_or_no_of_the_second_pass(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # a half-day said again as busy after a correction; a market day is busy
        ("礼拜三上午，不对，下午，上午我要去菜地", {"date": "2026-12-02", "session": "pm"}),
        ("明天赶场，后天下午嘛", {"date": "2026-12-02", "session": "pm"}),
        # "the sooner seen the sooner at ease": no preference; no day free: none
        ("早点看了早点放心", {"date": None, "session": None}),
        ("哪天都不得空", None),
    ],
)
def test_days_of_the_second_pass(text: str, day: object) -> None:
    assert u("when", text) == day
