"""Rules of the seventh method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). Lunar dates are
worked out by the lunardate library here, apart from the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lunardate import LunarDate

from app.understanding import understand
from support.understood import u


def day(text: str) -> str | None:
    said = u("when", text)
    assert isinstance(said, dict), said
    return said["date"]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("我们那点六天一街，昨天赶的街，下个街子天去", "2026-12-05"),  # 11-29 + 6
        ("五 天 赶 一 街 今 天 是 街 子 天 下 下 个 街 子 天", "2026-12-10"),
        ("逢二逢七赶街，下个街子天", "2026-12-02"),
        ("我们逢五赶街，十二号是街子天，那天去", "2026-12-12"),  # the day said wins
    ],
)
def test_a_day_counted_by_market_days(text: str, date: str) -> None:
    assert day(text) == date


def test_a_market_day_that_cannot_be_worked_out_is_no_day() -> None:
    assert u("when", "下个街子天") is None  # no round, no known market day: asked again


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("国庆过后那个礼拜一", "2027-10-04"),  # 2027-10-01 is a Friday
        ("元旦前头那个礼拜五", "2026-12-25"),  # 2027-01-01 is a Friday: the one before
        ("二十号以后的第一个星期三", "2026-12-23"),  # 12-20 is a Sunday
        ("星期三过后那天", "2026-12-03"),
        ("冬至那天要上坟，不去，后面一天", "2026-12-23"),  # 冬至 2026 is 12-22
    ],
)
def test_a_day_counted_from_another_day(text: str, date: str) -> None:
    assert day(text) == date


def test_a_festival_said_as_already_past_is_only_the_reference() -> None:
    assert day("过了冬至，腊八那天") == LunarDate(2026, 12, 8).to_solar_date().isoformat()


def test_a_bare_day_after_a_lunar_festival_is_a_day_of_that_lunar_month() -> None:
    assert day("过了中秋，十八那天") == LunarDate(2027, 8, 18).to_solar_date().isoformat()


def test_a_festival_word_is_no_half_day() -> None:
    festival = LunarDate(2027, 5, 5).to_solar_date()  # 端午: 午 is no afternoon
    tuesday = festival + dt.timedelta(days=(1 - festival.weekday()) % 7 or 7)
    assert u("when", "端午后头那个星期二") == {"date": tuesday.isoformat(), "session": None}


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("下礼拜三下午，就是十二月九号", {"date": "2026-12-09", "session": "pm"}),
        ("今天礼拜一嘛，后天去", {"date": "2026-12-02", "session": None}),
        ("今天三十号，明天去", {"date": "2026-12-01", "session": None}),
        ("十二月八号不得空，九号嘛", {"date": "2026-12-09", "session": None}),
        ("十二月八号不行 八号我要去吃酒 十号嘛", {"date": "2026-12-10", "session": None}),
        ("十二月十号上午，那天医院开门没有？那就十号吧", {"date": "2026-12-10", "session": "am"}),
        ("后天天一亮就去", {"date": "2026-12-02", "session": "am"}),
        ("星期三擦黑前", {"date": "2026-12-02", "session": "pm"}),
        ("不是今天，是明天，今天来不及", {"date": "2026-12-01", "session": None}),
    ],
)
def test_what_a_day_is_said_to_be_and_the_day_said_last(text: str, when: dict) -> None:
    assert u("when", text) == when


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("哪天都得，就是莫要礼拜一", {"date": None, "session": None}),
        ("除了礼拜天，哪天都行，莫要下午", {"date": None, "session": "am"}),
        ("元旦以前都行，你们安排", {"date": None, "session": None}),
        ("没得哪样要求，看上就得", {"date": None, "session": None}),
        ("随便哪天 上午就得 下午我要去地里", {"date": None, "session": "am"}),
    ],
)
def test_no_preference_with_a_day_or_half_day_refused(text: str, when: dict) -> None:
    assert u("when", text) == when


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我要挂号，车不要", "hospital"),
        ("叫车嘛，挂号不用", "taxi"),
        ("我 要 看 病 不 要 车", "hospital"),
        ("号早就挂好了，就差个车，帮我叫一个", "taxi"),
        ("那回坐车坐错车了", "unknown"),  # 车了 is no 撤了
        ("医保报销要带哪样", "unknown"),
    ],
)
def test_a_car_or_booking_not_wanted_or_already_done(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("要的，等下，不对，不要了", "no"),
        ("嗯哪，就这样", "yes"),
    ],
)
def test_yes_no_taken_back_and_dialect_yes(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


def test_asking_whether_it_is_a_disease_does_not_negate_it() -> None:
    assert u("department", "手抖得很，我怕是不是帕金森") == "神经内科"


def test_a_sound_alike_starting_a_word_is_no_digit() -> None:
    assert u("digits", "零 八 八 三 临沧") == "0883"


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("后天上午不行，上午我要去打针，下午嘛", {"date": "2026-12-02", "session": "pm"}),
        ("星期四上午不行，星期五", {"date": "2026-12-04", "session": None}),
        ("十 十二号 上午", {"date": "2026-12-12", "session": "am"}),  # a number begun again
        ("最快那天就得", {"date": None, "session": None}),
        ("我搞不清今天几号", None),
    ],
)
def test_half_days_refused_numbers_begun_again_and_asking_the_date(text: str, when: object) -> None:
    assert u("when", text) == when


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("不要，我就是问一下", "no"),
        ("不用了，我问问我儿子", "no"),
        ("谁要哦，不要", "no"),
        ("要的，快点，我等不及", "yes"),
        ("那就麻烦您叫一个", "yes"),
        ("我听不懂", "unknown"),
        ("嗯，我在听", "unknown"),
    ],
)
def test_yes_no_asking_someone_rhetorical_refusals_and_not_understood(
    text: str, answer: str
) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我老伴坐轮椅，要个放得下轮椅的车", "taxi"),
        ("医生让我半年以后再去复查", "unknown"),
        ("坐出租车到火车站要多少钱", "unknown"),
        ("帮我挂个内分泌科，要查血糖", "hospital"),
    ],
)
def test_a_car_for_a_wheelchair_and_advice_or_prices_told(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("发烧了", None),  # fever alone: asked about, not guessed
        ("感冒发烧", "普通内科"),
        ("乳房摸到个硬块", "普通外科"),
        ("女人病，下面痒", "妇科"),
        ("老伴走了以后我一想就哭", "精神心理科"),
    ],
)
def test_fever_alone_breast_lumps_and_grief(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("叫车？哦，要的要的", "yes"),  # a question said back, then the answer
        ("哪样？挂号？不挂不挂", "no"),
        ("要嘛，快点叫过来", "yes"),
        ("喂，听得到吗", "unknown"),
    ],
)
def test_the_answer_after_a_question_said_back(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("不是叫车，我要给我爹挂个号", "hospital"),
        ("昨天那个车你们帮我销掉", "cancel"),
        ("机器我听不懂，要人讲话", "operator"),
        ("我上个月挂的号已经看过了", "unknown"),
    ],
)
def test_a_car_refused_a_cancel_in_dialect_and_a_visit_told_as_done(text: str, intent: str) -> None:
    assert u("intent", text) == intent


def test_a_day_asked_back_then_answered() -> None:
    assert u("when", "礼拜五？那就礼拜六嘛") == {"date": "2026-12-05", "session": None}


def test_a_half_day_said_as_busy_without_a_pause() -> None:
    assert u("when", "后天早上越早越好我下午还要去地里") == {"date": "2026-12-02", "session": "am"}


def test_crying_all_the_time_beats_poor_sleep_beside_it() -> None:
    assert u("department", "晚上睡不着，老是一个人哭") == "精神心理科"


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("帮我妈约后天下午，她上午要打针", {"date": "2026-12-02", "session": "pm"}),
        ("明天我儿子要来 后天我要陪他 大后天嘛", {"date": "2026-12-03", "session": None}),
        ("明天晌午饭吃了去", {"date": "2026-12-01", "session": "pm"}),
        ("过年前不去，初五嘛", {"date": LunarDate(2027, 1, 5).to_solar_date().isoformat(),
                          "session": None}),
        ("随便哪天，天天都是礼拜天", {"date": None, "session": None}),
        ("明天上午，哦不，明天上午我有事，改后天下午", {"date": "2026-12-02", "session": "pm"}),
        ("明天不行明天说是要下雨后天嘛", {"date": "2026-12-02", "session": None}),
        ("明天我要带孙子，后天我得空", {"date": "2026-12-02", "session": None}),
    ],
)
def test_busy_days_and_half_days_the_new_year_and_a_move_to_another_day(
    text: str, when: dict
) -> None:
    assert u("when", text) == when


def test_a_day_counted_from_a_month_and_day() -> None:
    # in September 八月十五 is the Mid-Autumn festival ahead: the day after it
    assert understand("when", "八月十五第二天", dt.date(2027, 9, 1)) == {
        "date": (LunarDate(2027, 8, 15).to_solar_date() + dt.timedelta(days=1)).isoformat(),
        "session": None,
    }


def test_a_head_wound_after_a_fall_is_asked_about() -> None:
    assert u("department", "摔了一跤，头上磕破了") is None
    assert u("department", "摔了一跤，手腕肿起来了") == "骨科"  # a fall alone stays 骨科


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("中医说我湿气重", "unknown"),
        ("让个人跟我讲，这个录音我听不懂", "operator"),
        ("没得人送我，你们找个人开车来拉我", "taxi"),
        ("那个号我已经去看过了，谢谢", "unknown"),
    ],
)
def test_advice_a_person_asked_for_a_driver_and_a_visit_done(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("啥 子 挂 号 哦 要 要 我 说 要", "yes"),  # asked back without a question mark
        ("要的，要的，你听到没得？", "yes"),  # checking it was heard asks nothing new
        ("是的，不好意思让你久等了", "yes"),  # sorry is no no
        ("么问题", "yes"),  # Yunnan 么 for 没
    ],
)
def test_asked_back_checked_and_sorry(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你讲得太快了，我跟不上", "repeat"),
        ("约的车莫让他来了", "cancel"),
        ("你是机器人还是真人", "unknown"),
    ],
)
def test_too_fast_a_car_called_off_and_asking_what_answers(text: str, intent: str) -> None:
    assert u("intent", text) == intent


def test_after_noon_said_after_it() -> None:
    assert u("when", "中午过了去，后天") == {"date": "2026-12-02", "session": "pm"}
