"""Focused rules of the understanding layer; each test name states the rule."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import KINDS, NOTHING, understand
from app.understanding.fuzzy import char_key

WED = dt.date(2025, 6, 18)  # a Wednesday


def u(kind: str, text: str, today: dt.date = WED) -> object:
    return understand(kind, text, today)


# --- yes / no -----------------------------------------------------------------------------

def test_mo_de_wen_ti_means_yes() -> None:
    assert u("yesno", "莫得问题") == "yes"
    assert u("yesno", "冇得问题嘛") == "yes"


def test_mo_de_alone_means_no() -> None:
    assert u("yesno", "莫得") == "no"


def test_bu_huo_means_no_and_huo_le_means_yes() -> None:
    assert u("yesno", "不活") == "no"
    assert u("yesno", "活勒") == "yes"


@pytest.mark.parametrize("text", ["是喽嘛", "要得", "对头", "好喽嘛", "是噢", "要呢"])
def test_kunming_yes_forms_mean_yes(text: str) -> None:
    assert u("yesno", text) == "yes"


@pytest.mark.parametrize("text", ["不消", "不得行", "整不得", "莫要", "毛要"])
def test_kunming_no_forms_mean_no(text: str) -> None:
    assert u("yesno", text) == "no"


def test_sentence_final_shi_complaint_is_not_yes() -> None:
    assert u("yesno", "你们这个电话难打得很是") == "unknown"


def test_gei_shi_question_is_not_an_answer() -> None:
    assert u("yesno", "给是明天") == "unknown"


def test_repeated_bu_shi_is_no_not_a_question() -> None:
    assert u("yesno", "不是不是") == "no"


def test_no_inside_a_long_unrelated_sentence_is_not_an_answer() -> None:
    assert u("yesno", "好久没有人打电话来了") == "unknown"


def test_correction_after_no_stays_no() -> None:
    assert u("yesno", "不对，是后天") == "no"


def test_single_sound_alike_answer_is_understood() -> None:
    assert u("yesno", "四喽") == "yes"  # 是喽 heard as 四喽 (s/sh)


# --- intent -------------------------------------------------------------------------------

def test_han_che_means_call_a_taxi() -> None:
    assert u("intent", "喊个车嘛") == "taxi"


def test_operator_request_wins_over_everything() -> None:
    assert u("intent", "叫车叫不来，转人工") == "operator"


def test_cancel_wins_over_taxi_words() -> None:
    assert u("intent", "取消叫车") == "cancel"


def test_taxi_and_booking_together_is_unknown() -> None:
    assert u("intent", "叫车还是挂号我也搞不清") == "unknown"


def test_department_name_alone_means_hospital() -> None:
    assert u("intent", "我想挂心内科") == "hospital"


def test_homophone_of_gua_hao_means_hospital() -> None:
    assert u("intent", "瓜号") == "hospital"


def test_grandchild_news_is_not_a_booking() -> None:
    assert u("intent", "我孙子考上大学了") == "unknown"


# --- department ---------------------------------------------------------------------------

def test_dizziness_is_ambiguous_so_no_department() -> None:
    assert u("department", "头晕") is None
    assert u("department", "脑壳晕得很") is None


def test_dizziness_with_numb_hands_is_neurology() -> None:
    assert u("department", "头晕，手麻") == "神经内科"


def test_xin_lei_ke_is_heard_for_xin_nei_ke() -> None:
    assert u("department", "心累科") == "心血管内科"


def test_dialect_body_words_find_the_symptom() -> None:
    assert u("department", "屙肚子") == "消化内科"
    assert u("department", "腰杆疼") == "骨科"
    assert u("department", "牙齿疼") == "口腔科"


def test_umbrella_name_alone_is_no_department_but_its_group() -> None:
    # 内科 covers many departments: no guess, the flow reads the internal-medicine list.
    assert u("department", "内科") is None
    assert u("department", "挂 个 外科 嘛") is None
    assert u("clarify:department", "内科") == "internal"
    assert u("clarify:department", "挂 个 外科 嘛") == "surgery"
    assert u("clarify:department", "内科还是外科我也不晓得") is None
    assert u("clarify:department", "消化内科") is None  # a department: nothing to ask


def test_fever_and_cough_is_respiratory_not_general() -> None:
    assert u("department", "发烧咳嗽") == "呼吸内科"


def test_symptoms_of_two_departments_are_ambiguous() -> None:
    assert u("department", "咳嗽，拉肚子") is None


def test_child_patient_goes_to_paediatrics() -> None:
    assert u("department", "小孙子发烧") == "儿科"


def test_negated_department_name_is_dropped() -> None:
    assert u("department", "不是眼科，是牙科") == "口腔科"


# --- when ---------------------------------------------------------------------------------

def test_next_weekday_rolls_over_year_end() -> None:
    tue = dt.date(2025, 12, 30)
    assert u("when", "礼拜五", tue) == {"date": "2026-01-02", "session": None}
    assert u("when", "下礼拜一上午", tue) == {"date": "2026-01-05", "session": "am"}


def test_plain_weekday_is_the_next_one_after_today() -> None:
    assert u("when", "礼拜三") == {"date": "2025-06-25", "session": None}
    assert u("when", "礼拜四") == {"date": "2025-06-19", "session": None}


def test_day_of_month_already_past_means_next_month() -> None:
    assert u("when", "十五号") == {"date": "2025-07-15", "session": None}


def test_day_missing_from_next_month_skips_to_a_month_that_has_it() -> None:
    assert u("when", "三十一号", dt.date(2025, 6, 18)) == {"date": "2025-07-31", "session": None}
    assert u("when", "二十九号", dt.date(2025, 2, 27)) == {"date": "2025-03-29", "session": None}


def test_month_day_already_past_means_next_year() -> None:
    assert u("when", "五月一号") == {"date": "2026-05-01", "session": None}


def test_ming_zao_is_tomorrow_morning() -> None:
    assert u("when", "明早") == {"date": "2025-06-19", "session": "am"}


def test_bare_two_oclock_is_afternoon_and_a_bit_earlier_is_not_one_oclock() -> None:
    assert u("when", "两点钟") == {"date": None, "session": "pm"}
    assert u("when", "明天早一点") == {"date": "2025-06-19", "session": None}


def test_misheard_time_words_are_repaired_by_pinyin() -> None:
    assert u("when", "名天上午") == {"date": "2025-06-19", "session": "am"}


def test_vague_time_gives_no_date_but_is_not_nothing() -> None:
    assert u("when", "过几天") == {"date": None, "session": None}


def test_nothing_temporal_gives_none() -> None:
    assert u("when", "我家猫跑了") is None


# --- digits and choice --------------------------------------------------------------------

def test_phone_digit_words_yao_liang_dong_guai_gou() -> None:
    assert u("digits", "幺两洞拐勾") == "12079"


def test_id_check_letter_said_as_cha_or_typed_star() -> None:
    assert u("digits", "五三零一零三幺九四八一二一二零零二叉") == "53010319481212002X"
    assert u("digits", "5301 0319 4812 1200 2*") == "53010319481212002X"


def test_sound_alike_digit_counts_only_between_digits() -> None:
    assert u("digits", "幺三八腰二") == "13812"
    assert u("digits", "我要幺三八") == "138"


def test_words_built_with_yi_are_not_digits() -> None:
    assert u("digits", "等一下，我找一下") is None


def test_choice_ordinals_and_liang_hao() -> None:
    assert u("choice", "第二个") == 2
    assert u("choice", "两号") == 2
    assert u("choice", "2") == 2
    assert u("choice", "第二个还是第三个") is None


# --- general ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_empty_and_out_of_domain_give_nothing(kind: str) -> None:
    nothing = NOTHING[kind]
    assert u(kind, "") == nothing
    assert u(kind, "我家猫跑了") == nothing


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        u("colour", "红")


def test_pinyin_folding_merges_southwestern_confusions() -> None:
    pairs = ["内累", "男蓝", "山商", "民明", "亲轻", "知资", "吃词", "是四", "飞黑", "女里", "歌锅"]
    for a, b in pairs[:-1]:
        assert char_key(a) == char_key(b), (a, b)
    assert char_key("哥") == "go"
