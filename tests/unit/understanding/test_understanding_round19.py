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
        # a mobile number said whole again after its parts or a correction: the number
        ("幺三九 八八七六 五五四三 不对 最后是五五四二 幺三九八八七六五五四二", "13988765542"),
        ("一五零六六二三八八九零不是八九零是八九幺一五零六六二三八八九幺", "15066238891"),
        # the end of the number said again, last
        ("家里座机，六五三二零八八幺，后头是八幺。", "65320881"),
        ("幺三六 八八七零 五五二幺 最 后 是 五 二 幺", "13688705521"),
        # each group said twice for certainty; a group said again as right; X as the Roman ten
        ("幺五八，嗯，幺五八，三三二零……三三二零，六七八九。", "15833206789"),
        ("幺八七 五五零二 六六幺三 五五零二没错", "18755026613"),
        ("二 零 七 最后是罗马数字那个十", "207X"),
        # a quantity with a part unknown, or one of two numbers: none
        ("后四位好像是三千零几", None),
        ("要么是五五六二 要么是五六五二 我搞忘了", None),
        # "call this one", "remember it": no 九, no 七
        ("幺三零 六六八八 九九二幺 就打这个", "13066889921"),
        ("你记到起 幺三二 四四五五 六六七七", "13244556677"),
        # a group, then the whole begun with it after a correction or an announcement
        ("我说 五幺 不对 五二 五二六八", "5268"),
        ("开头是三 三零九六", "3096"),
        # "will do" is no 一
        ("打我儿子的也可以 幺三八 零零幺二 三四五六", "13800123456"),
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
        # each digit with its place counted aloud, either side of the digit
        ("一个 是 五 两个 是 三 三个 是 零 四个 是 七", "5307"),
        ("第一个二，第二个八，第三个零，第四个六，好了", "2806"),
        ("我数哈：三，一个；九，两个；零，三个；二，四个。", "3902"),
        (
            "我数着报 幺 一个 三 两个 九 三个 八 四个 七 五个 六 六个 五 七个 四 八个 三"
            " 九个 二 十个 幺 十一个",
            "13987654321",
        ),
        # ... but counts are still counts
        ("两个三一个八", "338"),
        # a group begun and then said whole; the end put right after 不对
        ("幺三九，八八零幺，二零六……二零六七", "13988012067"),
        ("一三八 六六七七 八八九九 不对 最后 是 八 八 九 零", "13866778890"),
        # "what was it", one number or another and not sure: none
        ("五三二 嗯 五三二 几 来 着", None),
        ("六六八八还是六六八九，我拿不准", None),
        # 是 said last as "that's it", the X said again as such
        ("二 九 零 六 是", "2906"),
        ("后四位七七三叉 是叉哈 不是十", "773X"),
        # "that's mine / these four" after the last digit, with the recogniser's gaps
        ("幺 三 八 七 七 六 五 四 三 二 一 就是我的", "13877654321"),
        ("嗯 五 二 九 八 就是这四个", "5298"),
        # ... while a digit explained after the number is still an explanation
        ("六二一X，X就是那个打勾打叉的叉。", "621X"),
        # a flat's number said bare after its building is no number asked for
        ("我住五号楼三单元六零一", None),
        # nothing but assent: no number
        ("是 是 是 吧", None),
        ("要 酒 是 巴", "1948"),
        # each digit said twice to be sure, said so or in groups of two alike
        ("我怕你听不清，每个说两遍：五五、二二、八八、X X。", "528X"),
        ("三 三 七 七 零 零 九 九 每个 两遍", "3709"),
        ("六六 幺幺 四四 二二", "6142"),
        (
            "电话，我说两遍哈：幺幺，五五，九九，零零，八八，七七，二二，二二，五五，四四，六六。",
            "15908722546",
        ),
        # ... not a number with some pairs in it
        ("电话嗦？幺三零，零零，幺幺，拐拐，八八。", "13000117788"),
        # the end of a whole number put right, one digit changed
        ("幺 三 九 零 八 七 三 幺 四 八 二 不对 是 四 八 三", "13908731483"),
        ("一 五 八 二 五 零 零 四 四 九 七 哦 最后一个不是七 是八", "15825004498"),
        ("三 八 九 二 第一个 不是 三 是 五", "5892"),
        ("后四位 三 九 八 二 哎呀 说反了 三 九 二 八", "3928"),
        ("五五 八八 二二 四四 我再说一遍 五五 八八 二二 四四", "5824"),
        ("后四位是六六零二，不是六零六二哈", "6602"),
        ("后四位是三八二幺，我家在二百零六号", "3821"),
        ("后四位 五 五 零 九 年龄 八十一", "5509"),
        ("座机 六 八 二 三 五 五 一 就是大理的", "6823551"),
        ("电话是一三九七……七……后头我要去翻下本子", None),
        ("后四位 二 八 嗯 二 八 什么来着", None),
        ("后四位 头一个 看不清 是 六 还是 八 后头 零 九 二", None),
        ("看不清 是 六 还是 八 哦 是 八 对的 八 零 九 二", "8092"),
        ("后 四 么 三 三 六 幺", "3361"),
        ("身 份 证 后 头 那 四 个 六 五 零 八", "6508"),
        ("七 七 九 叉 叉 是 那 个 叉", "779X"),
        ("手机号一三九八七零八，还有四个，五九二一。", "13987085921"),
        ("座机号码零八七四三幺两幺五六八，我跟老二住。", "08743121568"),
        ("你打六四幺三五五两六就找得着我。", "64135526"),
        ("后四位是八六，还是六八，我看不清楚了", None),
        ("一五八八七……等下，我去问一下我老伴。", None),
        ("后 四 位 九 九 八 三 噢 不 九 九 三 八", "9938"),
        ("一 三 九 八 七 二 五 我 姑 娘 说 后 头 是 三 零 四 八", "13987253048"),
        ("幺三八，后头三个零，再后头八七六二五。", "13800087625"),
    ],
)
def test_digits(text: str, value: str | None) -> None:
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
        # the last hour said, unless the one read back was agreed to
        ("明天下午三点来接您，对吗？", "三点我还在午睡，整个五点嘛", "no"),
        ("明天早上九点来接您，对吗？", "九点，可以，我八点半就下楼等", "yes"),
        # a count said with a doubt or another person added is no yes; a count refused
        ("就您一个人坐车，对吗？", "我一个去不了，要我姑娘陪我一起", "no"),
        ("就您一个人坐车，对吗？", "我 一 个 坐 嘛 我 孙 子 也 跟 我 一 起", "unknown"),
        ("一共三位，对吗？", "没得三个，就我们老两口", "no"),
        # the detail said back as a question, no assent with it: no yes
        ("尾号是4471，对吗？", "哪样 尾号", "unknown"),
        ("是给您外婆挂号，对吗？", "你说哪个 外婆", "unknown"),
        ("是给您外婆挂号，对吗？", "哪个？哦外婆，对的", "yes"),
        # a question back written with the recogniser's gaps (咋 个): still a question
        ("是明天上午，对吗？", "咋 个 明 天 上 午", "unknown"),
        # the Kunming 阿 asking (阿有专家): a question
        ("是眼科，对吗？", "眼 科 阿 有 专家", "unknown"),
        # a hospital of another kind
        ("是曲靖市人民医院，对吗？", "是 中 医 院 嘛", "no"),
        ("是大理州人民医院，对吗？", "州医院，对的", "yes"),
        # a slip put right to the detail read back; the trip given up at a cancel question
        ("给您挂的是后天上午，对吗？", "后天下午 不对不对 上午 是上午", "yes"),
        ("要把刚才叫的车取消掉吗？", "嗯，不去了，车也莫来了", "yes"),
        ("要取消明天的号吗？", "不取消，我还是要去", "no"),
        # a hum, then a word looked for: no yes
        ("要给您叫车吗？", "嗯 那 个 啥", "unknown"),
        # the complaint of the department read back, with an assent of its own
        ("挂的是眼科，对吗？", "眼睛 对 对 看不清楚", "yes"),
        ("给您挂的是骨科，对吗？", "他最近老是腰杆疼", "unknown"),
        # the kin word said first in a clause of its own
        ("看病的是您孙子，对吗？", "孙女，是个女娃娃", "no"),
        # refused where the question read it back (不在医院), not a person put right
        ("车到州医院门口接您，对吗？", "我 在 家 里 不 在 医院 你 来 家 接", "no"),
        ("车到恒安小区大门接您，对吗？", "是接我爸不是接我哈，地址是对的，恒安小区大门", "yes"),
        # the place or hospital said word by word, with the recogniser's gaps
        ("是去宣威市人民医院，对吗？", "宣威 人民医院 是嘞", "yes"),
        ("车到正阳北路的老邮局接您，对吗？", "老邮局 是 呢 我 在 那点", "yes"),
        # not hearing the machine is a reason for the person offered
        ("要转人工吗？", "要个真人嘛，你这个我听不清", "yes"),
        ("是给您孙子挂号，对吗？", "是我外孙，就是孙子嘛，对。", "yes"),
        ("一共三个人坐车，对吗？", "两个大人一个小孩，算三个吧。", "yes"),
        ("一共两个人坐车，对吗？", "两个，还有我孙子也去", "unknown"),
        ("要转人工吗？", "莫转 你就这样跟我说", "no"),
        ("要取消后天上午眼科的号吗？", "眼科的留着，我要取消的是骨科那个。", "no"),
        ("要取消这个预约吗？", "要取消，不对不对，先留着。", "no"),
        ("要取消这个预约吗？", "取消嘛，留着也没用", "yes"),
        ("车到珠泉路口接您，对吗？", "珠 泉 路 嗯 那个 那个 喂", "unknown"),
        # at a pick-up read back, the caller somewhere else is no yes to it
        ("车到家接您。对，按1。不对，按2。", "要要，我在螺蛳湾这边，搞快点", "no"),
        ("车到家接您，对吗？", "要得 我在家里等", "yes"),
        ("车到小区大门口接您，对吗？", "对，大门口，我在保安亭那点等。", "yes"),
        ("车到家接您，对吗？", "我在楼下了", "yes"),
    ],
)
def test_read_back(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value


@pytest.mark.parametrize("text", ["听 你 们 的", "你们说哪天就哪天嘛", "听你的就是了"])
def test_as_you_say_is_no_preference(text: str) -> None:
    assert understand("when", text, TODAY) == {"date": None, "session": None}


@pytest.mark.parametrize("text", ["没 得 那 个 必 要", "没那个必要嘛", "没有那个必要了"])
def test_no_need_of_that_is_a_no(text: str) -> None:
    assert understand("yesno", text, TODAY) == "no"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the offer said back, refused, and something else asked for: a no
        ("发短信……不发了不发了，你打电话给我就行", "no"),
        ("转人工……不转了，你帮我挂就行。", "no"),
        # "I can come down"
        ("能下来能下来，鞋子穿好了", "yes"),
        ("下 得 来 下 得 来", "yes"),
        # 取消 and 转人工 as the recogniser or a caller says them
        ("取削 取削 我不去了", "yes"),
        ("转个人来跟我讲嘛", "yes"),
        ("不转人", "no"),
        # a cancel told of the past is no answer: the answer stands
        ("不取消了，我还是要去，上回取消了再挂又挂不上", "no"),
        # refused, and said what it would be for (but 不要我打电话做哪样 asks why not)
        ("不要嘛 要那个整哪样", "no"),
        ("不用了，要它做什么", "no"),
        ("不要我打电话做哪样", "yes"),
        # a slow speaker's pauses are no clause breaks
        ("那……就……叫嘛", "yes"),
        ("我……这个膝盖……疼了……好久了……嗯……要挂……就挂……这个", "yes"),
        ("要……不要……", "no"),
        ("嗯……我……想想……", "unknown"),
        # a yes said first, then the recogniser's gaps: the yes, with a wish after it
        ("要 要 搞快点 我等不得", "yes"),
        # ... but not with where the caller is (it may put right where the car goes)
        ("要 要 我在篆新农贸市场门口 搞快点", "unknown"),
        ("好 的 叫 他 等 我 五 分 钟", "yes"),
        # ... not a single 要 / 好 opening something else, nor a concession or a question
        ("要 好 多 钱", "unknown"),
        ("好 热 今 天", "unknown"),
        ("要 得 是 要 得 就 是 我 咋 个 去", "unknown"),
        ("要 不 得 那 天 我 去 不 成", "no"),
        ("恩 恩", "yes"),
        ("情况属实，请你们办理。", "yes"),
        ("喊起喊起 我要去医院拿药", "yes"),
        ("么 要 嘛 咋个 不 要", "yes"),
        # the question asked back with the recogniser's gaps, then the answer
        ("刚才没听清 你是说发短信是不是 对 发", "yes"),
        ("你 是 说 叫 车 吗 不 要 不 要", "no"),
        ("是不是 我 也 不 晓 得", "unknown"),
    ],
)
def test_yes_no(text: str, value: str) -> None:
    assert understand("yesno", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我爹吃饭呛着了，卡着出不了气。", True),
        ("我 老 伴 透 不 了 气 了", True),
        ("去年有一回喘不了气，现在好了", False),
    ],
)
def test_cannot_get_a_breath_is_an_emergency(text: str, value: bool) -> None:
    assert understand("emergency", text, TODAY) is value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the booking kept, said after a cancel taken back (found placing a cancel call)
        ("要取消，不对不对，先留着", "no"),
        ("先留着吧", "no"),
        ("取消嘛，留着也没用", "yes"),
    ],
)
def test_booking_kept_after_cancel(text: str, value: str) -> None:
    assert understand("yesno", text, TODAY) == value
    assert understand("yesno", text, TODAY, question="要取消后天上午眼科的号吗？") == value
