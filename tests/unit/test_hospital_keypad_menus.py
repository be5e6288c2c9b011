"""Keypad menus of the hospital flow: three choices at a time, the key before the detail,
departments grouped so that every one is reachable; relatives named from the caller's
side; an ID number read back digit by digit in groups of four."""

from __future__ import annotations

from datetime import date, time

import pytest

from app.hospital import keypad_menus as menus
from app.hospital.call_actions import spoken_id
from app.hospital.patients import patient_to_caller
from app.hospital.rules import spoken_clock, spoken_visit_day

DEMO_DEPARTMENTS = [
    "心血管内科", "呼吸内科", "消化内科", "神经内科", "内分泌科",
    "骨科", "眼科", "耳鼻喉科", "中医科", "老年医学科",
]


def test_every_department_is_in_exactly_one_group_of_at_most_three_pages() -> None:
    groups = menus.department_groups(DEMO_DEPARTMENTS)
    assert list(groups) == ["内科", "外科", "其他科"]
    members = [name for group in groups.values() for name in group]
    assert sorted(members) == sorted(DEMO_DEPARTMENTS)
    assert groups["外科"] == ["骨科"]
    assert menus.department_group("普外科") == "外科"
    assert menus.department_group("皮肤科") == "其他科"


def test_a_group_without_departments_is_left_out() -> None:
    assert list(menus.department_groups(["眼科", "骨科"])) == ["外科", "其他科"]


def test_pages_hold_three_and_wrap_around() -> None:
    items = list("abcdefg")
    assert [menus.page(items, n) for n in range(4)] == [
        ["a", "b", "c"], ["d", "e", "f"], ["g"], ["a", "b", "c"],
    ]
    assert menus.chosen(items, 1, "2") == "e" and menus.chosen(items, 2, 2) is None
    assert menus.chosen(items, 0, "x") is None and menus.chosen(items, 0, 4) is None


def test_a_menu_says_the_key_first_and_nine_for_more() -> None:
    assert menus.menu_text(["骨科"]) == "按1，骨科"
    text = menus.menu_text(["心血管内科", "呼吸内科", "消化内科"], more="更多的科")
    assert text == "按1，心血管内科；按2，呼吸内科；按3，消化内科；更多的科，按9"
    assert menus.more_label(list("abcd"), 0, "更多") == "更多"
    assert menus.more_label(list("abcd"), 1, "更多") == "从头再听"
    assert menus.more_label(list("abc"), 0, "更多") is None


@pytest.mark.parametrize(
    ("relation", "gender", "words"),
    [
        ("女儿", "F", "您母亲"),
        ("儿子", "M", "您父亲"),
        ("孙女", "F", "您奶奶"),
        ("家庭医生", None, "您签约居民"),
        ("女儿", None, "您家人"),
        ("朋友", "F", "您家人"),
    ],
)
def test_a_relative_is_named_from_the_callers_side(
    relation: str, gender: str | None, words: str
) -> None:
    assert patient_to_caller(relation, gender) == words


def test_an_id_number_is_read_back_in_groups_of_four_digit_by_digit() -> None:
    assert spoken_id("53010219460312123X") == "五三零一，零二一九，四六零三，一二一二，三叉"


def test_days_and_times_are_said_the_short_way() -> None:
    today = date(2026, 11, 30)
    assert spoken_visit_day(date(2026, 12, 1), today) == "明天星期二"
    assert spoken_visit_day(date(2026, 12, 2), today) == "后天星期三"
    assert spoken_visit_day(date(2026, 12, 3), today) == "12月3号星期四"
    assert spoken_clock(time(14, 20)) == "2点20分" and spoken_clock(time(8, 0)) == "8点"
