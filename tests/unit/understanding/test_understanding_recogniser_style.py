"""Rules added for sentences as a recogniser writes them and as other people say them.

Each test states one rule with sentences written for the rule (not taken from the
independent sets in tests/data/understanding, which measure it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

MON = dt.date(2026, 11, 30)  # a Monday


def u(kind: str, text: str) -> object:
    return understand(kind, text, MON)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("department", "心 内 科", "心血管内科"),
        ("department", "我 这 几 天 拉 肚 子", "消化内科"),
        ("intent", "我 想 叫 个 出 租 车", "taxi"),
        ("intent", "帮 我 挂 个 号", "hospital"),
        ("yesno", "是 的 是 的", "yes"),
    ],
)
def test_a_space_between_chinese_words_is_not_a_pause(kind: str, text: str, value: object) -> None:
    assert u(kind, text) == value


@pytest.mark.parametrize(
    "text", ["我叫的车咋个还没来", "司机师傅还有好久到", "我那个号是几点的", "我约的号约上了没有"]
)
def test_a_question_about_the_car_or_the_booking_is_a_status_query(text: str) -> None:
    assert u("intent", text) == "query"


@pytest.mark.parametrize("text", ["换个人来跟我说", "有没有人接电话嘛", "你们值班的在不在"])
def test_asking_for_someone_is_asking_for_a_person(text: str) -> None:
    assert u("intent", text) == "operator"


@pytest.mark.parametrize("text", ["大声一点嘛", "我耳朵不好，你再来一遍"])
def test_not_having_heard_is_a_request_to_repeat(text: str) -> None:
    assert u("intent", text) == "repeat"


@pytest.mark.parametrize(
    "text",
    [
        "我侄儿在开滴滴",
        "我女婿是医生",
        "上次看病的时候人多得很",
        "医生讲我要多走路",
        "让他回家吃饭",
        "帮我查下电费",
    ],
)
def test_a_mention_or_a_story_is_not_a_request(text: str) -> None:
    assert u("intent", text) == "unknown"


def test_a_hospital_visit_as_the_reason_for_a_taxi_is_a_taxi() -> None:
    assert u("intent", "帮我叫个车，我要去医院拿药") == "taxi"
    assert u("intent", "我要去医院拿药") == "hospital"  # alone: still a hospital request


def test_the_car_not_to_be_sent_is_a_cancel() -> None:
    assert u("intent", "车莫派了") == "cancel"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("装过两个支架，要复查", "心血管内科"),
        ("肾结石，腰也疼", "泌尿外科"),
        ("外孙女快生了，要建档", "产科"),
        ("做了胃镜说是胃炎", "消化内科"),
    ],
)
def test_a_named_condition_beats_complaints_and_a_child_word(text: str, value: str) -> None:
    assert u("department", text) == value


def test_a_name_said_as_written_beats_a_sound_alike_overlapping_it() -> None:
    assert u("department", "我想看妇科") == "妇科"  # 看妇科 ~ 康复科


@pytest.mark.parametrize("text", ["人不舒服", "浑身没劲", "看个内科"])
def test_vague_malaise_or_an_umbrella_name_gives_no_department(text: str) -> None:
    assert u("department", text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("后六位是一二三四五六", "123456"),
        ("最后四个：八八八八", "8888"),
        ("三个九", "999"),
        ("一个五两个零", "500"),
        ("前面是两三，最后一个是叉", "23X"),
    ],
)
def test_announced_counts_and_repeated_digits(text: str, value: str) -> None:
    assert u("digits", text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("不是……哦不是，是的是的", "yes"),
        ("是的哦不是", "no"),
        ("对对，哦不对不对", "no"),
        ("对了，我想起来我孙子要来", "unknown"),
        ("对了对了", "yes"),
    ],
)
def test_a_corrected_answer_counts_as_corrected(text: str, value: str) -> None:
    assert u("yesno", text) == value


def test_a_corrected_session_keeps_the_day() -> None:
    assert u("when", "明天下午，哦不，上午，下午我有事") == {"date": "2026-12-01", "session": "am"}
    assert u("when", "明天上午，哦不，后天") == {"date": "2026-12-02", "session": None}


def test_next_week_said_after_the_weekday_moves_it_a_week() -> None:
    assert u("when", "星期四上午，下个礼拜的") == {"date": "2026-12-10", "session": "am"}
