"""Rules of the tenth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules).
"""

from __future__ import annotations

import pytest

from app.understanding.yesno import parse_yesno
from support.understood import u


@pytest.mark.parametrize(
    ("text", "now"),
    [
        # no breath any more, someone down all of a sudden, said in English or Cantonese
        ("快来人，我老伴没呼吸了", True),
        ("他 不 出 气 了", True),
        ("我爹刚刚一下子倒在地上", True),
        ("my mum collapsed in the kitchen", True),
        ("佢晕低咗，点叫都叫唔醒", True),
        # a past word at the head of the clause puts its fall in the past, even when it is
        # several words before it (上个月我在菜地里跌了一跤), and when the sound-alike sign
        # starts inside it (前年倒在路上)
        ("上个月我在菜园子头跌了一跤，现在还有点痛", False),
        ("去年我在楼梯上摔了，早好了", False),
        ("我 家 对 门 那 个 老 奶 前 年 倒 在 路 上 就 走 了", False),
        # yesterday keeps its short reach: yesterday's booking, pain now
        ("我昨天挂的号心口疼得很", True),
        # staying in is not a breath that stops (不出去了 sounds like 不出气了), nor is an
        # empty tyre or gas bottle; a person's is
        ("下雨了我不出去了 车取消", False),
        ("我家电瓶车车胎没气了", False),
        ("煤气罐没气了，饭都煮不成", False),
        ("快点，我老伴没气了", True),
    ],
)
def test_emergency_signs_of_the_tenth_round(text: str, now: bool) -> None:
    assert u("emergency", text) is now


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # "I said it already" / "what would I want it for still": answers, not questions
        ("我不是都说了要的嘛？你咋个还问", "yes"),
        ("我 刚 才 说 过 了 要", "yes"),
        ("我还要喊车整哪样？我儿子开车来了", "no"),
        # the one I said is no quote of someone else (我说的那个)
        ("不 是 我 说 的 那 家", "no"),
        # torn between the two, or a yes and a no each on a condition
        ("要嘛钱又不够，不要嘛腿又疼", "unknown"),
        ("有专家就要，没得专家就算了", "unknown"),
        # Cantonese: 唔 係 is a no, not a hesitation before a yes
        ("唔 係 唔 係 我 唔 要", "no"),
        ("係呀係呀", "yes"),
    ],
)
def test_yes_no_rules_of_the_tenth_round(text: str, said: str) -> None:
    assert parse_yesno(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # "who said no?" / "it isn't that I don't want it": a want
        ("哪个说不要了嘛，要！", "yes"),
        ("又不是说不叫车，叫嘛", "yes"),
        ("不 是 不 要 号 是 要 号", "yes"),
        # the yes and the thing asked about, and nothing else
        ("要 车 要", "yes"),
        ("是 要 号", "yes"),
        # torn, or hanging on a condition said at the end
        ("也不是说去也不是说不去", "unknown"),
        ("去了又怕排队，不去又怕病重了", "unknown"),
        ("要是那个女医生我就挂", "unknown"),
        ("是上午我就要", "unknown"),
        # left to someone who has not answered yet, or still thinking at the end
        ("我先问一下我姑娘，她说去就去", "unknown"),
        ("等我问问我老伴", "unknown"),
        # ... but a no said before asking someone stands, whoever is asked
        ("不用，我问问我儿子", "no"),
        ("嗯 我 再 想 下", "unknown"),
        ("哎呀，我还没想好", "unknown"),
        # a yes with what it would change is no plain yes; a yes with a detail still is
        ("好嘛，就是晚点来，十点嘛", "unknown"),
        ("要嘛，不过叫师傅开到楼下来", "yes"),
        # 就是 ("that is") before a no
        ("不消了，就是不要的意思", "no"),
    ],
)
def test_yes_no_second_pass_of_the_tenth_round(text: str, said: str) -> None:
    assert parse_yesno(text) == said


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # "why else would I ring you": the thing asked for, not refused
        ("不挂号我打你们电话来做哪样嘛", "hospital"),
        ("我这把年纪了还不是要喊个车", "taxi"),
        # 什么 inside a sentence asks nothing to be said again
        ("我打电话做什么你还不晓得啊，叫车嘛", "taxi"),
        ("什么？", "repeat"),
        # has it come, it is not to be seen; what was booked looked up
        ("师傅的车 是 不 是 到 了 我 咋 个 没 看 到", "query"),
        ("帮我查一下我的预约", "query"),
        # not going to the hospital any more
        ("我们不去医院了，号帮我退了", "cancel"),
        # waiting for a relative who comes to fetch the caller asks nothing
        ("我 在 等 我 儿 子 来 接 我", "unknown"),
    ],
)
def test_intent_rules_of_the_tenth_round(text: str, wanted: str) -> None:
    assert u("intent", text) == wanted


