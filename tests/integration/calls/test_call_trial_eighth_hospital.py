"""What the eighth simulated-call trial found on the hospital call paths (calls against the
demo data, Monday 2026-11-30 07:00 in Kunming), played as whole calls through the real
flows, understanding and database: the caller's own hospital stays first for "later" and
another day, and says so when it has nothing; 专家号 asked for is an expert's slot, or said
to be missing; a release moment today is 今天; the department of a booking is not said
before the last four digits; a cancelled booking is said before its car."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import ClinicType, SlotStatus
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from support.calls import all_said, demo_call_service, last_four
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 07:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英
WANG = "+8613800000002"  # 王建国: his saved hospital is 滇池医院
CARDIOLOGY = ("2", "1", "1")  # 挂号, 内科, 心血管内科
OWN = "滇池老年病医院"
OTHER = "春城第一人民医院"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _line(lines: list[str], words: str) -> str:
    return next(line for line in lines if words in line)


def _fill_own_cardiology(
    db: Database, *, days: list[date] | None = None, after: tuple[date, str] | None = None
) -> None:
    """滇池医院's cardiology slots taken: on `days`, or every session after (day, "am")."""
    with db.session() as session:
        hospital = session.scalars(select(Hospital).where(Hospital.short_name == "滇池医院")).one()
        schedules = (
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital.id, Department.name == "心血管内科")
        )
        if days is not None:
            schedules = schedules.where(Schedule.day.in_(days))
        if after is not None:
            day, _ = after
            schedules = schedules.where(
                (Schedule.day > day) | ((Schedule.day == day) & (Schedule.session == "pm"))
            )
        session.execute(
            update(Slot).where(Slot.schedule_id.in_(schedules)).values(status=SlotStatus.BUSY)
        )
        session.commit()


# --- 1. the own hospital for "later" and another day ------------------------------------------


def test_later_keeps_offering_the_callers_own_hospital(service: CallService) -> None:
    lines = call(service, WANG, *CARDIOLOGY, "2", "hangup")
    later = _line(lines, "晚一点的号是")
    assert OWN in later and OTHER not in later


def test_another_day_keeps_offering_the_callers_own_hospital(service: CallService) -> None:
    lines = call(service, WANG, *CARDIOLOGY, "3", "2", "hangup")  # 后天星期三
    offer = _line(lines, "这天的号是")
    assert OWN in offer and OTHER not in offer


def test_later_says_when_the_own_hospital_has_nothing_later(
    service: CallService, db: Database
) -> None:
    _fill_own_cardiology(db, after=(TODAY + timedelta(days=1), "am"))
    lines = call(service, WANG, *CARDIOLOGY, "2", "hangup")
    assert f"常去的医院，最早的号是：明天星期二上午8点，{OWN}" in all_said(lines)
    later = _line(lines, "没有更晚的号了")
    assert f"滇池医院没有更晚的号了，{OTHER}有：" in later
    assert later.index(OTHER) < later.index("心血管内科")


def test_another_day_says_when_the_own_hospital_has_nothing_that_day(
    service: CallService, db: Database
) -> None:
    wednesday = TODAY + timedelta(days=2)
    _fill_own_cardiology(db, days=[wednesday])
    lines = call(service, WANG, *CARDIOLOGY, "3", "2", "hangup")
    offer = _line(lines, "这天没有号了")
    assert f"后天星期三。滇池医院这天没有号了，{OTHER}有：后天星期三" in offer


# --- 2. 专家号 asked for ------------------------------------------------------------------------


def test_an_expert_asked_for_is_offered_an_experts_slot(service: CallService) -> None:
    lines = call(service, ZHANG, "2", "我要挂心血管内科的专家号", "hangup")
    offer = _line(lines, "挂这个号，请按1")
    assert "最早的专家号是：" in offer and "专家号，30元" in offer


def test_no_expert_free_is_said_before_the_ordinary_slot(
    service: CallService, db: Database
) -> None:
    with db.session() as session:
        session.execute(update(Doctor).values(clinic_type=ClinicType.GENERAL))
        session.commit()
    lines = call(service, ZHANG, "2", "我要挂心血管内科的专家号", "hangup")
    offer = _line(lines, "挂这个号，请按1")
    assert "没有专家号，普通号是：明天星期二" in offer


@pytest.mark.parametrize("said", ["心血管内科", "心血管内科，不要专家"])
def test_no_expert_words_no_expert_preference(service: CallService, said: str) -> None:
    lines = call(service, ZHANG, "2", said, "hangup")
    offer = _line(lines, "挂这个号，请按1")
    assert "最早的号是：" in offer and "专家" not in offer


def test_an_expert_asked_for_at_the_day_question_is_offered_that_day_and_later(
    service: CallService,
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "3", "明天，要专家号", "2", "hangup")
    day_offer, later = [line for line in lines if "挂这个号，请按1" in line][1:]
    assert "您说的是明天星期二。这天的专家号是：" in day_offer and "专家号，30元" in day_offer
    assert "晚一点的专家号是：" in later and "专家号，30元" in later


# --- 3. a release moment today is 今天 --------------------------------------------------------


def test_a_day_released_this_afternoon_says_today(service: CallService) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "3", "12月7号", "hangup")
    said = _line(lines, "还没有放出来")
    assert "今天下午3点开始可以挂" in said
    assert f"{TODAY.month}月{TODAY.day}号" not in said


# --- 4. no department before the last four digits -------------------------------------------


def test_the_same_department_is_not_named_before_the_last_four_digits(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, *CARDIOLOGY, "1", "2")  # booked for tomorrow 8:00, no car
    lines = call(service, ZHANG, "2", "1", "1", "1", "hangup")  # 挂新的号, 心血管内科 again
    question = _line(lines, "还要再挂一个")
    assert "已经挂了号。" in question
    assert "已经挂了心血管内科" not in all_said(lines)


# --- 5. the booking said before its car ------------------------------------------------------


def test_cancelling_says_the_booking_before_the_car(service: CallService, db: Database) -> None:
    call(service, ZHANG, *CARDIOLOGY, "1", "1")  # booked, with the car to the hospital
    lines = call(service, ZHANG, "2", "2", last_four(db), "8", "8")
    said = all_said(lines)
    assert "这个号已经取消了" in said and "去医院的车也一起取消了" in said
    assert said.index("这个号已经取消了") < said.index("去医院的车也一起取消了")
    assert said.count("这个号已经取消了") == 1
