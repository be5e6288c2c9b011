"""Rules of the fifth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

THU = dt.date(2027, 9, 2)  # a Thursday; lunar 7-30 of 2027 (Mid-Autumn: 2027-09-15)


def u(kind: str, text: str, today: dt.date = THU) -> object:
    return understand(kind, text, today)


def on(text: str, today: dt.date = THU) -> tuple[str | None, str | None] | None:
    value = u("when", text, today)
    assert value is None or isinstance(value, dict)
    return None if value is None else (value["date"], value["session"])


# yes / no ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *("叫吧", "那就约嘛", "要叫 要叫", "要喽", "要嘞，快点来嘛"),
        *("要得嘛，赶紧", "么得问题", "嗯 要得 说得对"),
    ],
)
def test_the_verb_said_back_and_hurrying_after_a_yes_are_a_yes(text: str) -> None:
    assert u("yesno", text) == "yes"


@pytest.mark.parametrize(
    "text",
    ["怎么不要，我就等这个车", "不是不要，是要的", "不要我打电话来搞哪样", "不…不是不要，要的"],
)
def test_a_rhetorical_or_double_negation_is_a_yes(text: str) -> None:
    assert u("yesno", text) == "yes"


@pytest.mark.parametrize("text", ["么得必要", "没得必要了", "不必了"])
def test_no_need_is_a_no(text: str) -> None:
    assert u("yesno", text) == "no"


@pytest.mark.parametrize("text", ["等哈，我问下我儿子", "你说啥子，我听不见", "等一哈哈"])
def test_wait_a_moment_or_not_hearing_is_no_answer(text: str) -> None:
    assert u("yesno", text) == "unknown"


def test_wait_then_a_no_is_a_no() -> None:
    assert u("yesno", "等哈，先不要") == "no"


def test_misheard_said_after_a_correction_is_no_no() -> None:
    assert u("yesno", "不要，哦不是，要的，刚才我听错了") == "yes"


# intent ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["啥？", "么子？", "啊？？"])
def test_what_said_alone_as_a_question_asks_again(text: str) -> None:
    assert u("intent", text) == "repeat"


def test_a_lone_interjection_without_a_question_is_nothing() -> None:
    assert u("intent", "啊") == "unknown"


@pytest.mark.parametrize("text", ["你讲慢点嘛", "刚才你说的什么，我没跟上"])
def test_slower_or_what_was_that_asks_again(text: str) -> None:
    assert u("intent", text) == "repeat"


@pytest.mark.parametrize(
    "text",
    ["让你们那个孃孃来跟我说", "找个姑娘来听电话", "跟机器讲不清楚，我要找人"],
)
def test_a_staff_member_by_description_or_a_hard_machine_is_a_person(text: str) -> None:
    assert u("intent", text) == "operator"


@pytest.mark.parametrize("text", ["我想找个保姆", "找个医生帮我看看腰，帮我挂个号", "我姑娘来接我"])
def test_finding_a_helper_a_doctor_or_a_daughter_is_no_person_asked(text: str) -> None:
    assert u("intent", text) != "operator"


@pytest.mark.parametrize(
    "text",
    ["我约上号没有，前天打的电话", "我喊的车是不是订好了", "我订的那个车咋个没得动静"],
)
def test_did_it_go_through_is_a_query(text: str) -> None:
    assert u("intent", text) == "query"


@pytest.mark.parametrize("text", ["挂的号我想退掉，钱退回来", "那个号我要退"])
def test_wanting_the_fee_back_is_a_cancel(text: str) -> None:
    assert u("intent", text) == "cancel"


# department ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("内科都可以", "普通内科"),
        ("看妇女病", "妇科"),
        ("内分必", "内分泌科"),
        ("盲肠炎犯了要开刀", "普通外科"),
        ("专门看老年人的那个科", "老年医学科"),
        ("我儿媳妇要生了，看生小孩那个科", "产科"),
        ("尿节石，肚子这点疼", "泌尿外科"),
        ("皮 肤 科 哦 不 对 看 眼 睛", "眼科"),
        ("牙齿……不不不，是耳朵，耳朵嗡嗡响", "耳鼻喉科"),
    ],
)
def test_department_rules_of_the_round(text: str, want: str) -> None:
    assert u("department", text) == want


# when ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("八月十五", ("2027-09-15", None)),  # solar 8-15 has passed: the festival
        ("阴历八月初五", ("2027-09-05", None)),  # said as lunar: the next lunar 8-5
        ("农历八月二十，上午", ("2027-09-20", "am")),
        ("九月一号", ("2028-09-01", None)),  # 号: a solar date, even when past
        ("十月三号", ("2027-10-03", None)),
    ],
)
def test_a_month_and_day_past_this_year_is_read_lunar_when_near(
    text: str, want: tuple[str | None, str | None]
) -> None:
    assert on(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("寒露那天", ("2027-10-08", None)),
        ("霜 降 下 午", ("2027-10-23", "pm")),
        ("中球节过了第二天", ("2027-09-16", None)),
    ],
)
def test_solar_terms_and_festivals_heard_by_sound(
    text: str, want: tuple[str | None, str | None]
) -> None:
    assert on(text) == want


def test_snow_is_weather_unless_said_as_the_day() -> None:
    assert on("大雪那天") == ("2027-12-07", None)
    assert on("要下大雪了") is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("明早下午", ("2027-09-03", "pm")),
        ("后天不大后天，下午", ("2027-09-05", "pm")),
        ("礼拜五 哦 下个礼拜五 上午", ("2027-09-10", "am")),
        ("明天……哦不是，后天，后天下午", ("2027-09-04", "pm")),
        ("后天嘛，上午，我下午要去地里干活", ("2027-09-04", "am")),
    ],
)
def test_the_day_said_again_and_the_free_half_day_count(
    text: str, want: tuple[str | None, str | None]
) -> None:
    assert on(text) == want


# digits and emergencies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [("腰 动 三 气", "1037"), ("是三三幺洞", "3310"), ("最后那四个是两洞幺X，那个X是字母", "201X")],
)
def test_digit_sound_alikes_alone_and_the_x_explained(text: str, want: str) -> None:
    assert u("digits", text) == want


@pytest.mark.parametrize(
    "text",
    [
        "我爹从楼梯上滚下来了",
        "我老伴摔下床了",
        "他头上一直在流血",
        "遭蛇咬了，腿肿起来了",
        "摔了一跤，骨头都戳出来了",
    ],
)
def test_falls_bleeding_heads_bones_and_snakes_are_emergencies(text: str) -> None:
    assert u("emergency", text) is True


@pytest.mark.parametrize(
    "text",
    ["降压药我吃了好多年的药了", "上个礼拜我们村有人摔断了腿，已经送医院了"],
)
def test_years_of_medicine_and_a_neighbour_already_in_hospital_are_not(text: str) -> None:
    assert u("emergency", text) is False


# second pass (from n) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("有没有车来接我一下", "taxi"),
        ("帮我查下我的号", "query"),
        ("缴费的窗口人挤得很", "unknown"),
    ],
)
def test_intent_rules_of_the_second_pass(text: str, want: str) -> None:
    assert u("intent", text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("医生讲我心脏的血管窄了", "心血管内科"),
        ("嘴巴干，水喝得多，尿也多", "内分泌科"),
        ("胆囊里头长了石头", "普通外科"),
        ("膀胱里有石头", "泌尿外科"),
        ("看书字都模糊了", "眼科"),
        ("嗓子哑了", "耳鼻喉科"),
        ("手上长了些斑", "皮肤科"),
        ("中风以后要练走路", "康复科"),
        ("成天想些伤心的事", "精神心理科"),
    ],
)
def test_department_rules_of_the_second_pass(text: str, want: str) -> None:
    assert u("department", text) == want


def test_unwell_in_yunnan_words_names_no_department() -> None:
    assert u("department", "难过得很") is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("儿童节那天上午", ("2028-06-01", "am")),
        ("教师节", ("2027-09-10", None)),
        ("国庆的前一天", ("2027-09-30", None)),
    ],
)
def test_days_named_by_their_date_and_the_day_before_a_festival(
    text: str, want: tuple[str | None, str | None]
) -> None:
    assert on(text) == want


def test_me_between_digits_is_one_but_not_in_what() -> None:
    assert u("digits", "三 么 么 八") == "3118"
    assert u("digits", "你说什么") is None


@pytest.mark.parametrize("text", ["快点帮我打一二零", "我爹一边手脚动不得了"])
def test_asking_for_120_and_a_limb_that_will_not_move_are_emergencies(text: str) -> None:
    assert u("emergency", text) is True


def test_a_worry_about_some_day_is_no_emergency() -> None:
    assert u("emergency", "我担心哪天晕倒了没人管") is False


# the ninth call trial -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["突然站不住了，往一边倒", "我 一 下 子 走 路 打 偏 偏"])
def test_sudden_loss_of_balance_is_an_emergency(text: str) -> None:
    assert u("emergency", text) is True


def test_unsteady_for_years_is_not() -> None:
    assert u("emergency", "走路站不稳好多年了") is False


@pytest.mark.parametrize("text", ["我的车去哪里", "约的那个车去哪个医院"])
def test_where_does_my_car_go_is_a_question_about_it(text: str) -> None:
    assert u("intent", text) == "query"


# digits: the answer among other numbers (set r, read) ------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我八十三了，身份证后四位是六洞幺八", "6018"),
        ("我住十五号，尾号就是三三拐九", "3379"),
        ("我一九四八年的，后面四个是二五八洞", "2580"),
        ("电话是幺三九洞洞洞幺二三四五 后四位就是二三四五", "2345"),
        ("我家在三十号，号码七五四一，记到哈", "7541"),
    ],
)
def test_the_digits_announced_after_other_numbers_are_the_answer(text: str, want: str) -> None:
    assert u("digits", text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("后四位是要洞是酒", "1049"),  # sound-alikes only, after the announcement
        ("五 七 两 八 五 七 两 八", "5728"),  # said twice for certainty
        ("三十一 四十二", "3142"),  # in tens, between the recogniser's gaps
        ("叉在最后，前面是两洞九", "209X"),  # the X of an ID number is its last
        ("是洞洞幺两", "0012"),  # 是 opening the answer is no 四
    ],
)
def test_digit_sounds_repeats_tens_and_the_x(text: str, want: str) -> None:
    assert u("digits", text) == want


def test_an_eight_digit_landline_stays_whole() -> None:
    assert u("digits", "六五五五 幺二三四") == "65551234"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("叫车，不对不对，是挂号，我说错了", "hospital"),  # the words before the last 说错了
        ("我妈的号挂着没有", "query"),
        ("我姑娘明天开车来接我，不消你们", "unknown"),
        ("帮我查下天气预报", "unknown"),
    ],
)
def test_intent_rules_from_set_r(text: str, want: str) -> None:
    assert u("intent", text) == want


def test_two_complaints_said_with_also_name_no_single_department() -> None:
    assert u("department", "耳朵也不好，胃也不好") is None
