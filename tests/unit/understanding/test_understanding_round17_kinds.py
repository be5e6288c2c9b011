"""Rules of the seventeenth method round (issue 12) for intent, emergencies and choices.

Sentences written for each rule, not taken from the independent sets. The day is Monday
2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from support.understood import u


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a staff member asked for by description, or the one of last time
        ("你们那个年纪大一点的孃孃在不在，我跟她讲", "operator"),
        ("帮我接给上次那个小伙子", "operator"),
        # ... not a car sent "directly" (直接 sounds like 大姐)
        ("你们能不能直接给我派个车来", "taxi"),
        # "is a car coming at all", "is my booking still there"
        ("到底有没有车来接我嘛", "query"),
        ("我那个号格还在哦", "query"),
        # 出租 and 取消 as the recogniser writes them
        ("帮 我 叫 个 出 粗 车", "taxi"),
        ("那 个 号 取 小 掉", "cancel"),
    ],
)
def test_intent_of_the_round(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        # "hardly answers when called"; "quick, she is down"
        ("我老伴浑身是汗，叫他也不太应", True),
        ("快点快点，她倒了", True),
        ("她倒了一杯水给我", False),
    ],
)
def test_emergency_of_the_round(text: str, emergency: bool) -> None:
    assert u("emergency", text) is emergency


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        # the one said first or above, the other of two, 头个, ordinals as heard
        ("上面那个", 1),
        ("先说的那个", 1),
        ("另外那个", 2),
        ("头个", 1),
        ("第 耳 个", 2),
        ("第伞个", 3),
        # the one chosen, then the other refused; only a refusal
        ("要第二个，不要第一个", 2),
        ("前面的不要", None),
        # put right after 哦不
        ("后面那个，哦不，前面那个", 1),
        # asked about one, then settled
        ("第一个是礼拜几？礼拜六啊？那就第二个", 2),
        # 一个 in the reason is "one", not the first
        ("第二个吧，那个医生跟我是一个村的", 2),
    ],
)
def test_choice_of_the_round(text: str, choice: int | None) -> None:
    assert u("choice", text) == choice


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # the digits said again as counts at the end
        ("后四位零零零七，三个零一个七", "0007"),
        ("幺三九 幺二三四 零零零六 三个零一个六", "13912340006"),
        # counts alone are the number
        ("两个五两个八", "5588"),
        ("最后是两个三，再一个四，一个一", "3341"),
        # what the number is not
        ("后四位四二八一，你莫记成四二一八了", "4281"),
    ],
)
def test_digits_of_the_round(text: str, digits: str) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # one half-day refused: the other is meant
        ("哪天都可以，只要不是下午", {"date": None, "session": "am"}),
        ("后天上午不得空", {"date": "2026-12-02", "session": "pm"}),
        # a bare 不 after a pause put right
        ("明天上午……不，下午", {"date": "2026-12-01", "session": "pm"}),
    ],
)
def test_days_of_the_round(text: str, day: object) -> None:
    assert u("when", text) == day


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # each digit by its place, with 头一个 / 最后一个, 也是, a pause, 是 left out
        ("第一个八，第二个也是八，第三个是一，第四个……七", "8817"),
        ("头一个是二，第二个五，第三个是零，最后一个是六", "2506"),
        # the places counted aloud first
        ("我数一下，一、二、三、四，四个数：七、三、零、一", "7301"),
        # the area code said, then named as such
        ("零 八 七 四 那 个 是 区 号 号 码 是 三 二 一 五 六 七 八", "08743215678"),
    ],
)
def test_digits_by_place_and_area_code(text: str, digits: str) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # the whole number said, then one of its digits explained
        ("幺三六，八七幺幺，两两零五。两两就是二二。", "13687112205"),
        ("后四位四零七一，一是最后一位。", "4071"),
        ("后四位二九八X。X就是那个叉。", "298X"),
        ("幺五零，幺二三零，八八零幺。请注意中间是幺二三零。", "15012308801"),
        # the number said twice, then "this one": said once
        ("四 六 三 二 四 六 三 二 是 这 个", "4632"),
    ],
)
def test_digits_explained_after_the_number(text: str, digits: str) -> None:
    assert u("digits", text) == digits
