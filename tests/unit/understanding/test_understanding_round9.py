"""Rules of the ninth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules).
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from app.understanding import understand

MON = dt.date(2026, 11, 30)
TUE, WED, THU, FRI = (MON + dt.timedelta(days=n) for n in (1, 2, 3, 4))


def u(kind: str, text: str) -> object:
    return understand(kind, text, MON)


def when(date: dt.date | None, session: str | None) -> dict[str, str | None]:
    return {"date": date.isoformat() if date else None, "session": session}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # a day given a reason in its own clause, then another day said plainly: the last
        ("明天赶街，我要去卖菜，后天去", when(WED, None)),
        ("今天来不及了，明天上午早点", when(TUE, "am")),
        ("明天是我孙子考试，人多得很，就大后天上午嘛", when(THU, "am")),
        # not a later clause that gives a reason or a condition, or only says the weekday
        ("后天，大后天我要去吃席", when(WED, None)),
        ("明天上午，要是没得号就后天", when(TUE, "am")),
        ("十二月四号，星期五，上午", when(FRI, "am")),
    ],
)
def test_the_last_day_said_plainly_counts(text: str, said: dict) -> None:
    assert u("when", text) == said


def test_a_day_counted_on_from_another_day() -> None:
    assert u("when", "后天再过一天，上午") == when(THU, "am")
    assert u("when", "明天再过两天") == when(THU, None)
    assert u("when", "再过两天") == when(None, None)  # "in a couple of days": vague


def test_the_months_end_is_its_last_day() -> None:
    last = MON.replace(day=calendar.monthrange(MON.year, MON.month)[1])
    assert u("when", "这个月底嘛 下午") == when(last, "pm")
    assert u("when", "月底那天，上午") == when(last, "am")
    assert u("when", "下个月底")["date"] == "2026-12-31"
    assert u("when", "月底 三十号 上午") == when(MON.replace(day=30), "am")  # the day said
    assert u("when", "月底前都行") == when(None, None)  # before the end: any day


def test_a_time_not_decided_yet_is_no_day() -> None:
    assert u("when", "我要问我儿子 现在说不好") is None
    assert u("when", "还没定下来，过两天打给你") is None
    assert u("when", "里 看 着 安 排") == when(None, None)  # 你 heard as 里: left to us


def test_a_half_day_with_a_meeting_or_too_hot_is_not_the_one() -> None:
    assert u("when", "下礼拜一下午 上午我有个会") == when(MON + dt.timedelta(days=7), "pm")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("是 哪 家 医 院", "unknown"),  # a question that starts like a yes
        ("对 几点来", "unknown"),
        ("是 的 要 我 要", "yes"),  # every word a yes
        ("要 我 要", "yes"),
        ("帮他叫嘛 是呢", "yes"),  # the verb asked about, for someone, said back
        ("要 帮我喊嘛", "yes"),
        ("要，不过要晚一点的", "unknown"),  # a change asked for
        ("不要，哦不是，要，要，我说错了", "yes"),  # the correction commented on
        ("yes 对", "yes"),
        ("要嘛 不要嘛 你说呢", "unknown"),  # the question put back
        ("有车的话就要，没得就算了", "unknown"),  # a condition
        ("整 不 成", "no"),
        ("是是，我跟你说，我年轻的时候在厂里", "unknown"),  # "yes yes" to go on talking
        ("要得要得，我老伴也要一起去", "yes"),  # a wanting yes, then more of the same
    ],
)
def test_yes_no_answers(text: str, said: str) -> None:
    assert u("yesno", text) == said


def test_a_car_asked_for_in_other_words_with_the_hospital_its_purpose() -> None:
    assert u("intent", "我要一个车子，去医院看病") == "taxi"
    assert u("intent", "I want to call 一个车 for my mother") == "taxi"
    assert u("intent", "我不是要叫车，我是要挂号") == "hospital"  # the car taken back
    assert u("intent", "把 我 的 预 约 取 销") == "cancel"  # 取销: 取消 as the recogniser writes it


@pytest.mark.parametrize(
    ("text", "department"),
    [
        # a grandchild who helps is not the patient
        ("我膝盖疼得很，我孙子要背我上楼", "骨科"),
        ("耳朵背了，我孙子喊我都听不见", "耳鼻喉科"),
        ("我孙子咳嗽得厉害", "儿科"),
        # what is taken back before what is meant
        ("我 肚 子 疼 哦 不 是 肚 子 是 牙 齿 疼", "口腔科"),
        ("要看女人的那个科", "妇科"),
        ("我妈有 diabetes 要复查", "内分泌科"),
        ("腹股沟疝，要做手术", "普通外科"),
    ],
)
def test_departments(text: str, department: str) -> None:
    assert u("department", text) == department


def test_very_is_no_negation_in_a_sign() -> None:
    """特别 holds 别 (don't): 胸口特别疼 is chest pain, never read as negated."""
    assert u("emergency", "我妈现在胸口特别疼，出冷汗") is True
    assert u("emergency", "胸口不疼了") is False


def test_an_attack_over_is_no_emergency() -> None:
    assert u("emergency", "昨晚心绞痛，含了药缓解了，今天想挂个号") is False


def test_digits_begun_then_said_whole() -> None:
    assert u("digits", "零二四，零二四五") == "0245"
    assert u("digits", "一三八 一三八零 一二三四")[:3] == "138"  # a mobile stays whole


def test_words_said_one_by_one_slowly_are_one_phrase() -> None:
    assert u("intent", "我……的……号……是……几……号") == "query"
    assert u("department", "我……眼睛……看……不……清……楚") == "眼科"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("不要——要！要要，你别听他的，要", "yes"),  # the last word counts
        ("要，要，哦不要，不要", "no"),
        ("不……要", "no"),  # 不要 said with a pause
        ("要叫 我老伴腿不好", "yes"),  # 不好 said of the legs
        ("车来了没得", "unknown"),  # a question, not a no
        ("嗯……不……等一下", "unknown"),  # not decided yet
    ],
)
def test_yes_no_the_last_word_and_words_that_are_no_answer(text: str, said: str) -> None:
    assert u("yesno", text) == said