@pytest.mark.parametrize(
    ("text", "department"),
    [
        # a treatment only 中医科 gives names it, whatever it is for ...
        ("想去做个针灸，腰杆这点", "中医科"),
        ("膝盖疼，想推拿一下", "中医科"),
        # ... but gives way to another department named beside it
        ("做康复，理疗针灸那些", "康复科"),
        # a bone in plaster
        ("手骨头断了，打了石膏一个月了", "骨科"),
        # worry and brooding all day, or feeling threatened
        ("我老伴成天担心这个担心那个，觉都睡不着", "精神心理科"),
        ("她老说有人要害她", "精神心理科"),
        # blood running (血淌) is bleeding: a wound, no 血糖
        ("手上划了个口子，血淌得止不住", None),
    ],
)
def test_department_rules_of_the_tenth_round(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("随你们", {"date": None, "session": None}),
        ("早点嘛，能早就早", {"date": None, "session": None}),
        # the day left to someone who has not said it yet is not "any day"
        ("我先问问医生，医生说哪天就哪天", None),
        ("等我问下我姑娘，她说哪天就哪天", None),
        # no bus home in that half-day: the other one
        ("礼拜三，下午回去的车不好坐，上午嘛", {"date": "2026-12-02", "session": "am"}),
    ],
)
def test_when_rules_of_the_tenth_round(text: str, said: object) -> None:
    assert u("when", text) == said


def test_a_choice_taken_back_with_haishi_and_a_question_about_one() -> None:
    assert u("choice", "第二个……不，还是第一个") == 1
    assert u("choice", "第一个是几点来着？") is None


def test_an_area_code_said_after_the_number_goes_in_front() -> None:
    assert u("digits", "座机是六五八三二二幺零，前头加零八七幺") == "087165832210"
    assert u("digits", "65832210，前面还要加0871") == "087165832210"


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # an area code named after the number, with words after it
        ("四一二三五六七，区号零八八八，丽江的", "08884123567"),
        # an age, a year of birth, a house or a building said instead: no digits
        ("我都九十一岁了，记不住", None),
        ("一九四二年生的，身份证后头记不得了", None),
        ("我住在十八号，电话没得", None),
        # the groups announced are no digits (前头两个…后头两个, 就是这四个)
        ("前面两个 五 五 后面两个 八 九", "5589"),
        ("七七 零一 就是这四个", "7701"),
    ],
)
def test_digits_rules_of_the_tenth_round(text: str, digits: str | None) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # what someone else told the caller or did for them asks nothing
        ("我姑娘叫我莫自己喊车，她开车来接", "unknown"),
        ("我儿子帮我挂了礼拜三的号，他陪我去", "unknown"),
        ("出租车跟网约车有哪样区别", "unknown"),
        # is it still there, have I one, is it on its way, not a trace of it
        ("我礼拜五那个号还在不在", "query"),
        ("帮 我 看 下 我 有 没 有 约 号", "query"),
        ("我的车是不是已经在路上了", "query"),
        ("半个钟头了 车 子 影 子 都 没 见 着", "query"),
        # waiting for a bus is no question about our car
        ("公交车等了半天都不来，你们给我喊个车", "taxi"),
    ],
)
def test_intent_second_pass_of_the_tenth_round(text: str, wanted: str) -> None:
    assert u("intent", text) == wanted


def test_a_yes_naming_a_time_is_not_set_aside_by_the_model() -> None:
    # the flows read the time with the yes (a car now becoming a booking)
    assert u("yesno", "好 后天早上九点") == "yes"
    assert u("yesno", "对，下午的") == "yes"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # "there's no other way" said with a yes is no no; "I must" is a want
        ("要嘛，唉，没得办法，腿走不动", "yes"),
        ("挂嘛，不挂咋个整", "yes"),
        ("要呢，不去不得行", "yes"),
        # "if not for her, for whom?" / "who asked you for a car?"
        ("是嘞，不是给我妈挂还给哪个挂", "yes"),
        ("哪个要你们喊车嘛，我没打过电话", "no"),
        # either way, left to us; which of two, asked back; "anyone there?"
        ("去也得，不去也得，你们看嘛", "unknown"),
        ("是 去 儿 童 医 院 嘛 还 是 省 医 院", "unknown"),
        ("喂 有 人 没 得", "unknown"),
        # a plain no said twice stays a no
        ("没有没有", "no"),
    ],
)
def test_yes_no_last_pass_of_the_tenth_round(text: str, said: str) -> None:
    assert parse_yesno(text) == said
