"""Twentieth round: classes of answer found in the round's development sets, each tested in
words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)
DOWNSTAIRS = "车到了您能下楼吗？"
TWO_RIDE = "坐车的一共两个人，对吗？"
ONE_RIDES = "坐车的就您一个人，对吗？"
PHONE = "您的电话是0871-63318899，对吗？"
SPOUSE = "是给您老伴挂号吗？"
SMS = "要发短信告诉您吗？"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # "what?" said first, then only the offer asked back or another question: unknown
        ("哪样 叫 车 哦", "unknown"),
        ("啥子 挂 号 啊", "unknown"),
        ("你说哪样？取消哪样？", "unknown"),
        # ... but "what? oh, yes" is the yes, and "anything will do" no question
        ("啥？哦 叫车 要嘛", "yes"),
        ("你说哪样 叫车啊 哦 要呢要呢", "yes"),
        # "no, it's 6331…": a number put right, never the yes of its 是
        ("不对哦 是六三三幺八八六六", "no"),
        ("不是 是 幺 三 九 五 五", "no"),
        # ... while 是 before a small count or an hour is still a yes
        ("是两个", "yes"),
        ("是 一 点 半 的", "yes"),
        # the particle 呢 written 涅
        ("要涅", "yes"),
        ("是涅 是涅", "yes"),
        # "don't ask me": someone else answers
        ("莫问我 问 我儿子 克", "unknown"),
        ("别问我，问我家老倌", "unknown"),
        # 不 written 部 before 去消; 莫要了 written 么要了
        ("部 去 消", "no"),
        ("么 要 了", "no"),
        # a yes taken back at once, or the offer's own verb refused after it
        ("是……哦不对，是给我老伴，我自己好好的。", "no"),
        ("好 莫 退 我 要 克 的", "no"),
        ("对的 别取消 我明天要去", "no"),
        # ... but "don't send it wrong" is no refusal
        ("好 莫 发 错 了", "yes"),
        # the offer asked "what for": a refusal, not a question
        ("转哪样人工嘛，你就帮我整就得了。", "no"),
        ("叫啥子车嘛，我走路就到了", "no"),
        ("取消它做啥子嘛，我明天要去的", "no"),
        ("我取消它整哪样嘛，我好不容易才挂到", "no"),
        ("发短信给我有啥子用嘛，我又不识字", "no"),
        # a cancel refused anywhere in the answer, not one asked back (要不要取消)
        ("那天我去得成，莫给我取消。", "no"),
        ("你问我要不要取消？要不要取消……不要取消", "no"),
        # "how could it be wrong": the yes
        ("咋个不对嘛，对的。", "yes"),
    ],
)
def test_yes_no(text: str, value: str) -> None:
    assert understand("yesno", text, TODAY) == value


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # asked whether they can come down: the same word said back is the yes
        (DOWNSTAIRS, "能。", "yes"),
        (DOWNSTAIRS, "能 的 能 的", "yes"),
        (DOWNSTAIRS, "能嘞 我 慢慢 下来", "yes"),
        (DOWNSTAIRS, "下得来，就是走得慢", "yes"),
        (DOWNSTAIRS, "能不能叫师傅上来接一下", "unknown"),
        (DOWNSTAIRS, "不能 我腿不行", "no"),
        ("车到门口了，您可以下来吗？", "可以 可以 马上", "yes"),
        # the same count said twice is one count; a thing carried is no rider
        (TWO_RIDE, "是两个，我跟我姑娘两个。", "yes"),
        (TWO_RIDE, "两个 我和老伴 两个", "yes"),
        (ONE_RIDES, "对，就我一个人。不过我带一个轮椅", "yes"),
        (TWO_RIDE, "两个，还有我孙子一个", "no"),
        (TWO_RIDE, "四个 两位老人 加我和一个志愿者", "no"),  # the total said before its parts
        (TWO_RIDE, "三个，两个大人一个娃娃", "no"),
        # "接您" read back: the caller somewhere else is no yes to it
        ("车到家接您，对吗？", "要要，我在螺蛳湾这边，搞快点", "no"),
        ("车到家接您，对吗？", "医院门口。", "no"),  # another place said, no agreement first
        ("车到家接您，对吗？", "汽车站那点。", "no"),
        ("车到家接您，对吗？", "对，小区门口", "yes"),  # the place agreed to, then the spot
        ("车到家接您，对吗？", "对的 家门口", "yes"),
        # the caller names what she wants, and the question read none of it back
        ("挂的是昆华医院眼科，对吗？", "昆华医院？我要的是省中医的眼科", "no"),
        ("给您挂的是下周二上午，对吗？", "我要的是下午", "no"),
        ("挂的是昆华医院眼科，对吗？", "对 我要的是眼科", "yes"),
        # where the caller has walked to, at a pick-up read back
        ("车到官渡古镇停车场接您，对吗？", "古镇 是 古镇 不过 我 现在 走 到 地铁站 这边", "no"),
        (TWO_RIDE, "三 个 还 有 我 孙子", "no"),
        # an hour said to be too late or too early is not the one agreed to
        ("车是明天早上八点半来接您，对吗？", "八点 就 来 嘛 八点半 晚 了", "no"),
        ("车是明天早上八点来接您，对吗？", "八点 要得", "yes"),
        # at a cancel question, the trip given up (去不了) is the yes, a question about
        # cancelling is none
        ("要取消明天的车吗？", "嗯，明天去不了", "yes"),
        ("要取消这个号吗？", "取消了要不要钱？", "unknown"),
        # 要得 said first agrees to the place, then names the very spot
        ("车是明天早上七点到村口接您，对吗？", "要得，七点嘛，我在烤烟房旁边等", "yes"),
        # a number read back put right
        (PHONE, "不对哦 是六三三幺八八六六", "no"),
        # "he cannot call by himself" says nothing of who the booking is for
        (SPOUSE, "是呢 给我老倌挂 他耳朵背 自己打不来电话", "yes"),
        (SPOUSE, "不是 我自己", "no"),
        # "what? send what?": asked back, never the yes
        (SMS, "啊？……你说哪样？……发……发哪样？", "unknown"),
    ],
)
def test_read_back(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the last group put right, one digit changed or two swapped, named or not
        ("零八七幺，六三二八，四幺七六……不对，是四七幺六。", "087163284716"),
        ("幺五九，六五四三，二二幺八……哦，二二幺八不对，是二二八幺。", "15965432281"),
        ("幺三八 六六五五 四三二一 不对 是 四三一二", "13866554312"),
        # X as the Roman ten said with both 的 and 那个, the capital said again after it
        ("后四位是八幺三，最后一个是罗马的那个十，就是叉。", "813X"),
        ("后 四 位 3 3 0 X 大 写 的 X", "330X"),
        ("二 七 五 叉 大写的叉", "275X"),
        # a date of birth is no number asked for
        ("我是一九四三年三月十二号生的。", None),
        ("她 一 九 三 八 年 五 月 出 生", None),
        # one digit among other words is none, unless said as the one meant
        ("后 四 位 要 不 要 那 个 叉 我 的 有 个 叉", None),
        ("表上这一栏没填，身份证号我这里没得。", None),
        ("最后一位是叉", "X"),
        # a city named before the number: no 十
        ("德 宏 芒 市 零 六 九 二 二 幺 三 七 九 零 八", "06922137908"),
        # a month or a date said alone is no number; inside a whole ID it is its digits
        ("我 是 八 月 份 去 看 过 一 回 病", None),
        ("我的生日是三月十五号", None),
        ("我是二零二六年一月份挂过号的。", None),
        ("五三零一零二一九四一年十月十五号零零二三", "530102194110150023"),
        # a price, a room, a day of the month, a year or years said alone: no number asked
        ("上回打车花了三十六块钱，咋个又要说电话", None),
        ("他住在八零三房间，证件在房间里", None),
        ("我 今天 十五号 要 去 医院", None),
        ("我是一九六二年参加工作的", None),
        ("后四位 七 零 零 三 年龄 七十三", "7003"),
        # part of a number and the rest to be looked up, or one of two with a doubt: none
        ("电话号码 幺 三 九 后头 的 我 要 翻 本 本", None),
        ("是二六八一还是二六一八，我搞不准了", None),
        # the area code said after the number with its city; whose card it is, said after
        ("座机：六拐洞两两四八三，区号昆明洞八拐幺。", "087167022483"),
        ("一 一 零 三 是 我 太奶奶 的", "1103"),
        # the place of the digit said before it (第四个是) is no digit
        ("呃……三，三，四……第四个是……一。", "3341"),
        ("五 八 二 最后一个是 七", "5827"),
    ],
)
def test_digits(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # one side or the limbs "suddenly won't move" (不会动): stroke signs now
        ("我 左 边 手 脚 突 然 不 会 动 了", True),
        ("他半边身子突然不会动了", True),
        ("奶奶右手一下子不能动了", True),
        # ... not years ago, nor old age
        ("去年他左边手脚不会动了 现在好了", False),
        ("我手脚不会动了 老了", False),
    ],
)
def test_emergency(text: str, value: bool) -> None:
    assert understand("emergency", text, TODAY) is value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # 取消 written 去消 before what ends the verb; 去消化科 is still the department
        ("刚才 给 李 大妈 挂 的 号 去 消 一下", "cancel"),
        ("明天的车帮我去消掉", "cancel"),
        ("我要去消化科看看", "hospital"),
    ],
)
def test_intent(text: str, value: str) -> None:
    assert understand("intent", text, TODAY) == value