def test_a_festival_as_a_deadline_and_any_day_after_a_day_taken_back() -> None:
    mid_autumn = dt.date(2027, 9, 15)
    today = mid_autumn - dt.timedelta(days=4)
    ahead = (today + dt.timedelta(days=2)).isoformat()
    assert understand("when", "中秋前嘛，后天上午", today) == {"date": ahead, "session": "am"}
    assert understand("when", "中秋前一天", today)["date"] == "2027-09-14"
    assert u("when", "明天——不是，哪天都行") == when(None, None)


def test_a_choice_weighed_then_decided() -> None:
    assert u("choice", "第一个——第二个好——那就第二个嘛") == 2


def test_digits_said_in_english() -> None:
    assert u("digits", "one three five 零八七幺 二二四六") == "13508712246"
    assert u("digits", "last four 是 three three seven nine") == "3379"
    assert u("digits", "我一时想不起来，等我找一下") is None  # 一时 is "for a moment"


def test_sudden_weakness_of_an_arm_is_an_emergency_an_old_one_is_not() -> None:
    assert u("emergency", "他说话突然说不清楚了，手也抬不起来") is True
    assert u("emergency", "我老伴突然一只手抬不起来了") is True
    assert u("emergency", "我手抬不起来好几年了，肩周炎") is False


def test_english_words_for_asking_again_and_checking() -> None:
    assert u("intent", "sorry 信号不好 say again") == "repeat"
    assert u("intent", "can you check 我妈的 booking 是 which day") == "query"
    assert u("yesno", "Sure，就帮她订这个") == "yes"


def test_midnight_said_as_a_time_is_no_key_zero() -> None:
    assert u("intent", "对，零点的") == "unknown"
    assert u("intent", "零") == "operator"
    assert u("intent", "按零") == "operator"
