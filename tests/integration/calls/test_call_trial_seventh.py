"""What the seventh simulated-call trial found on the call paths (calls against the demo
data, Monday 2026-11-30 07:00 in Kunming), played as whole calls through the real flows,
understanding and database: the person a car was for is told when a relative or an
operator cancels it; no waiting time is promised that cannot be kept; the minutes left are
counted from the assignment; an expert appointment says its type and fee; the caller's own
hospital comes first; a withheld number books no car ahead; today at the hospital day
question; a car asked for too soon is plainly a car now; a wrong hour can be fixed by keys;
晚上10点 is within the service hours; "later" says the chosen day has nothing later; the
day menu keeps its keys; a plate's 2 is 二."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import ClinicType, SlotStatus
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.simulator import run_call
from app.taxi import rides as ride_service
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.calls import HOTLINE, all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 07:00 in Kunming
ZHANG = "+8613800000001"  # 张奶奶 (张秀英): mobile, and a landline at home
LI_QIANG = "+8613900000002"  # her son, a family contact who may order her taxis
WANG = "+8613800000002"  # 王大爹: his saved hospital is 滇池医院
CARDIOLOGY = ("2", "1", "1")  # 挂号, 内科, 心血管内科


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _cancel_notes(db: Database) -> dict[str, OutboxMessage]:
    return {m.to_number: m for m in _outbox(db) if ":cancelled:" in m.idempotency_key}


# --- 1. the person the car was for is told it is not coming ------------------------------


def test_a_son_cancelling_his_mothers_car_tells_her_too(
    service: CallService, db: Database
) -> None:
    call(service, LI_QIANG, "1", "1", "1")  # 给您母亲张秀英叫车, to her home
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.caller_number == LI_QIANG
    lines = call(service, LI_QIANG, "8", "8")
    assert "车已经取消了" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]
    told = _cancel_notes(db)
    assert set(told) == {LI_QIANG, ZHANG}
    assert told[ZHANG].kind == OutboxKind.SMS  # her mobile, before her landline
    assert "车不会来接您了" in told[ZHANG].body


def test_a_son_cancelling_a_booked_car_of_his_mothers_tells_her_too(
    service: CallService, db: Database
) -> None:
    call(service, LI_QIANG, "3", "2", "八点", "1", "1")  # tomorrow 8:00, for his mother
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    call(service, LI_QIANG, "3", "1", last_four(db), "8", "8")  # her ID's last 4 before the list
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]
    assert set(_cancel_notes(db)) == {LI_QIANG, ZHANG}


def test_an_operator_cancelling_a_relatives_order_tells_the_person(
    service: CallService, db: Database
) -> None:
    call(service, LI_QIANG, "1", "1", "1")
    (ride,) = rides(db)
    with db.session() as session:
        ride_service.cancel(
            session, ride_id=ride.id, expected_version=ride.version, reason="调度员取消"
        )
        session.commit()
    assert set(_cancel_notes(db)) == {LI_QIANG, ZHANG}


def test_the_mother_cancelling_her_sons_order_herself_is_not_texted(
    service: CallService, db: Database
) -> None:
    call(service, LI_QIANG, "1", "1", "1")
    lines = call(service, ZHANG, "8", "8")
    assert "车已经取消了" in all_said(lines)
    assert set(_cancel_notes(db)) == {LI_QIANG}  # who ordered it; she heard it herself


# --- 2. no waiting time promised without a driver on duty --------------------------------


def test_no_driver_on_duty_promises_no_time(service: CallService, db: Database) -> None:
    with db.session() as session:
        session.execute(update(Driver).values(on_duty=False))
        session.commit()
    lines = call(service, ZHANG, "1", "1")
    assert "分钟左右派好车" not in all_said(lines)
    assert "您的车先排队，找到车后会发短信告诉您车牌号" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


def test_with_a_driver_on_duty_the_usual_wait_is_said(service: CallService) -> None:
    lines = call(service, ZHANG, "1", "1")
    assert "一般10分钟左右派好车" in all_said(lines)


# --- 3. the minutes left, counted from the assignment -------------------------------------


def _assigned(db: Database, *, eta: int, minutes_ago: int) -> None:
    (ride,) = rides(db)
    with db.session() as session:
        driver = session.scalars(select(Driver).where(Driver.plate == "云A·D1234")).one()
        ride_service.assign_driver(
            session, ride_id=ride.id, driver_id=driver.id, eta_minutes=eta,
            expected_version=ride.version, notify_voice_call=False,
        )
        session.commit()
        # The assignment happened `minutes_ago` before the call's clock.
        session.execute(
            update(Ride).values(updated_at=NOW - timedelta(minutes=minutes_ago))
        )
        session.commit()


@pytest.mark.parametrize(("minutes_ago", "heard"), [(2, "大约3分钟到"), (40, "车应该快到了")])
def test_the_minutes_left_are_counted_from_the_assignment(
    service: CallService, db: Database, minutes_ago: int, heard: str
) -> None:
    call(service, ZHANG, "1", "1")
    _assigned(db, eta=5, minutes_ago=minutes_ago)
    lines = call(service, ZHANG, "hangup")
    assert heard in all_said(lines)
    assert "大约5分钟到" not in all_said(lines)


# --- 13. a plate's digits: 二, not 两 -------------------------------------------------------


def test_a_plate_is_read_with_er_for_2(service: CallService, db: Database) -> None:
    call(service, ZHANG, "1", "1")
    _assigned(db, eta=5, minutes_ago=0)
    lines = call(service, ZHANG, "hangup")
    assert "云A，D，幺，二，三，四" in all_said(lines)
    assert "两" not in all_said(lines)


# --- 6. a withheld number books no car ahead ----------------------------------------------


@pytest.mark.parametrize("turns", [("3",), ("明天早上要车",)])
def test_a_withheld_number_cannot_book_ahead_and_is_offered_a_car_now(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    lines = call(service, "anonymous", *turns, "hangup")
    assert "电话里不能预约" in all_said(lines)
    assert "几点钟用车" not in all_said(lines) and "哪天用车" not in all_said(lines)
    assert not rides(db)
    now = call(service, "anonymous", "3", "1", "金马小区门口", "1")
    assert "车已经叫了" in all_said(now)
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


# --- 8. a car asked for too soon to book is plainly a car now ------------------------------


def test_a_time_too_soon_says_the_minimum_and_the_car_comes_now(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "1", "早上七点二十三", "1", "1")  # 23 minutes ahead
    said = all_said(lines)
    assert "离现在不到30分钟，预约要提前30分钟以上。现在就叫车，请按1。换一个时间，请按2" in said
    assert "现在就叫车，不用等到今天早上7点23分，车到家接您。对，按1" in said
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.pickup_at is None


def test_a_time_too_soon_can_be_changed_instead(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "1", "早上七点二十三", "2", "九点", "1")
    assert "现在就叫车，不用等到" not in all_said(lines)
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local_pickup(ride).hour == 9 and local_pickup(ride).date() == TODAY


# --- 9. 不对 at a booking's read-back: the hour, the day or the place ------------------------


def test_a_keypad_caller_fixes_the_hour_of_a_booking(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "2", "8", "2", "1", "9", "1")
    said = all_said(lines)
    assert "改钟点，请按1。改日子，请按2。改接的地方或者去的地方，请按3" in said
    assert "明天（星期二）上午9点，车到家接您" in said
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local_pickup(ride).hour == 9 and local_pickup(ride).date() == date(2026, 12, 1)


def test_a_keypad_caller_fixes_the_place_of_a_booking(service: CallService, db: Database) -> None:
    # 3, then 1 (改在哪里接; 2 is where the car goes, tenth trial)
    lines = call(service, ZHANG, "3", "2", "8", "2", "3", "1", "hangup")
    assert "在哪里接您？" in all_said(lines)


def test_no_at_the_read_back_of_a_car_now_is_still_the_place(service: CallService) -> None:
    lines = call(service, ZHANG, "1", "2", "hangup")
    assert "在哪里接您？" in all_said(lines)
    assert "改钟点" not in all_said(lines)


# --- 10. the service hours' end, said as it is checked -------------------------------------


def test_ten_at_night_is_refused_in_words_that_say_so(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "2", "晚上十点", "hangup")
    assert "预约的车，只在早上6点到晚上10点以前接人" in all_said(lines)
    assert not [r for r in rides(db) if r.status == RideStatus.SCHEDULED]


# --- 4. an expert's type and fee are said in the offer -------------------------------------


def _cardiology_doctors(session, clinic_type: ClinicType) -> list[Doctor]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(Doctor)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.name == "心血管内科", Doctor.clinic_type == clinic_type)
        )
    )


def test_an_expert_offer_says_its_type_and_fee_before_the_caller_agrees(
    service: CallService, db: Database
) -> None:
    with db.session() as session:  # only experts are left: every ordinary slot is taken
        general = [d.id for d in _cardiology_doctors(session, ClinicType.GENERAL)]
        schedules = select(Schedule.id).where(Schedule.doctor_id.in_(general))
        session.execute(
            update(Slot).where(Slot.schedule_id.in_(schedules)).values(status=SlotStatus.BUSY)
        )
        fees = {d.name: d.fee_yuan for d in _cardiology_doctors(session, ClinicType.EXPERT)}
        session.commit()
    lines = call(service, ZHANG, *CARDIOLOGY, "hangup")
    offer = next(line for line in lines if "最早的号是" in line)
    doctor = next(name for name in fees if name in offer)
    assert f"心血管内科{doctor}，专家号，{fees[doctor]}元。给您自己挂这个号，请按1" in offer


def test_an_ordinary_offer_is_said_as_before(service: CallService) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "hangup")
    offer = next(line for line in lines if "最早的号是" in line)
    assert "专家号" not in offer and "元" not in offer


# --- 5. the caller's own hospital first ------------------------------------------------------


def test_the_callers_saved_hospital_is_offered_first(service: CallService) -> None:
    lines = call(service, WANG, *CARDIOLOGY, "hangup")
    assert "常去的医院，最早的号是：明天星期二上午8点，滇池老年病医院" in all_said(lines)


def test_the_earliest_anywhere_when_the_own_hospital_is_days_later(
    service: CallService, db: Database
) -> None:
    with db.session() as session:  # 滇池医院's cardiology is full for the next four days
        hospital = session.scalars(select(Hospital).where(Hospital.short_name == "滇池医院")).one()
        schedules = (
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(
                Department.hospital_id == hospital.id,
                Department.name == "心血管内科",
                Schedule.day <= TODAY + timedelta(days=4),
            )
        )
        session.execute(
            update(Slot).where(Slot.schedule_id.in_(schedules)).values(status=SlotStatus.BUSY)
        )
        session.commit()
    lines = call(service, WANG, *CARDIOLOGY, "hangup")
    assert "最早的号是：明天星期二上午8点，春城第一人民医院" in all_said(lines)
    assert "常去的医院" not in all_said(lines)


def test_the_last_bookings_hospital_counts_when_none_is_saved(
    service: CallService, db: Database
) -> None:
    from app.people.enums import PlaceKind
    from app.people.models import SavedPlace

    call(service, WANG, *CARDIOLOGY, "1", "2")  # booked at 滇池医院, no car
    with db.session() as session:
        session.execute(
            update(SavedPlace)
            .where(SavedPlace.kind == PlaceKind.HOSPITAL)
            .values(kind=PlaceKind.OTHER)
        )
        session.commit()
    lines = call(service, WANG, "2", "1", "1", "2", "hangup")  # a new one: 呼吸内科
    offer = next(line for line in lines if "最早的号是" in line)
    assert "常去的医院，最早的号是：" in offer and "滇池老年病医院" in offer


# --- 7. today at the hospital day question ---------------------------------------------------


def test_today_at_the_day_question_is_not_said_to_be_past(service: CallService) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "3", "今天下午", "hangup")
    assert "今天的号电话里挂不了，最早可以挂明天的" in all_said(lines)
    assert "已经过了" not in all_said(lines)


# --- 11. "later" from a chosen day says that day has nothing later -------------------------


def test_later_after_the_chosen_days_last_session_says_so(service: CallService) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "3", "礼拜三", "晚一点的", "晚一点的", "hangup")
    said = all_said(lines)
    assert "晚一点的号是：后天星期三下午" in said
    assert "后天星期三没有更晚的号了。晚一点的号是：12月3号星期四" in said


# --- 12. the day menu keeps its keys within a call ----------------------------------------


def _fill_day(db: Database, day: date) -> None:
    with db.session() as session:
        schedules = (
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.name == "心血管内科", Schedule.day == day)
        )
        session.execute(
            update(Slot).where(Slot.schedule_id.in_(schedules)).values(status=SlotStatus.BUSY)
        )
        session.commit()


def test_a_day_key_keeps_its_day_when_a_day_fills_during_the_call(
    service: CallService, db: Database
) -> None:
    def turns() -> Iterator[str]:
        yield from (*CARDIOLOGY, "3", "1")  # the day menu, then 按1: tomorrow
        _fill_day(db, TODAY + timedelta(days=1))  # someone else takes tomorrow meanwhile
        yield from ("3", "2", "hangup")  # 换一天, then 按2 as before

    lines: list[str] = []
    run_call(service, from_number=ZHANG, to_number=HOTLINE, turns=turns(), show=lines.append)
    menus = [i for i, line in enumerate(lines) if "哪天去？" in line]
    assert len(menus) == 2 and "按2，后天星期三" in lines[menus[0]]
    assert "按2，后天星期三" in lines[menus[1]]  # 2 still means Wednesday
    assert "这天的号是：后天星期三" in all_said(lines[menus[1] :])
