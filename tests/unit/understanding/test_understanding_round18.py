"""Eighteenth round: classes of answer found in the round's development sets (fs, fr, ft, fu),
each tested in words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand
from app.understanding.yesno import parse_yesno

TODAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # going, moving or giving up said back as the verb of the offer
        ("要 去 要 去", "yes"),
        ("改嘛改嘛", "yes"),
        ("退 嘛", "yes"),
        ("克嘛", "yes"),
        ("去哪点嘛", "unknown"),
        ("换一个", "no"),
        # words said while looking for words: no answer (never a yes)
        ("呃……那个……嗯……", "unknown"),
        ("那 个 嘛 就 是 说 嗯", "unknown"),
        ("这个……然后……嗯", "unknown"),
        # where the caller is, asked back
        ("在小区门口接？哪个小区门口？", "unknown"),
        ("在门口了", "yes"),
        # a mind changed with 还是, either way
        ("不用车了，哎哟下雨了，还是来接一下嘛", "yes"),
        ("确认吧，唉等等，还是不要确认了，下午我有事", "no"),
        ("要，还是不要了，太贵了", "no"),
        ("是要……还是不要嘛……我想哈……要！", "yes"),
        # the Kunming 阿 opening the question said back, then the answer
        ("阿 要 发 短 信 哦 莫 发 莫 发", "no"),
        ("阿 要 叫 车 嘛 要 嘞", "yes"),
        # 要 and 叫车 as the recogniser writes them
        ("药 嘞 药 嘞 在 村 口 等", "yes"),
        ("吃药嘞", "unknown"),
        # a yes, then a wish about how it is done: still the yes
        ("可以嘛，就是要司机上楼来扶一下我", "yes"),
        ("好的，不过要个大点的车，我要带轮椅。", "yes"),
        ("要得，但是叫司机莫按喇叭，我孙子在睡觉", "yes"),
        # ... but not a wish that changes what was offered, or a doubt
        ("好嘛，但是要晚一点的", "unknown"),
        ("好是好，就是怕太贵", "unknown"),
    ],
)
def test_yes_no_classes(text: str, value: str) -> None:
    assert parse_yesno(text) == value
    assert understand("yesno", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # each digit its own clause: the last one is a digit, not a remark on the one before
        ("二，零，四，四。", "2044"),
        ("幺二三四，四嘛", "1234"),
        # the area code first, then the number named (or the code named with its place)
        ("区号 零 八 七 六 号码 是 二 幺 八 七 零 五 零", "08762187050"),
        ("家头座机零八七四，号码是八幺二零零九三。", "08748120093"),
        ("零八七幺 就是 昆明 的 区号 后头 六 五 拐 三 幺 二 零 零", "087165731200"),
        ("区号是零八七零，后头是二二幺三五八六", "08702213586"),
        # 是吧 is no 八, 是座机 no 四; 俩 is two
        ("我 听 不 清楚 手机 号 是 吧 幺 五 零 三 三 六 二 拐 九 零 八", "15033627908"),
        ("联系 电话 零 八 七 幺 六 八 九 九 零 三 二 幺 是 座机", "087168990321"),
        ("幺 五 俩 六 七 俩 零 幺 八 八 三", "15267201883"),
        # begun again from the top
        ("幺三五 等一下 我重新说 幺三八零零幺二三四五六", "13800123456"),
        ("三零七X。我再报一遍：三零七X。", "307X"),
        # the end first, then what goes in front of it
        ("我的号码尾号是五五六六，前面是幺八九 零八七二。", "18908725566"),
        ("最后是X，大写的X，前面是零零九。", "009X"),
    ],
)
def test_digits_classes(text: str, value: str) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我选第一", 1),
        ("我 选 第 二 嘛", 2),
        ("第一还是第二", None),
        ("开 头 说 的 那 个", 1),
        ("就要你最先讲的那个医生。", 1),
        ("后来讲的那个", 2),
    ],
)
def test_choice_classes(text: str, value: int | None) -> None:
    assert understand("choice", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("这 个 月 二 十 八", {"date": "2025-06-28", "session": None}),
        ("本月三十号下午", {"date": "2025-06-30", "session": "pm"}),
        ("这个月两次了", None),
    ],
)
def test_when_classes(text: str, value: object) -> None:
    assert understand("when", text, TODAY) == value


def test_recovery_exercises_after_an_operation_are_rehabilitation() -> None:
    assert understand("department", "膝 盖 做 完 手 术 要 去 做 恢 复 锻 炼", TODAY) == "康复科"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # what the recogniser writes for 人工, 行, 得嘞, 准备 and 没
        ("要 转 人 宫 要 转", "yes"),
        ("呃 呃 转 人工 嘛 我 要 问 个 人", "yes"),
        ("形嘛 麻烦 你 了", "yes"),
        ("的嘞的嘞谢谢嘎", "yes"),
        ("没 准备 好嘞 我 在 找 纸 和 笔", "no"),
        ("准备好了", "yes"),
        # 退 said back, then taken back by someone in the room
        ("退……我媳妇讲莫退，她陪我克。", "no"),
    ],
)
def test_yes_no_as_the_recogniser_writes_it(text: str, value: str) -> None:
    assert parse_yesno(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我血压一百六，你给我挂个心脏的。", None),
        ("我的病床是十二床，你问护士嘛。", None),
        ("我 住 在 五 华 区 一 二 一 大 街", None),
        ("三 楼 三 零 一 你 们 上 来 接 我 嘛", None),
        ("二 十 年 前 的 身 份 证 了", None),
        ("我的电话：一七八，六九零二，一一三九。一七八的七就是拐。", "17869021139"),
        ("一三七，八零九一，六六二七。七，七八的七。", "13780916627"),
        ("一三七，六八六八，二二九零，一三七就是幺三拐。", "13768682290"),
        ("一 五 八 二 七 零 八 六 六 一 九 啊 不 是 六 六 是 六 八", "15827086819"),
    ],
)
def test_digits_of_the_second_pass(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("department", "我孙女在儿科上班，不是给她挂，是我自己眼睛看不清。", "眼科"),
        ("department", "晚上 起来 窝尿 要 起 四五趟", "泌尿外科"),
        ("department", "喉 咙 疼 嗓 子 哑 了 说 不 出 话", "耳鼻喉科"),
        ("department", "突然说不出话", "神经内科"),
        ("emergency", "血压今早量了一百五，比平时高一点点。", False),
        ("emergency", "他遭车碾了", True),
        ("emergency", "我孙子被开水烫了，一大片，皮都起来了。", True),
    ],
)
def test_other_kinds_of_the_second_pass(kind: str, text: str, value: object) -> None:
    assert understand(kind, text, TODAY) == value


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("when", "十月八号上午，过了国庆。", {"date": "2025-10-08", "session": "am"}),
        ("when", "国庆以后", {"date": "2025-10-01", "session": None}),
        ("choice", "你说的第一个是哪样？", None),
        ("choice", "就 一 嘛", 1),
        ("choice", "就一个人", None),
        ("intent", "小姑娘你是人还是机器哦，我要找个人说话", "operator"),
        ("intent", "我要找个人说话……算了，你说嘛，我要喊车。", "taxi"),
        ("intent", "我要喊车，算了，转人工", "operator"),
        ("emergency", "帮我老倌挂个号嘛，他心口不舒服好几天了", False),
        ("department", "前 例 线", "泌尿外科"),
        ("department", "长个疙瘩想割掉", "普通外科"),
    ],
)
def test_classes_of_the_fourth_pass(kind: str, text: str, value: object) -> None:
    assert understand(kind, text, dt.date(2025, 9, 18)) == value


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("intent", "我 要 教 车 去 人 民 医 院", "taxi"),
        ("emergency", "他说话突然含糊不清，一边脸垂下来了，现在怎么办？", True),
        ("emergency", "我 儿 子 说 急 救 车 太 贵 了", False),
        ("digits", "幺 五 幺 二 拐 九 四 零 零 八 八 是 我 孙 女 帮 我 存 的", "15127940088"),
        ("digits", "座 机 号 码 是 二 幺 二 三 七 零 四 区 号 零 八 七 七", "08772123704"),
    ],
)
def test_classes_of_the_fifth_pass(kind: str, text: str, value: object) -> None:
    assert understand(kind, text, dt.date(2026, 2, 24)) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("短信发嘛，我看得懂字。", "yes"),
        ("车子喊起嘛", "yes"),
        ("短信发嘛 不要了", "no"),
        ("短信发嘛？", "unknown"),
        ("就 恁 个 整", "yes"),
        ("要 钱 不 要", "unknown"),
    ],
)
def test_yes_no_of_the_fifth_pass(text: str, value: str) -> None:
    assert parse_yesno(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("啊？你说叫车还是哪样？再说下。", "repeat"), ("以后再说", "unknown")],
)
def test_say_it_again_without_one(text: str, value: str) -> None:
    assert understand("intent", text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("八三五……五后面是啥子？哦，是六。", "8356"),
        ("三 六 九 呃 九 后 头 是 五", "3695"),
        # (nineteenth round's decision) the beginning of a number, the rest forgotten: none
        ("我 儿 子 电 话 开 头 是 幺 八 九 八 八 后 头 记 不 得 了", None),
        ("是一五八，不是一五九，一五八，六七二零，三一四四。", "15867203144"),
        ("幺 三 拐 零 四 五 八 八 二 一 六 是 我 媳妇 的", "13704588216"),
    ],
)
def test_digits_of_the_sixth_pass(text: str, value: str | None) -> None:
    assert understand("digits", text, TODAY) == value


@pytest.mark.parametrize(
    ("kind", "text", "today", "value"),
    [
        ("when", "一月五号上午，元旦过了再去。", dt.date(2025, 12, 29),
         {"date": "2026-01-05", "session": "am"}),
        ("when", "三月街那几天不得空，过了再说嘛。", dt.date(2025, 12, 29), None),
        ("yesno", "那就麻烦你们了哈。", TODAY, "yes"),
        ("yesno", "不用了，麻烦你们了", TODAY, "no"),
        ("department", "老 是 睡 不 着 心 里 慌 闷 闷 不 乐 想 看 下 心 理", TODAY, "精神心理科"),
    ],
)
def test_classes_of_the_last_pass(kind: str, text: str, today: dt.date, value: object) -> None:
    assert understand(kind, text, today) == value


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("intent", "汉车 汉车 我 赶 时 间 得 很", "taxi"),
        ("intent", "车 格 来 了", "query"),
        ("intent", "哎呀就是喊车嘛，车来了再说。", "taxi"),
        ("digits", "三 幺 四 四 是 这 几 个 数", "3144"),
        ("yesno", "阔 以", "yes"),
        ("yesno", "那就约上嘛。", "yes"),
        ("yesno", "约哪天嘛", "unknown"),
        ("yesno", "不约", "no"),
    ],
)
def test_classes_said_as_a_real_call(kind: str, text: str, value: object) -> None:
    assert understand(kind, text, TODAY) == value
