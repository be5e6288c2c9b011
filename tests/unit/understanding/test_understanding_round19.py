"""Nineteenth round: classes of answer found in the round's development sets, each tested in
words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the question said back with 么 as its particle: no 幺
        ("后四位么？五十三，零六", "5306"),
        ("后 四 位 么 五 洞 洞 二", "5002"),
        ("最后四位么 八 三 拐 二", "8372"),
        ("电话号码么，幺三九八七六五四三二一", "13987654321"),
        # ... while 么 among digits is still 幺
        ("五么三二", "5132"),
        ("后四位 幺三五二", "1352"),
    ],
)
def test_digits_classes(text: str, value: str) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a mobile number said whole again after its parts or a correction: the number
        ("幺三九 八八七六 五五四三 不对 最后是五五四二 幺三九八八七六五五四二", "13988765542"),
        ("一五零六六二三八八九零不是八九零是八九幺一五零六六二三八八九幺", "15066238891"),
        # the end of the number said again, last
        ("家里座机，六五三二零八八幺，后头是八幺。", "65320881"),
        ("幺三六 八八七零 五五二幺 最 后 是 五 二 幺", "13688705521"),
        # "will do" is no 一
        ("打我儿子的也可以 幺三八 零零幺二 三四五六", "13800123456"),
    ],
)
def test_digits_said_again_and_remarks(text: str, value: str) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # how many ride, read back: a count said is a yes or a no by itself
        ("一共两个人坐车，对吗？", "两个 我跟我老倌", "yes"),
        ("一共两个人坐车，对吗？", "我和我外孙女两个", "yes"),
        ("一共两个人坐车，对吗？", "四个，还有我儿子儿媳妇", "no"),
        ("一共两个人坐车，对吗？", "就我", "no"),
        ("就您一位坐车，对吗？", "一个大人两个小的", "no"),
        ("一共两个人坐车，对吗？", "几个？我没听清", "unknown"),
        # the question asked back, then the detail put right after it
        ("是下周四上午，对吗？", "周四？是周五嘛", "no"),
        ("是给您女儿挂号，对吗？", "女儿？儿子！给我儿子挂", "no"),
        # this week's day is not next week's
        ("是下周五下午，对吗？", "下周五？这周五嘛", "no"),
        # a change asked for
        ("是明天上午，对吗？", "明天上午我要去接孙子，改到后天嘛", "no"),
        # the last digits read back, said again or otherwise
        ("手机尾号是5618，对吗？", "五六幺八", "yes"),
        ("手机尾号是5618，对吗？", "五六八幺", "no"),
        # a gate or a street put right by its direction
        ("车到翠湖东门接您，对吗？", "西门 我在西门这边", "no"),
        ("车到人民西路接您，对吗？", "东路", "no"),
        ("车到翠湖东门接您，对吗？", "大门口 对的", "yes"),
        # the detail said again while still thinking, or with a hindrance: no yes
        ("是后天上午，对吗？", "后天上午……我问一下我姑娘", "unknown"),
        ("是明天下午，对吗？", "明天下午 我看一下 好像有个会", "unknown"),
        # 他本人 is not the caller
        ("是给您母亲挂号，对吗？", "对，给我妈挂，她本人耳朵不好", "yes"),
        ("是给您自己挂号吗？", "给我家小外孙挂，他咳嗽", "no"),
        # the offer asked for in words of its own
        ("要转人工吗？", "转嘛，这个机器我弄不来", "yes"),
        ("要转人工吗？", "人工要不要钱哦？", "unknown"),
        ("要转人工吗？", "先不用，我再试试", "no"),
        ("还要办别的吗？", "有呢，再帮我叫个车", "yes"),
        ("还要办别的吗？", "没得了，就这些，谢谢", "no"),
        # a hum, then a word looked for: no yes
        ("要给您叫车吗？", "嗯 那 个 啥", "unknown"),
    ],
)
def test_read_back_classes(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value


@pytest.mark.parametrize("text", ["听 你 们 的", "你们说哪天就哪天嘛", "听你的就是了"])
def test_as_you_say_is_no_preference(text: str) -> None:
    assert understand("when", text, TODAY) == {"date": None, "session": None}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # part of a number, the rest forgotten or unreadable: no number (asked again)
        ("幺五九 后头的我忘记了", None),
        ("我只记得开头是幺八六几", None),
        ("三……还是八，看不清楚", None),
        ("前 头 两 个 是 五 三 后 头 记 不 住 了", None),
        # ... but a whole four (or a whole number) said before it stands
        ("后四位是二六零八，前面的我记不得了", "2608"),
        # 么 said last as the question's particle, 插 as the X
        ("三 三 零 八 么", "3308"),
        ("七 五 二 插", "752X"),
    ],
)
def test_digits_unsure_and_particles(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize("text", ["没 得 那 个 必 要", "没那个必要嘛", "没有那个必要了"])
def test_no_need_of_that_is_a_no(text: str) -> None:
    assert understand("yesno", text, TODAY) == "no"
