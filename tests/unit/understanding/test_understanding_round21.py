"""Twenty-first round: classes of answer found in the round's development sets, each tested
in words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)
DAY = "是下周三上午，对吗？"
HOUR = "司机明天早上八点来接您，可以吗？"
CHANGE = "您挂的是下周三上午，要改到下午吗？"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # unsure with a degree word between the negation and the word: never a yes
        ("我不太确定", "unknown"),
        ("不大确定 我问下我姑娘", "unknown"),
        ("拿不准", "unknown"),
        # a negation with a degree word before a yes word is a no
        ("不太行 太早了", "no"),
        ("不大对 是下午的", "no"),
        # ... while a plain yes stays one
        ("行 可以", "yes"),
        # a "but" or "she says" begun and left unsaid, a sound after it: not decided
        ("要……我问我老婆……她说……", "unknown"),
        ("行是行……不过……唉……", "unknown"),
        ("可以是可以，就是", "unknown"),
        # ... while "exactly" (就是嘛) is the yes
        ("对对，就是嘛", "yes"),
        # a yes given up in the same breath: the last word counts ("no need" is left to the
        # backstop, never the yes); giving it up is the yes to a cancel
        ("要得 算了算了 我自己开车送她", "no"),
        ("要得，莫要了，过两天再说", "no"),
        ("要得 不用了", "no"),
        ("要得 算了 还是要嘛", "yes"),
        ("取消嘛，不去了", "yes"),
        # the question passed on to the one it is for, then the answer
        ("妈 要不要挂号？她说要", "yes"),
        ("爸 要不要车 他摆手 不要", "no"),
        ("要不要他说的那个", "unknown"),
        # the one asked nods or waves it away, relayed by who holds the phone
        ("我问了我妈 她点头了", "yes"),
        ("我爸摆摆手", "no"),
    ],
)
def test_yes_no(text: str, value: str) -> None:
    assert understand("yesno", text, TODAY) == value


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # something else to go and do at the day or hour read back: that time is put right
        (DAY, "我那天要克赶街", "no"),
        (DAY, "星期三上午我要去接孙子", "no"),
        ("车十一点到，可以吗？", "十一点我要煮饭，吃了饭再走。", "no"),
        # ... not the visit itself, nor a reason for the change offered
        (DAY, "对 下周三上午我要去省医复查", "yes"),
        (DAY, "对对 我要去的", "yes"),
        (CHANGE, "改 下午 上午我要去买菜", "yes"),
        # ... and said with a doubt it is no answer yet
        (DAY, "那天好像要去社区量血压", "unknown"),
        # an hour called better (好点) is another hour, not a yes
        (HOUR, "八点早了点，九点，九点好点。", "no"),
        (HOUR, "八点 好", "yes"),
        # a numbered hospital read back and another number said
        ("挂附二院的耳鼻喉科，对吗？", "附二院远了，附一院近点。", "no"),
        ("挂市一院的眼科，对吗？", "不是 市三院", "no"),
        ("挂附一院的眼科，对吗？", "对 附一院", "yes"),
        # a question of having or being somewhere answered with its verb
        ("您身边有家人陪着吗？", "有，我姑娘在旁边。", "yes"),
        ("您家里有轮椅吗？", "有的 有的", "yes"),
        ("您身边有家人陪着吗？", "没得 就我一个", "no"),
        ("您现在在家吗？", "在呢", "yes"),
        ("您身边有家人陪着吗？", "有个事想问下", "unknown"),
        ("车到了您能下楼吗？", "晓得了", "unknown"),
        ("您现在在家吗？", "在外头", "unknown"),
        ("您现在能下楼吗？", "能，我慢慢走下来。", "yes"),
        # the potential form said for "can", and for "cannot"; the question asked back first
        ("车到了您能下来到路边吗？", "走 得 出来 从 家里 走 到 路边 要 十 分钟", "yes"),
        ("您能自己走到门口吗？", "走得到 走得到", "yes"),
        ("车到了您能下楼吗？", "我走不动 腿痛得很", "no"),
        ("车到了您能下楼吗？", "啊？下楼？能嘞能嘞，我听到了", "yes"),
        # the name read back said again, spelled out, or said one character off
        ("是给您母亲李桂芬挂号吗？", "李桂芬 对 木子李 桂花的桂", "yes"),
        ("是给您父亲陈志强挂号吗？", "陈 志 祥 吉祥 的 祥", "no"),
        ("是给您母亲张秀英挂号吗？", "张秀英是我大姐，我妈叫张秀珍", "no"),
        ("是给普绍华挂号吗？", "普绍华是我大哥，今天是给我大嫂挂。", "no"),
        ("是给您老伴挂号，对吗？", "是呢嘛 就给我家老倌挂", "yes"),
        # the end of a number read back said again, or another end named as such
        ("您的电话是13700001111，对吗？", "尾号幺幺幺二", "no"),
        ("您的电话是15008712233，对吗？", "对 尾号二二三三", "yes"),
        # 也对 agrees ("the hospital is right too"), the half-day put right after it
        ("给您挂的是下周二上午、市一院心内科，对吗？", "周 二 对 的 医院 也 对 要 下午", "no"),
        # a yes taken back with 不对 and something put right after it
        ("车到家接您，对吗？", "对 到家 不对 我现在在我女儿家 到她家接", "no"),
        ("是后天上午，对吗？", "对……哦不对，后天是不是礼拜天？", "unknown"),
        # at a pick-up at home, a relative's home is elsewhere
        ("车到家接您，对吗？", "我在我儿子家这边", "no"),
        # a county's or city's people's hospital by its everyday name
        ("车到鲁甸县人民医院门口接您，对吗？", "鲁甸县医院门口 是勒", "yes"),
        # the count said, then a remark with a 不 in it; a doubt said with the count
        ("坐车的一共两个人，对吗？", "两个，你大声点说，我耳朵不好", "yes"),
        ("坐车的一共两个人，对吗？", "两 个 吧 不 晓得", "unknown"),
        # at a pick-up read back, the car asked to come somewhere else
        ("车到您家楼下接您，对吗？", "到大门口保安亭那点嘛", "no"),
        ("车到村口接您，对吗？", "村口我走不到 你叫他开到我家门口", "no"),
        ("车到您家楼下接您，对吗？", "要得 你叫他到楼下就行", "yes"),
        ("看完病要叫车接您回来吗？", "还不晓得几点钟，到时候再说嘛。", "unknown"),
        # a wait or an hour read back called too long or early, no yes after it
        ("司机大约四十分钟到，可以吗？", "四十分钟太久了，我等不得", "no"),
        ("明天早上八点来接您，可以吗？", "八点早了点，不过可以", "yes"),
        ("车下午两点半来接您，对吗？", "对 两点半 莫 来 迟 了 哈", "yes"),
        # the car asked to come home at a pick-up at home read back, not refused
        ("车到家接您，对吗？", "我走不动了 你们来家里接我嘛", "yes"),
        ("车到家接您，对吗？", "莫来家里接 我在医院", "no"),
        # the place read back said first, then the very spot: the yes; another place: not
        ("车到村口接您，对吗？", "村口 那棵大青树脚底下 我在那点等", "yes"),
        ("车到翠湖宾馆门口接您，对吗？", "翠湖宾馆 是呢 门口 我穿红衣服", "yes"),
        ("车到东风东路接您，对吗？", "东风 西路", "unknown"),
        # checking the calendar is thinking aloud
        ("是这周四下午，对吗？", "星期四 哦 星期四 我看下日历", "unknown"),
    ],
)
def test_read_back(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # "the last four" named after the digits, or said as a word of its own first
        ("八 零 二 四 是 后四位", "8024"),
        ("六六零三 就是后四位", "6603"),
        ("后四 一 五 五 叉", "155X"),
        # the last group of a mobile number left short, said again whole after 不对
        ("幺三九，八拐幺二，五五六……不对，五五八洞。", "13987125580"),
        ("一五八，二二六七，三零……不对，三零九一", "15822673091"),
        # part of a number, then the line breaking up or the rest left to another: none
        ("我老伴说是一五……他也说不清楚，算了。", None),
        ("座机 六 五 喂 喂 刚才说到哪点了", None),
        # ... a whole number said before the line breaks stays
        ("幺三八 六六七七 八八九九 喂 听得见吗", "13866778899"),
    ],
)
def test_digits(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the whole thing given up, with how the caller goes instead or when said after it
        ("要得 算了算了 我儿子开车送我", True),
        ("莫要了，过两天再说", True),
        ("算了 我自己坐公交去", True),
        # ... a detail put right is no refusal of the whole
        ("不对 我儿子来接我", False),
    ],
)
def test_decline(text: str, value: bool) -> None:
    assert understand("decline", text, TODAY) == value
