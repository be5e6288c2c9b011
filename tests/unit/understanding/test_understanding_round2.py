"""Second method round: weekday numbers heard as sound-alikes, a day taken back with 不是 or
哦不对, "whichever day has a slot" as no preference, and emergencies: 出不到气, speech lost,
救命 inside other words, things seen on television, V过 (once, in the past), a denial."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

MONDAY = dt.date(2026, 12, 7)


def when(text: str) -> object:
    return understand("when", text, MONDAY)


@pytest.mark.parametrize(
    ("text", "date", "session"),
    [
        ("礼拜是下午", "2026-12-10", "pm"),  # 是 for 四
        ("星 期 留 上 午", "2026-12-12", "am"),  # 留 for 六
        ("周山", "2026-12-09", None),  # 山 for 三
        ("不是后天，大后天", "2026-12-10", None),
        ("不 是 星 期 二 是 星 期 五", "2026-12-11", None),
        ("后天上午，哦不对，礼拜五下午", "2026-12-11", "pm"),
    ],
)
def test_days_heard_wrong_or_taken_back(text: str, date: str, session: str | None):
    assert when(text) == {"date": date, "session": session}


@pytest.mark.parametrize("text", ["你们哪天有号就哪天嘛", "哪 天 方 便 都 得", "有号就行"])
def test_whichever_day_has_a_slot_is_no_preference(text: str):
    assert when(text) == {"date": None, "session": None}


def test_a_day_only_taken_back_is_no_day():
    assert when("不是明天") is None


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("我爹出不到气了", True),
        ("他讲话一下子讲不出来了", True),
        ("那是我的救命钱", False),
        ("新闻里说有个老人晕倒在街上", False),
        ("我年轻的时候昏倒过", False),
        ("不是我要救命，我问问挂号", False),
        ("她晕过去了，快点", True),  # 过去 after the sign: fainted now
    ],
)
def test_emergency_classes(text: str, emergency: bool):
    assert understand("emergency", text, MONDAY) is emergency


def yesno(text: str) -> object:
    return understand("yesno", text, MONDAY, backstop=False)


def intent(text: str) -> object:
    return understand("intent", text, MONDAY, backstop=False)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ok", "yes"),
        ("要 得 勒", "yes"),
        ("得", "yes"),
        ("先 不 确 认", "no"),
        ("别确认", "no"),
        ("不是不是，哦，对的对的", "yes"),  # the last word counts
        ("我想想，要得", "yes"),
        ("好，我再考虑一下", "unknown"),
        ("嗯……那个嘛", "unknown"),
        ("就这个", "yes"),
        ("是 几 号 来 着", "unknown"),
    ],
)
def test_yes_no_classes(text: str, want: str):
    assert yesno(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("帮我订个后天的车，我要去红会医院", "taxi"),
        ("预约明天的车子", "taxi"),
        ("我腰疼想到医院看一下，帮我弄一下", "hospital"),
        ("叫个车到医院检查", "taxi"),
        ("帮我 cancel 了", "cancel"),
        ("我挂的号是星期几", "query"),
        ("这个机器我听不懂，给有人", "operator"),
        ("现在挂号难得很", "unknown"),
        ("的士车现在不好喊", "unknown"),
    ],
)
def test_intent_classes(text: str, want: str):
    assert intent(text) == want


def test_a_day_before_a_bare_correction_is_the_one_taken_back():
    assert when("下礼拜二，不是，下礼拜三") == {"date": "2026-12-16", "session": None}
    assert when("不是下礼拜二，下礼拜三") == {"date": "2026-12-16", "session": None}


def test_a_condition_heard_as_written_beats_a_name_heard_by_sound():
    # 肿医 sounds like 中医 (zh/z), but 肾病 was said as written
    assert understand("department", "腿 肿 医生 讲 是 肾病", MONDAY) == "肾内科"


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("气 都 上 不 来 了", True),
        ("呼吸不动了", True),
        ("我爸从床上跌下来了", True),
        ("万一我摔倒了咋个办", False),  # a supposition
        ("如果心口疼就要打120是不是", False),
        ("书上写的，中风了嘴会歪", False),  # read somewhere
    ],
)
def test_emergency_classes_of_the_sixth_set(text: str, emergency: bool):
    assert understand("emergency", text, MONDAY) is emergency


def test_digits_said_again_after_a_correction_count():
    assert understand("digits", "幺二三四，不对，幺二三五", MONDAY) == "1235"
    assert understand("digits", "五 六 七 八 说 错 了 五 六 七 九", MONDAY) == "5679"


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("明天凌晨五点半", (5, 30)),  # the small hours, not 17:30
        ("傍晚六点", (18, 0)),
        ("夜里八点", (20, 0)),
        ("早上五点", (5, 0)),  # 上五 is not 上午 here
        ("半夜十二点", (0, 0)),
    ],
)
def test_the_half_of_the_day_before_an_hour(text: str, clock: tuple[int, int]):
    from app.understanding.when import parse_clock

    assert parse_clock(text) == clock


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("我妈突然说胡话，认不得人了", True),  # sudden confusion
        ("我憋气得很", True),
        ("他说胡话说了好多年了", False),  # an old habit
    ],
)
def test_confusion_and_breathlessness(text: str, emergency: bool):
    assert understand("emergency", text, MONDAY) is emergency


def test_someone_in_a_story_is_no_call_for_a_person():
    assert understand("intent", "电视里说有人晕倒了", MONDAY) == "unknown"
    assert understand("intent", "有没有人", MONDAY) == "operator"
