"""Rules of the fourth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

MON = dt.date(2027, 2, 15)  # a Monday


def u(kind: str, text: str) -> object:
    return understand(kind, text, MON)


# intent: a story is not a request --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "听说现在叫车都要在手机上弄",
        "以前挂号要起个大早去排队",
        "每回去医院看病，都是我老伴陪我去",
        "我在医院门口碰到我表妹，她也来挂号",
        "医院的机器我搞不来，挂号都是喊护士帮我",
        "我 儿 子 下 礼 拜 带 我 去 医 院 复 查",
    ],
)
def test_hearsay_habits_and_others_doing_ask_nothing(text: str) -> None:
    assert u("intent", text) == "unknown"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("以前都是我儿子帮我挂，这回我想自己挂个号", "hospital"),
        ("听说你们这点可以叫车，麻烦帮我叫一个", "taxi"),
        ("每次都是走路去，今天腿疼，我要叫个车", "taxi"),
    ],
)
def test_a_request_word_before_the_phrase_still_asks(text: str, want: str) -> None:
    assert u("intent", text) == want


@pytest.mark.parametrize("text", ["上个礼拜挂的号还作数不", "我约的那个号还算数吗"])
def test_asking_whether_a_booking_still_holds_is_a_query(text: str) -> None:
    assert u("intent", text) == "query"


# yes / no -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["不是她还是哪个嘛", "对嘛，不是我是谁"])
def test_if_not_me_who_else_is_a_yes(text: str) -> None:
    assert u("yesno", text) == "yes"


@pytest.mark.parametrize(
    "text", ["要是下雨就不去了", "如果我姑娘有空就不用了", "万一赶不到咋个整"]
)
def test_an_answer_opening_with_a_condition_is_asked_again(text: str) -> None:
    assert u("yesno", text) == "unknown"


@pytest.mark.parametrize("text", ["是这样的，我想问下我的车", "嗯，看情况嘛", "这个说不准"])
def test_a_story_opener_or_it_depends_is_no_answer(text: str) -> None:
    assert u("yesno", text) == "unknown"


def test_a_plain_yes_after_the_opener_words_is_still_a_yes() -> None:
    assert u("yesno", "是这样的") == "yes"


# department -----------------------------------------------------------------------------


def test_poor_sleep_gives_way_to_another_complaint() -> None:
    assert u("department", "晚上睡不好，心情低落得很") == "精神心理科"
    assert u("department", "吃不下饭，胃老是胀") == "消化内科"


def test_poor_sleep_alone_still_points_to_its_department() -> None:
    assert u("department", "天天晚上睡不着") == "神经内科"


# when and digits --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["哪 天 都 无 所 谓", "早点就行", "我都一样"])
def test_any_day_is_the_same_is_no_preference(text: str) -> None:
    assert u("when", text) == {"date": None, "session": None}


def test_x_spelled_as_an_english_letter() -> None:
    assert u("digits", "三 二 一 埃 克 斯") == "321X"


# the seventh call trial -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["要得，哎不对", "好的好的，不对", "对的，不对，我说错了"])
def test_a_yes_taken_back_is_a_no(text: str) -> None:
    assert u("yesno", text) == "no"


def test_a_yes_with_nothing_to_change_stays_a_yes() -> None:
    assert u("yesno", "对的，不用改") == "yes"


def test_the_request_said_after_taking_one_back_counts() -> None:
    assert u("intent", "我要喊个车，哦不是，我要挂号") == "hospital"
    assert u("department", "我要看心脏，不对不对，看眼睛") == "眼科"


@pytest.mark.parametrize("text", ["车不要了", "明天的号不要了"])
def test_giving_up_a_named_car_or_booking_at_the_menu_is_a_cancel(text: str) -> None:
    assert u("menu", text) == "cancel"


def test_a_plain_never_mind_at_the_menu_is_still_nothing() -> None:
    assert u("menu", "算了算了") == "nothing"


@pytest.mark.parametrize("text", ["喘不上来", "我老伴喘不上来了", "老伴脑溢血了"])
def test_breathing_and_stroke_now_are_emergencies(text: str) -> None:
    assert u("emergency", text) is True


@pytest.mark.parametrize("text", ["中风", "以前脑溢血了一回"])
def test_a_stroke_named_bare_or_in_the_past_is_no_emergency(text: str) -> None:
    assert u("emergency", text) is False


def test_a_lunar_day_without_a_month_is_the_next_such_day() -> None:
    # 2027-02-15 is lunar 1/10: the next 初八 is lunar 2/8 = 2027-03-15.
    assert u("when", "初八上午") == {"date": "2027-03-15", "session": "am"}
    assert u("when", "初中同学") is None
