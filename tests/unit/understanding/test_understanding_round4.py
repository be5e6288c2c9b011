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


# second pass (from k) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "号我已经挂好了，就差个车送我去",
        "我妈的号都约起了，帮她叫个车",
        "挂号的事已经办好了，要个车",
    ],
)
def test_a_booking_told_as_news_beside_a_car_request_is_a_taxi(text: str) -> None:
    assert u("intent", text) == "taxi"


def test_asking_whether_a_booking_is_made_is_still_a_query() -> None:
    assert u("intent", "我的号挂好了没") == "query"


def test_just_call_me_a_car_is_no_cancel() -> None:
    assert u("intent", "等了半天公交，干脆给我叫个车算了") == "taxi"
    assert u("intent", "算了") == "cancel"


def test_asking_where_a_parcel_is_asks_nothing_of_the_hotline() -> None:
    assert u("intent", "帮我问下包裹到哪里了") == "unknown"


def test_a_tradesman_called_for_at_home_is_not_a_person() -> None:
    assert u("intent", "家里水管爆了，哪个电话可以叫人来修") == "unknown"


def test_a_sound_alike_gives_way_to_the_words_heard_as_written_after_it() -> None:
    assert u("intent", "我约的那个撤销掉") == "cancel"


def test_da_fu_is_a_doctor() -> None:
    assert u("intent", "帮我约个大夫") == "hospital"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("晚上老是起夜，尿不干净", "泌尿外科"),
        ("下身痒得很", "妇科"),
        ("舌头上长了溃疡", "口腔科"),
        ("心里头烦躁得很，老是想哭", "精神心理科"),
        ("医生叫我来做个老年综合评估", "老年医学科"),
        ("内科看个普通的就行", "普通内科"),
    ],
)
def test_guidance_desk_complaints_of_the_second_pass(text: str, want: str) -> None:
    assert u("department", text) == want


def test_unwell_everywhere_names_no_department() -> None:
    assert u("department", "哪里都不舒服，头也疼，腰也疼") is None
    assert u("department", "哪里都不舒服，想挂骨科") == "骨科"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我现在头昏得很，嘴巴也麻了", True),
        ("去年我胸口疼住过院，现在好了", False),
        ("昨晚做梦梦到我摔倒起不来", False),
    ],
)
def test_emergency_classes_of_the_second_pass(text: str, want: bool) -> None:
    assert u("emergency", text) is want


def test_only_fillers_is_no_answer() -> None:
    assert u("yesno", "呃 这 个 那 个") == "unknown"


def test_the_half_day_said_with_the_day_counts() -> None:
    assert u("when", "后天上午吧，我下午要去接孙子") == {"date": "2027-02-17", "session": "am"}


# third pass (from m) ----------------------------------------------------------------------


def test_asking_todays_date_asks_nothing() -> None:
    assert u("intent", "今天星期几") == "unknown"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("腰 直 不 起 来", "骨科"),
        ("解小手解不出来，晚上起来好几趟", "泌尿外科"),
        ("牙 腾 得 睡 不 着 觉", "口腔科"),
        ("长了蛇缠腰", "皮肤科"),
        ("站起来肚子上就鼓个包", "普通外科"),
        ("心里头焦得很", "精神心理科"),
    ],
)
def test_guidance_desk_complaints_of_the_third_pass(text: str, want: str) -> None:
    assert u("department", text) == want


def test_a_sound_alike_with_no_character_as_written_counts_only_in_short_answers() -> None:
    assert u("department", "我晚上起来上厕所好几回") != "普通外科"  # 上起 is no 疝气


def test_poor_sleep_beside_vague_complaints_names_nothing() -> None:
    assert u("department", "头晕乎乎的，没力气，晚上睡不着") is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我妈在厨房摔了，爬不起来", True),
        ("那个时候我跌了一跤，后来在医院住了半个月", False),
    ],
)
def test_falls_of_the_third_pass(text: str, want: bool) -> None:
    assert u("emergency", text) is want


def test_as_soon_as_possible_is_no_preference_not_this_morning() -> None:
    assert u("when", "尽 早") == {"date": None, "session": None}


def test_may_day() -> None:
    assert u("when", "五一下午") == {"date": "2027-05-01", "session": "pm"}


# the eighth call trial ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("八点一刻", (8, 15)),
        ("明天早上七点三刻去市一院", (7, 45)),
        ("下午两点一刻", (14, 15)),
        ("十点过一刻", (10, 15)),
        ("八点差一刻", (7, 45)),
        ("十点过五分", (10, 5)),
    ],
)
def test_a_quarter_of_an_hour(text: str, want: tuple[int, int]) -> None:
    from app.understanding.when import parse_clock

    assert parse_clock(text) == want


@pytest.mark.parametrize(
    ("text", "to"),
    [("帮我喊个车克医院", "医院"), ("叫个车去医院看病", "医院"), ("叫车去云大医院", "云大医院")],
)
def test_a_car_to_the_hospital_at_the_menu_keeps_where_it_goes(text: str, to: str) -> None:
    assert u("menu", text) == {"want": "taxi_to", "to": to, "said": text}


@pytest.mark.parametrize("text", ["明天要去医院", "我要去医院"])
def test_going_to_the_hospital_with_no_car_and_no_registration_said_is_asked(text: str) -> None:
    assert u("menu", text) == {"want": "hospital_or_car", "said": text}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("明天去医院挂号", "hospital"),  # a registration said: not asked
        ("叫车不去医院", "taxi"),  # no hospital
        ("帮我叫个车", "taxi"),
    ],
)
def test_a_request_that_says_which_is_not_asked(text: str, value: str) -> None:
    assert u("menu", text) == value


def test_a_car_to_the_hospital_said_with_a_later_day_is_booked_ahead() -> None:
    text = "明天早上叫个车去医院"
    assert u("menu", text) == {"want": "ahead", "said": text}
