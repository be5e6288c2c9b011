"""What the eighth simulated-call trial found on the taxi call paths and the top menus
(calls against the demo data, Monday 2026-11-30 09:00 in Kunming), played as whole calls
through the real flows, understanding and database: the late-car warning says nothing of
a visit before the last four ID digits; a car replaced by a relative is told to its rider;
"车不要了" at the first menu reaches the booked car's cancel; the place menu and the
"more" page keep to the keys they offer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment
from app.notify.models import OutboxMessage
from app.taxi.enums import RideStatus
from support.booked import book_ride, kunming
from support.calls import all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英: a home, an ID number, a saved hospital
DAUGHTER = "+8613900000001"  # 李梅, 张秀英's daughter
ZHAO = "+8613800000004"  # 赵德明: a home and one other place, 儿子家
BOOK_CARDIOLOGY = ("2", "1", "1", "1")  # 挂号, 内科, 心血管内科, the earliest (Tue 8:00)


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _until(lines: list[str], marker: str) -> str:
    """What was said before the first line containing `marker` (all of it if none)."""
    index = next((i for i, line in enumerate(lines) if marker in line), len(lines))
    return all_said(lines[:index])


def _scheduled(db: Database) -> list[datetime]:
    return sorted(local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED)


def _outbox_to(db: Database, number: str) -> list[str]:
    with db.session() as session:
        return [
            m.body
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.to_number == number
        ]


def _visit_booked(service: CallService) -> None:
    booked = call(service, ZHANG, *BOOK_CARDIOLOGY, "2")  # tomorrow 8:00, no car
    assert "挂好了" in all_said(booked)


# --- 1. the late-car warning says no visit before the last four digits -------------------


LATE_CAR = {
    "patient": (ZHANG, ("3", "2", "9", "3", "1")),  # tomorrow 9:00, to her hospital
    "relative": (DAUGHTER, ("3", "2", "9", "1", "3", "1")),  # the same, for her mother
}


@pytest.mark.parametrize("who", list(LATE_CAR))
def test_the_late_car_warning_tells_no_visit_before_the_last_four(
    service: CallService, db: Database, who: str
) -> None:
    _visit_booked(service)
    number, turns = LATE_CAR[who]
    lines = call(service, number, *turns, last_four(db), "1")
    before = _until(lines, "身份证号的最后4位")
    warning = next(line for line in lines if "这辆车的时间要再核对一下" in line)
    assert "医院" not in warning, warning
    for detail in ("看病", "7点15分", "8点"):  # trial eleven: no visit at all before them
        assert detail not in before, before
    asked = next(line for line in lines if "身份证号的最后4位" in line)
    assert ("坐车人身份证号" in asked) == (who == "relative"), asked
    after = all_said(lines)[len(before):]
    assert "换成明天早上7点15分" in after, after
    assert _scheduled(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]


# --- 3. a relative taking the earlier car for the parent hears whose home ------------------
# (Since the tenth trial the late car is asked about before it is booked: no car of the
# parent's is replaced, so there is nothing to tell her of a change.)


def test_a_relative_taking_the_earlier_car_hears_whose_home(
    service: CallService, db: Database
) -> None:
    _visit_booked(service)
    lines = call(service, DAUGHTER, *LATE_CAR["relative"][1], last_four(db), "1")
    booked = next(line for line in lines if "车约好了" in line)
    assert "到您母亲家接她" in booked, booked
    assert _scheduled(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]


# --- 2. a cancel said at the first menu -----------------------------------------------------


@pytest.mark.parametrize("number", [ZHANG, DAUGHTER], ids=["rider", "relative"])
def test_car_not_wanted_at_the_first_menu_reads_it_back_after_the_check(
    service: CallService, db: Database, number: str
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # tomorrow 9:00 from home
    assert _scheduled(db) == [datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)]
    lines = call(service, number, "车不要了", last_four(db), "8")
    said = all_said(lines)
    assert "请稍等，工作人员" not in said, lines
    assert "9点" not in _until(lines, "身份证号的最后4位")
    assert "明天上午9点，到家接的车" in said or "明天上午9点，到她家接的车" in said, lines
    assert "的车要取消吗" in said
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


@pytest.mark.parametrize("words", ["明天的号不要了", "我要退号"])
def test_a_booking_given_up_at_the_first_menu_is_read_back_after_the_check(
    service: CallService, db: Database, words: str
) -> None:
    _visit_booked(service)
    lines = call(service, ZHANG, words, last_four(db), "8", "8")
    said = all_said(lines)
    assert "请稍等，工作人员" not in said, lines
    assert "身份证号的最后4位" in _until(lines, "心血管内科")
    assert "要取消明天星期二上午8点心血管内科的号" in said
    assert "这个号已经取消了" in said
    with db.session() as session:
        assert [a.status for a in session.scalars(select(Appointment))] == [
            AppointmentStatus.CANCELLED
        ]


def test_with_a_car_and_a_booking_the_caller_is_asked_which(
    service: CallService, db: Database
) -> None:
    _visit_booked(service)
    call(service, ZHANG, "3", "2", "下午三点", "1")  # tomorrow 15:00 from home
    lines = call(service, ZHANG, "车不要了", "1", last_four(db), "8")
    assert any("要取消约的车，请按1。要取消挂的号，请按2" in line for line in lines), lines
    assert "下午3点的车已经取消了" in all_said(lines)
    assert _scheduled(db) == []


@pytest.mark.parametrize("words", ["车不要了", "我要退号"])
def test_nothing_to_cancel_is_said_plainly(service: CallService, words: str) -> None:
    lines = call(service, ZHANG, words, "hangup")
    said = all_said(lines)
    assert "没有找到您预约的车，也没有找到您挂的号" in said, lines
    assert "请稍等，工作人员" not in said


# --- 7. keys the place menu does not offer ------------------------------------------------


@pytest.mark.parametrize("key", ["3", "5", "2"])
def test_a_key_the_place_menu_does_not_offer_is_asked_again(
    service: CallService, db: Database, key: str
) -> None:
    lines = call(service, ZHAO, "1", "2", key, "1", "1")  # a car now, not home, ?, 儿子家
    pressed = lines.index(f"来电者：{key}", next(i for i, x in enumerate(lines) if "在哪里接" in x))
    answer = next(line for line in lines[pressed:] if line.startswith("热线："))
    assert "请按1或9" in answer, lines
    assert "在哪里接" in all_said(lines[pressed + 1 :]), lines
    assert any("车到儿子家接您" in line for line in lines), lines
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


# --- 9. booking from the status menu: said (the "more" page is gone, tenth trial) ---------


def test_booking_from_the_status_menu_is_said(service: CallService) -> None:
    call(service, ZHANG, "1", "1")  # a car now, under way
    lines = call(service, ZHANG, "约车", "hangup")
    assert not any("从头再听" in line for line in lines), lines
    assert any("哪天用车" in line for line in lines), lines


# --- 4. booking a new car needs no last four digits; hearing booked ones does --------------


def test_a_daughter_books_a_new_car_without_her_mothers_digits(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # her own car tomorrow 9:00
    # 约车, a new car, tomorrow, 15:00, for her mother, yes
    lines = call(service, DAUGHTER, "3", "2", "2", "下午三点", "1", "1")
    said = all_said(lines)
    assert "听已经约的车，请按1。约一辆新的车，请按2。" in said, lines
    assert "身份证号的最后4位" not in said
    assert "车约好了" in said, lines
    assert _scheduled(db) == [
        datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ),
        datetime(2026, 12, 1, 15, 0, tzinfo=LOCAL_TZ),
    ]


def test_hearing_the_booked_cars_still_asks_the_last_four_first(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")
    lines = call(service, DAUGHTER, "3", "1", last_four(db), "hangup")
    asked = next(i for i, line in enumerate(lines) if "坐车人身份证号的最后4位" in line)
    assert "9点" not in all_said(lines[:asked])
    assert "您母亲张秀英预约了明天上午9点" in all_said(lines[asked:]), lines


# --- 6. the late car at the greeting: one neutral sentence, the menu's keys kept -------------
# (Trial eleven: a question before the menu took the habit "1 1"; the car is heard on key 3.)


def _late_car_kept(service: CallService, db: Database) -> None:
    _visit_booked(service)
    # a 9:00 car to the hospital booked after the visit, not by phone (never asked about)
    book_ride(db, number=ZHANG, pickup=kunming(1, 9), now=NOW, to_hospital=True)
    assert _scheduled(db) == [datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)]


def test_the_late_car_is_flagged_neutrally_and_the_menu_keeps_its_keys(
    service: CallService, db: Database
) -> None:
    _late_car_kept(service, db)
    lines = call(service, ZHANG, "*", "2", "hangup")
    hotline = [line for line in lines if line.startswith("热线")]
    assert "有一辆车的时间要再核对一下，请按3。叫车到您家，按1。" in hotline[0], hotline
    assert "看病" not in hotline[0] and "换车" not in hotline[0], hotline
    assert "叫车到您家，按1" in hotline[1], hotline  # * repeats the menu


def test_key_3_then_1_hears_the_late_car_and_replaces_it_after_the_check(
    service: CallService, db: Database
) -> None:
    _late_car_kept(service, db)
    lines = call(service, ZHANG, "3", "1", last_four(db), "1")
    assert "车换好了" in all_said(lines), lines
    assert _scheduled(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]


# --- 5. a car now with a booked car due within the hour ---------------------------------------


def _car_now_with_a_booked_car_soon(service: CallService, db: Database, *answer: str) -> list[str]:
    call(service, ZHANG, "3", "1", "上午九点四十", "1")  # today 9:40, 40 minutes away
    assert _scheduled(db) == [datetime(2026, 11, 30, 9, 40, tzinfo=LOCAL_TZ)]
    return call(service, ZHANG, "1", "1", *answer)  # a car now to her home


def _statuses(db: Database) -> list[RideStatus]:
    return [r.status for r in rides(db)]


def test_a_car_now_is_not_sent_on_top_of_a_booked_car_without_asking(
    service: CallService, db: Database
) -> None:
    lines = _car_now_with_a_booked_car_soon(service, db, "1")
    question = next(line for line in lines if "已经约了一辆车" in line)
    assert question.count("请按") == 3, question  # three choices (and 0)
    assert "9点40" not in question
    assert "约好的车给您留着" in all_said(lines)
    assert _statuses(db) == [RideStatus.SCHEDULED, RideStatus.CANCELLED]  # no car now


def test_this_car_instead_cancels_the_booked_one(service: CallService, db: Database) -> None:
    lines = _car_now_with_a_booked_car_soon(service, db, "2", "1")
    assert "车已经叫了" in all_said(lines), lines
    assert _statuses(db) == [RideStatus.CANCELLED, RideStatus.QUEUED]


def test_both_cars_when_confirmed(service: CallService, db: Database) -> None:
    lines = _car_now_with_a_booked_car_soon(service, db, "3", "1")
    assert "车已经叫了" in all_said(lines), lines
    assert _statuses(db) == [RideStatus.SCHEDULED, RideStatus.QUEUED]


# --- 8. whose car, whose home, whose message --------------------------------------------------


def test_a_relative_hears_her_mothers_car_as_her_mothers(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # the mother books her own car
    lines = call(service, DAUGHTER, "3", "1", last_four(db), "hangup")
    said = all_said(lines)
    assert "您母亲张秀英预约了明天上午9点" in said, lines
    assert "给您母亲张秀英约了" not in said  # she did not book it


def test_a_relative_is_greeted_with_her_mothers_car_as_her_mothers(
    service: CallService,
) -> None:
    call(service, DAUGHTER, "3", "2", "9", "1", "1")  # for her mother, tomorrow 9:00
    lines = call(service, DAUGHTER, "hangup")
    assert "您母亲有一辆预约的车。" in all_said(lines[:2]), lines
    assert "张秀英" not in all_said(lines[:2])


def test_the_daughters_own_home_is_said_as_hers(service: CallService, db: Database) -> None:
    # a car now for her mother, not at the mother's home: the place menu
    lines = call(service, DAUGHTER, "1", "1", "2", "1", "1")
    said = all_said(lines)
    assert "在您家，请按1" in said and "在女儿家" not in said, lines
    assert "车到您家接您母亲张秀英" in said, lines
    assert _statuses(db) == [RideStatus.QUEUED]


def test_the_relatives_cancel_message_says_whose_car(service: CallService, db: Database) -> None:
    call(service, DAUGHTER, "1", "1", "1")  # a car now for her mother, at her home
    call(service, DAUGHTER, "8", "8")  # cancelled
    told = _outbox_to(db, DAUGHTER)
    assert any("您为母亲叫的车已取消" in body for body in told), told
    assert not any("您的叫车已取消" in body for body in told)


def test_a_car_the_family_doctor_booked_is_from_your_family_doctor(
    service: CallService, db: Database
) -> None:
    doctor, patient = "+8613900000007", "+8613800000005"  # 刘医生 and 陈淑珍
    call(service, doctor, "3", "2", "9", "1", "1")  # for her, tomorrow 9:00
    lines = call(service, patient, "3", "1", last_four(db, "陈淑珍"), "hangup")
    said = all_said(lines)
    assert "您的家庭医生为您约了明天上午9点" in said, lines
    assert "您家庭医生" not in said


def test_a_booking_the_family_doctor_made_is_from_your_family_doctor(
    service: CallService, db: Database
) -> None:
    doctor, patient = "+8613900000007", "+8613800000005"  # 刘医生 and 陈淑珍
    booked = call(service, doctor, "2", "1", last_four(db, "陈淑珍"), "1", "1", "1", "2")
    assert "挂好了" in all_said(booked), booked
    lines = call(service, patient, "2", "hangup")
    said = all_said(lines)
    assert "您的家庭医生为您挂了" in said, lines
    assert "您家庭医生" not in said


def test_giving_up_the_booking_at_the_booked_question_goes_to_its_cancel(
    service: CallService, db: Database
) -> None:
    call(service, DAUGHTER, "2", "1", last_four(db), "1", "1", "1", "2")  # her mother's booking
    lines = call(service, ZHANG, "2", "明天的号不要了", last_four(db), "8", "8")
    said = all_said(lines)
    assert "没有挂新的号" not in said, lines
    assert "这个号已经取消了" in said, lines


# --- 9. going to the hospital, said at the first menu ----------------------------------------


@pytest.mark.parametrize("words", ["帮我喊个车克医院", "叫个车去医院看病"])
def test_a_car_to_the_hospital_said_at_the_menu_is_not_asked_again(
    service: CallService, db: Database, words: str
) -> None:
    lines = call(service, ZHANG, words, "1")
    said = all_said(lines)
    assert "车到家接您去春城第一人民医院，对吗？" in said, lines
    assert "去医院，按3" not in said, lines
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.to_hospital
    assert ride.destination == "春城第一人民医院"


def test_the_hospital_said_at_the_menu_holds_for_that_car_only(
    service: CallService, db: Database
) -> None:
    # The daughter says no at "是给您母亲…叫车吗？", then asks for a car by key.
    lines = call(service, DAUGHTER, "叫个车去医院看病", "不要了", "1", "1", "1")
    after = all_said(lines[next(i for i, line in enumerate(lines) if "没有叫车" in line):])
    assert "接她。对，按1。不对，按2。去医院，按3。" in after, lines
    queued = [r for r in rides(db) if r.status == RideStatus.QUEUED]
    assert len(queued) == 1 and not queued[0].to_hospital


@pytest.mark.parametrize(
    ("key", "next_question"), [("1", "您要看哪个科？"), ("2", "明天几点钟用车？")]
)
def test_going_to_the_hospital_tomorrow_asks_registration_or_car(
    service: CallService, db: Database, key: str, next_question: str
) -> None:
    lines = call(service, ZHANG, "明天要去医院", key, "hangup")
    at = lines.index("来电者：明天要去医院")
    assert lines[at + 1].startswith("热线：要挂号，请按1；要叫车去医院，请按2。"), lines
    after = lines.index(f"来电者：{key}", at)
    assert lines[after + 1].startswith(f"热线：{next_question}"), lines
    assert all(r.status != RideStatus.QUEUED for r in rides(db))


# --- 10. a rider with no ID number on file ---------------------------------------------------


def test_a_rider_with_nothing_to_check_is_told_a_person_says_where_the_car_goes(
    service: CallService, db: Database
) -> None:
    ma = "+8613800000010"  # 马大爹: a home, no ID number on file
    call(service, ma, "3", "明天早上八点去市一院", "1")
    lines = call(service, ma, "3", "1", "0")
    said = all_said(lines)
    told = "您预约了明天早上8点，到家接的车。这辆车去哪里，要由工作人员告诉您：转人工，按0。"
    assert told in said, lines
    assert "春城第一人民医院" not in said and "身份证" not in said
    (ride,) = rides(db)
    assert ride.destination == "春城第一人民医院"  # kept for the operator and the driver


def test_the_day_said_with_going_to_the_hospital_is_the_day_offered_for_registration(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "明天要去医院", "1", "心血管内科", "hangup")
    said = all_said(lines[lines.index("来电者：心血管内科"):])
    assert "明天" in said and "这天的号是" in said, lines
    assert "最早的号是" not in said
