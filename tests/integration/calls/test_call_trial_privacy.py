"""What the simulated-call trial left on the call paths (issue 9, call safety), played as
whole calls through the real flows, understanding and database: one privacy rule for every
caller (no booking's hospital, department, day or hour, and no car's destination, before
the last four ID digits), whose car a caller hears about, and one way to say a day within
a call. Clock: Monday 2026-11-30 09:00 in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from support.calls import all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张奶奶 (张秀英): a home, an ID number on file
DAUGHTER = "+8613900000001"  # 李梅, 张秀英's daughter (女儿 on the family link)
HOSPITAL = "春城第一人民医院"
BOOK_CARDIOLOGY = ("2", "1", "1", "1")  # 挂号, 内科, 心血管内科, the earliest (Tue 8:00)


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _before(lines: list[str], marker: str) -> str:
    """What the hotline said before the first line containing `marker`."""
    index = next(i for i, line in enumerate(lines) if marker in line)
    return all_said(lines[:index])


def _daughter_books_her_mother_a_car_to_hospital(service: CallService) -> None:
    # 约车, tomorrow, 9:00, for her mother, 去医院, yes
    lines = call(service, DAUGHTER, "3", "2", "9", "1", "3", "1")
    assert "车约好了" in all_said(lines)


def _zhang_books_a_car_to_hospital(service: CallService) -> None:
    lines = call(service, ZHANG, "3", "2", "9", "3", "1")  # tomorrow 9:00, to her hospital
    assert "车约好了" in all_said(lines)


# --- 1. one privacy rule: nothing of a booking before the last four digits ----------------


@pytest.mark.parametrize("number", [DAUGHTER, ZHANG], ids=["relative", "patient"])
def test_the_greeting_names_no_relative_no_time_and_no_hospital(
    service: CallService, number: str
) -> None:
    _daughter_books_her_mother_a_car_to_hospital(service)
    lines = call(service, number, "hangup")
    greeting = lines[0]
    # whose car by the caller's own side (the eighth trial: not "您有" for her mother's
    # car), never the name, the time or the hospital
    whose = "您母亲" if number == DAUGHTER else "您"
    assert f"{whose}有一辆预约的车。" in greeting, lines
    for detail in ("张秀英", "9点", "明天", "医院"):
        assert detail not in greeting, greeting


@pytest.mark.parametrize(
    ("number", "booked"),
    [(DAUGHTER, _daughter_books_her_mother_a_car_to_hospital),
     (ZHANG, _zhang_books_a_car_to_hospital)],
    ids=["relative", "self"],
)
def test_the_booked_cars_are_read_only_after_the_riders_last_four_digits(
    service: CallService, db: Database, number: str, booked: object
) -> None:
    assert callable(booked)
    booked(service)
    lines = call(service, number, "3", "1", last_four(db), "hangup")
    asked = _before(lines, "身份证号的最后4位")
    assert HOSPITAL not in asked and "9点" not in asked and "张秀英" not in asked
    assert "请输入坐车人身份证号" in all_said(lines) or "请输入您身份证号" in all_said(lines)
    after = all_said(lines[next(i for i, line in enumerate(lines) if "最后4位" in line):])
    assert f"明天上午9点，到她家接的车，去{HOSPITAL}" in after or (
        f"明天上午9点，到家接的车，去{HOSPITAL}" in after
    ), lines


def test_wrong_last_four_digits_read_nothing_of_the_booked_car(
    service: CallService, db: Database
) -> None:
    _daughter_books_her_mother_a_car_to_hospital(service)
    right = last_four(db)
    wrong = "1111" if right != "1111" else "2222"
    lines = call(service, DAUGHTER, "3", "1", wrong, wrong, wrong)
    assert HOSPITAL not in all_said(lines) and "9点" not in all_said(lines), lines
    assert "[转接人工" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


def test_a_booked_car_given_up_at_the_menu_is_read_back_only_after_the_check(
    service: CallService, db: Database
) -> None:
    _zhang_books_a_car_to_hospital(service)
    lines = call(service, ZHANG, "明天的车不要了", last_four(db), "8")
    assert "9点" not in _before(lines, "身份证号的最后4位")
    assert "明天上午9点的车要取消吗" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


def test_the_one_key_taxi_home_stays_one_key_with_a_car_booked(
    service: CallService, db: Database
) -> None:
    _zhang_books_a_car_to_hospital(service)
    lines = call(service, ZHANG, "1", "1")
    assert "最后4位" not in all_said(lines)
    assert "车已经叫了" in all_said(lines)
    assert sorted(r.status for r in rides(db)) == sorted(
        [RideStatus.SCHEDULED, RideStatus.QUEUED]
    )


def test_the_same_department_question_names_no_day_or_hospital_before_the_check(
    service: CallService,
) -> None:
    call(service, ZHANG, *BOOK_CARDIOLOGY, "2")  # booked for tomorrow 8:00, no car
    lines = call(service, ZHANG, "2", "1", "1", "1", "hangup")  # a new one, 心血管内科 again
    question = next(line for line in lines if "还要再挂一个" in line)
    assert question.startswith("热线：您已经挂了号。还要再挂一个心血管内科的号")
    assert HOSPITAL not in question and "8点" not in question and "明天" not in question


# --- 2. whose car ---------------------------------------------------------------------------


def test_a_car_now_ordered_by_the_daughter_is_hers_to_the_mother_and_her_mothers_to_her(
    service: CallService,
) -> None:
    ordered = call(service, DAUGHTER, "1", "1", "1")  # a car now, for her mother, home
    assert "车已经叫了" in all_said(ordered)
    mother = call(service, ZHANG, "hangup")
    assert "您女儿为您叫的车，正在为您派车" in all_said(mother), mother
    assert not any(line.startswith("热线：您叫的车") for line in mother)
    daughter = call(service, DAUGHTER, "hangup")
    assert "正在为您母亲派车" in all_said(daughter), daughter
    assert "正在为您派车" not in all_said(daughter)


def test_a_car_booked_by_the_daughter_is_said_to_be_from_her(
    service: CallService, db: Database
) -> None:
    _daughter_books_her_mother_a_car_to_hospital(service)
    lines = call(service, ZHANG, "3", "1", last_four(db), "hangup")
    assert f"您女儿为您约了明天上午9点，到家接的车，去{HOSPITAL}。" in all_said(lines), lines
    assert "您预约了" not in all_said(lines)


def test_a_booking_the_daughter_made_is_said_to_be_from_her(
    service: CallService, db: Database
) -> None:
    booked = call(service, DAUGHTER, "2", "1", last_four(db), "1", "1", "1", "2")
    assert "挂好了" in all_said(booked)
    lines = call(service, ZHANG, "2", "hangup")
    assert "您女儿为您挂了一个号。" in all_said(lines), lines
    assert "您已经挂了" not in all_said(lines)


# --- 5. one way to say a day in a call --------------------------------------------------------


def test_the_cancel_question_says_the_day_as_the_offer_did(
    service: CallService, db: Database
) -> None:
    offered = call(service, ZHANG, *BOOK_CARDIOLOGY, "2")
    assert "明天星期二上午8点" in all_said(offered)
    lines = call(service, ZHANG, "2", "2", last_four(db), "8", "hangup")
    assert "要取消明天星期二上午8点心血管内科的号" in all_said(lines), lines
    assert "12月1号" not in all_said(lines)


# --- 7. "莫整了" at "这辆车要取消吗？" is "don't" ---------------------------------------------


@pytest.mark.parametrize("words", ["莫整了", "算了", "不"])
def test_never_mind_at_the_cancel_question_keeps_the_car_without_a_person(
    service: CallService, db: Database, words: str
) -> None:
    call(service, ZHANG, "1", "1")  # a car now
    lines = call(service, ZHANG, "8", words, "8", words, "hangup")
    assert "[转接人工" not in all_said(lines), lines
    assert all_said(lines).count("好的，车给您留着。") == 2
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


def test_never_mind_at_a_booked_cars_cancel_question_keeps_it(
    service: CallService, db: Database
) -> None:
    _zhang_books_a_car_to_hospital(service)
    lines = call(service, ZHANG, "3", "1", last_four(db), "8", "莫整了", "hangup")
    assert "[转接人工" not in all_said(lines) and "好的，车给您留着。" in all_said(lines), lines
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


# --- 8. a complaint at the second department menu -----------------------------------------------


def test_dizziness_at_the_second_department_menu_asks_the_dizziness_question(
    service: CallService,
) -> None:
    lines = call(service, ZHANG, "2", "1", "头晕", "hangup")  # 挂号, 内科, then 头晕
    assert "头晕的时候，还有哪里不舒服" in all_said(lines), lines
    assert "没有听明白" not in all_said(lines)


def test_a_complaint_at_the_second_department_menu_reaches_its_department(
    service: CallService,
) -> None:
    lines = call(service, ZHANG, "2", "1", "咳嗽", "hangup")
    answer = next(
        line for line in lines[lines.index("来电者：咳嗽"):] if line.startswith("热线")
    )
    assert "呼吸内科" in answer, lines
    assert "没有听明白" not in all_said(lines)


# --- 9. menus start at key 1 and say what "more" is ---------------------------------------------


def test_the_place_menu_after_not_home_starts_at_key_1(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "1", "2", "1", "1")  # a car now, not home, key 1, yes
    menu = next(line for line in lines if "在哪里接" in line)
    assert "在女儿家，请按1" in menu and "按2" in menu, menu
    assert "请按3" not in menu
    assert any("车到女儿家接您" in line for line in lines), lines
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


def test_the_status_menu_has_no_page_of_one_choice(service: CallService) -> None:
    # Tenth trial: "约车等更多的事，请按9" led to a page with 约车 alone; 约车 is said.
    call(service, ZHANG, "1", "1")
    lines = call(service, ZHANG, "", "hangup")  # the question, then its re-prompt
    menus = [line for line in lines if "取消叫车" in line]
    assert menus and not any("按9" in line for line in menus), menus
    assert "要约以后的车，请直接说" in menus[0], menus


# --- 3. a car booked after the visit, too late for it ----------------------------------------


def _visit_then_late_car(service: CallService, *answer: str) -> list[str]:
    booked = call(service, ZHANG, *BOOK_CARDIOLOGY, "2")  # tomorrow 8:00, no car
    assert "挂好了" in all_said(booked)
    # then a car tomorrow 9:00 to her hospital (too late for 8:00), and the answer (the
    # earlier car is offered after her last four digits)
    return call(service, ZHANG, "3", "2", "9", "3", "1", *answer)


def _booked_pickups(db: Database) -> list[datetime]:
    return sorted(
        local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED
    )


def test_a_car_booked_after_the_visit_and_too_late_is_flagged_and_replaced_on_1(
    service: CallService, db: Database
) -> None:
    lines = _visit_then_late_car(service, last_four(db), "1")
    question = next(line for line in lines if "换成" in line)
    # Asked before the 9:00 car is booked (tenth trial): nothing to cancel afterwards.
    assert "明天上午9点的车赶不上您看病的号。" in question
    assert "换成明天早上7点15分到家接、送到春城第一人民医院的车，请按1。" in question
    assert "车约好了：明天早上7点15分" in all_said(lines), lines
    assert _booked_pickups(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]
    with db.session() as session:
        (trip,) = session.scalars(select(HospitalTrip)).all()
        ride = session.get(Ride, trip.ride_id)
        assert ride is not None and ride.status == RideStatus.SCHEDULED


@pytest.mark.parametrize("answer", ["2", "hangup"])
def test_a_late_car_kept_stays_the_only_car_and_is_not_asked_about_again(
    service: CallService, db: Database, answer: str
) -> None:
    # 2 keeps the time (its read-back confirmed with 1); a hang-up before the answer books
    # nothing (the car is asked about before it is booked, tenth trial).
    typed = (last_four(db), answer, "1") if answer != "hangup" else (answer,)
    lines = _visit_then_late_car(service, *typed)
    assert any("这辆车的时间要再核对一下" in line for line in lines), lines
    if answer == "hangup":
        assert _booked_pickups(db) == []
        return
    assert _booked_pickups(db) == [datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)]
    # Kept knowingly: remembered on the ride (joined to the visit), not flagged again at
    # every call (trial eleven).
    later = call(service, ZHANG, "hangup")
    assert "核对一下" not in later[0] and "看病" not in later[0], later
    with db.session() as session:
        (trip,) = session.scalars(select(HospitalTrip)).all()
        assert trip.joined


def test_a_car_in_time_for_the_visit_is_not_flagged(service: CallService, db: Database) -> None:
    call(service, ZHANG, *BOOK_CARDIOLOGY, "2")  # tomorrow 8:00, no car
    lines = call(service, ZHANG, "3", "2", "7", "3", "1")  # a 7:00 car: in time
    assert "赶不上" not in all_said(lines)
    assert "赶不上" not in call(service, ZHANG, "hangup")[0]


# --- 4. a second car for the same morning is never booked silently --------------------------


def _second_car_same_morning(service: CallService, db: Database, *answer: str) -> list[str]:
    first = call(service, ZHANG, "3", "2", "7", "3", "1")  # tomorrow 7:00, 去医院
    assert "车约好了" in all_said(first)
    # 约车, last four, another car (3), tomorrow (2), 10:00, 去医院 (3), yes: a second car
    return call(service, ZHANG, "3", "1", last_four(db), "3", "2", "10", "3", "1", *answer)


def test_a_second_car_for_the_same_morning_is_asked_about(
    service: CallService, db: Database
) -> None:
    lines = _second_car_same_morning(service, db, "hangup")
    question = next(line for line in lines if "已经约了一辆车" in line)
    assert question.startswith("热线：明天上午已经约了一辆车。"), question
    assert "两辆都要，请按1。只要这一辆，原来那辆不要了，请按2。" in question
    assert _booked_pickups(db) == [datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ)]


def test_both_cars_kept_on_1(service: CallService, db: Database) -> None:
    lines = _second_car_same_morning(service, db, "1")
    assert any(line.startswith("热线：好的，车约好了") for line in lines), lines
    assert _booked_pickups(db) == [
        datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ),
        datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL_TZ),
    ]


def test_this_car_instead_on_2_then_yes(service: CallService, db: Database) -> None:
    lines = _second_car_same_morning(service, db, "2", "1")
    assert any("原来明天上午的那辆车取消，只要这一辆，对吗？" in line for line in lines), lines
    assert _booked_pickups(db) == [datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL_TZ)]


def test_never_mind_at_the_second_car_keeps_only_the_first(
    service: CallService, db: Database
) -> None:
    _second_car_same_morning(service, db, "算了", "hangup")
    assert _booked_pickups(db) == [datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ)]


def test_a_car_for_the_afternoon_is_not_asked_about(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "2", "7", "1")  # tomorrow 7:00
    lines = call(service, ZHANG, "3", "1", last_four(db), "2", "下午两点", "1")
    assert "已经约了一辆车" not in all_said(lines)
    assert len(_booked_pickups(db)) == 2


# --- 6. taking the car keeps the arrival lead: the car's time, said plainly ------------------


def test_taking_the_car_says_when_to_wait_for_it(service: CallService) -> None:
    declined = call(service, ZHANG, *BOOK_CARDIOLOGY, "2")
    assert "提前半小时到" in declined[-2] or "提前半小时到" in all_said(declined)
    taken = call(service, "+8613800000002", *BOOK_CARDIOLOGY, "1")  # another caller, a car
    ending = next(line for line in taken if "车约好了" in line)
    assert "带上身份证，明天早上7点15分在家等车。" in ending, ending


def test_a_relative_taking_the_car_hears_when_the_patient_waits_for_it(
    service: CallService, db: Database
) -> None:
    lines = call(service, DAUGHTER, "2", "1", last_four(db), "1", "1", "1", "1")
    ending = next(line for line in lines if "车约好了" in line)
    assert "请您母亲带上身份证，明天早上7点15分在家等车。" in ending, ending


def test_a_car_to_hospital_does_not_name_the_booked_hospital_before_the_check(
    service: CallService, db: Database
) -> None:
    caller = "+8613800000003"  # a home, no saved hospital, an ID number on file
    assert "挂好了" in all_said(call(service, caller, *BOOK_CARDIOLOGY, "2"))  # tomorrow 8:00
    lines = call(service, caller, "3", "2", "7", "3", "1")  # a 7:00 car, 去医院, yes
    assert HOSPITAL not in all_said(lines), lines
    assert any("接您去医院，对吗？" in line for line in lines), lines
    (ride,) = [r for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert ride.destination == HOSPITAL  # kept in full for the operator and the driver
