"""Hospital registration calls through the real flows, understanding, booking rules and
database (SQLite + PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys, Say
from app.calls.models import CallSession, CallStep
from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments, identity
from app.hospital.enums import AppointmentStatus, ClinicSession, ClinicType, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hotline import build_call_service
from app.notify.models import OutboxMessage
from app.people.models import FamilyContact, Person
from support.calls import HOTLINE, all_said, demo_call_service
from support.calls import last_four as _last_four
from support.calls import play as call
from support.demo import demo_data

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def booked(db: Database) -> list[Appointment]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
            )
        )


def test_registered_caller_books_the_earliest_slot_offered_in_one_short_sentence(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000001", "2", "1", "1", "1")  # 内科 -> 心血管内科 -> yes
    offer = next(line for line in lines if "最早的号是" in line)
    # Day (明天 and the weekday), session and time, full hospital name, department, doctor.
    assert "明天星期二上午8点，春城第一人民医院，心血管内科" in offer and "医生" in offer
    # The fee, title and clinic type are in the SMS only.
    assert "元" not in offer and "主治医师" not in offer and "普通号" not in offer
    assert any("挂好了" in line for line in lines)
    (appointment,) = booked(db)
    with db.session() as session:
        texts = session.scalars(select(OutboxMessage.body)).all()
    assert any("心血管内科" in t and "10元" in t and "主治医师" in t for t in texts)
    assert appointment.booked_by_number == "+8613800000001"


def test_saying_the_symptom_in_dialect_finds_the_department(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000002", "挂号", "我脚杆摔着了，疼得很", "是喽嘛")
    assert any("骨科" in line for line in lines)
    assert len(booked(db)) == 1


def test_nothing_is_booked_without_a_yes(service: CallService, db: Database) -> None:
    call(service, "+8613800000001", "2", "1", "1", "hangup")
    assert booked(db) == []


def test_later_steps_to_the_next_session_not_the_next_twenty_minutes(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000001", "2", "1", "1", "2", "2", "1")
    offers = [line for line in lines if "号是" in line]
    assert "明天星期二上午8点" in offers[0]
    assert "明天星期二下午2点" in offers[1]  # the afternoon, not 8:20
    assert "后天星期三上午8点" in offers[2]  # then the next day
    (appointment,) = booked(db)
    assert appointment.day == date(2026, 12, 2)


def test_a_daughter_books_for_her_mother(service: CallService, db: Database) -> None:
    # 李梅, 张秀英's daughter: the last four digits of her mother's ID number first; 2: no car
    lines = call(service, "+8613900000001", "2", "1", _last_four(db, "张秀英"), "1", "1", "1", "2")
    assert any("是给您母亲张秀英挂号吗" in line for line in lines)
    # Whose booking is said at the key that books it and in the confirmation.
    assert any("给您母亲张秀英挂这个号，请按1" in line for line in lines), lines
    assert any("给您母亲张秀英挂好了：" in line for line in lines), lines
    (appointment,) = booked(db)
    with db.session() as session:
        patient = session.get(Person, appointment.patient_id)
        assert patient is not None and patient.full_name == "张秀英"
    assert appointment.booked_by_contact_id is not None
    ending = next(line for line in lines if "不约车" in line)
    assert "短信会发到您的手机上" in ending and "请您母亲带上身份证" in ending


def test_a_son_booking_for_his_father_is_told_his_father_brings_the_id_card(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613900000003", "2", "1", _last_four(db, "王建国"), "1", "1", "1", "2")
    assert any("请您父亲带上身份证" in line for line in lines), lines


def test_booking_for_oneself_keeps_the_short_ending(service: CallService) -> None:
    lines = call(service, "+8613800000002", "2", "1", "1", "1", "2")
    assert any("短信会发到手机上。请带上身份证" in line for line in lines), lines


def test_the_id_number_is_asked_once_when_missing_and_checked(
    service: CallService, db: Database
) -> None:
    number = "+8613800000010"  # 马大爹 (born 1947-01-15), no ID number on file
    lines = call(
        service, number, "2", "530111194701150011#", "530111194701150017", "1", "1", "1", "1"
    )
    assert any("身份证号不对，请再按一遍。" in line for line in lines)
    assert not any("最后一位不对" in line for line in lines)
    assert not any("再说一遍" in line for line in lines)
    assert len(booked(db)) == 1
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "马文才")).one()
        assert person.id_number == "530111194701150017"


def test_three_wrong_id_numbers_reach_a_person(service: CallService, db: Database) -> None:
    lines = call(service, "+8613800000010", "2", "1", "2", "3")
    assert any("工作人员帮您核对身份证号" in line for line in lines)
    assert booked(db) == []


@pytest.mark.parametrize("typed", ["0", "0#", "没得身份证 在我儿子那点"])
def test_zero_at_the_id_number_reaches_a_person_as_the_prompt_says(
    service: CallService, db: Database, typed: str
) -> None:
    lines = call(service, "+8613800000010", "2", typed)  # 马大爹, no ID number on file
    assert any("最后一位是X的按星号。转人工，按0。" in line for line in lines)
    assert not any("井号" in line for line in lines)
    assert "   [转接人工：asked]" in lines
    assert booked(db) == []


def test_unregistered_caller_is_helped_by_a_person(service: CallService) -> None:
    lines = call(service, "+8613812345678", "2")
    assert any("挂号要先登记" in line for line in lines)


def test_demo_schedules_load_past_the_holiday_calendars_last_year(db: Database) -> None:
    """chinesecalendar knows no holidays after its last year; the demo must still load."""
    demo_data(db, today=date(2027, 12, 25))
    with db.session() as session:
        days = session.scalars(select(Schedule.day).distinct()).all()
    assert days and all(day.weekday() != 6 for day in days)  # no Sunday clinics


def test_calling_again_can_cancel_the_booking_after_the_last_four_id_digits(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(service, "+8613800000001", "2", "2", _last_four(db, "张秀英"), "8", "8")
    assert any("已经挂了一个号" in line for line in lines)
    # The details name the hospital in full, as the offer did.
    assert any(
        "这个号是：明天星期二上午8点，春城第一人民医院，心血管内科" in line for line in lines
    )
    # Asked as the taxi's cancel is: never "对吗" (对 invites 1, "keep" one question earlier).
    assert any(
        "要取消明天星期二上午8点心血管内科的号吗？取消，请再按8" in line for line in lines
    )
    assert not any("对吗" in line for line in lines)
    assert any("这个号已经取消了" in line for line in lines)
    assert booked(db) == []
    with db.session() as session:
        cancelled = session.scalars(select(Appointment)).one()
        assert cancelled.status == AppointmentStatus.CANCELLED


def test_a_patient_with_a_booking_can_still_book_another(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "2", "1", "1", "1")
    call(service, "+8613800000001", "2", "1", "3", "1", "1")  # 其他科 -> 眼科
    assert len(booked(db)) == 2


def test_dizziness_alone_is_asked_about_not_guessed(service: CallService, db: Database) -> None:
    lines = call(service, "+8613800000001", "2", "我脑壳晕得很", "3", "1")
    assert any("按1，心慌、胸口闷" in line for line in lines)
    assert not any("没有听明白" in line for line in lines)
    (appointment,) = booked(db)
    with db.session() as session:
        department = session.get(Department, appointment.department_id)
        assert department is not None and department.name == "老年医学科"


def test_an_umbrella_name_reads_its_group_instead_of_guessing(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000001", "2", "挂 个 内科 嘛", "1", "1")
    (group_list,) = [line for line in lines if line.startswith("热线：内科：")]
    assert not any("没有听明白" in line for line in lines)
    (appointment,) = booked(db)
    with db.session() as session:
        department = session.get(Department, appointment.department_id)
        assert department is not None and f"按1，{department.name}" in group_list


def test_a_typed_id_number_is_not_kept_in_the_call_record(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000010", "2", "530111194701150017", "1", "1", "1", "1")
    assert any("五三零一，一一一九，四七零一，一五零零，一七" in line for line in lines)
    with db.session() as session:
        steps = session.scalars(select(CallStep)).all()
        sessions = session.scalars(select(CallSession)).all()
    stored = repr([(s.event, s.outputs) for s in steps]) + repr([s.data for s in sessions])
    assert "530111194701150017" not in stored and "[redacted 18]" in stored
    assert "五三零一" not in stored  # nor its read-back


# --- a day of the caller's choosing ------------------------------------------------------


def test_after_choosing_a_day_a_later_slot_is_still_found(
    service: CallService, db: Database
) -> None:
    """Key 3 (another day), Friday, then key 2 (later): the next session, not "all full"."""
    lines = call(service, "+8613800000001", "2", "1", "1", "3", "星期五", "2", "1")
    assert not any("挂满了" in line or "转接" in line for line in lines)
    assert any("晚一点的号是：12月4号星期五下午2点" in line for line in lines)
    (appointment,) = booked(db)
    assert appointment.day == date(2026, 12, 4)


def test_days_are_offered_by_key_three_at_a_time(service: CallService, db: Database) -> None:
    lines = call(service, "+8613800000001", "2", "1", "1", "3", "9", "2", "1")
    first_menu = next(line for line in lines if line.startswith("热线：哪天去"))
    assert "按1，明天星期二；按2，后天星期三；按3，12月3号星期四；更晚的日子，按9" in first_menu
    later_menu = [line for line in lines if line.startswith("热线：哪天去")][1]
    assert "按1，12月4号星期五；按2，12月5号星期六" in later_menu and "按4" not in later_menu
    # A key press is said back plainly: "您说的是" only after speech.
    assert any("热线：12月5号星期六。这天的号是" in line for line in lines)
    assert not any("您说的是" in line for line in lines)
    (appointment,) = booked(db)
    assert appointment.day == date(2026, 12, 5)


def _service_at(db: Database, when: datetime) -> CallService:
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: when)


def test_a_day_closed_for_phone_booking_is_said_back_with_the_reason(
    service: CallService, db: Database
) -> None:
    late = _service_at(db, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # 16:30 in Kunming
    lines = call(late, "+8613800000001", "2", "1", "1", "3", "明天")
    assert any("您说的是明天星期二。这天的号，电话挂号已经截止了" in line for line in lines)
    assert not any("挂满了" in line for line in lines)


def test_a_sunday_a_full_day_and_a_day_not_released_each_get_their_reason(
    service: CallService, db: Database
) -> None:
    with db.session() as session:  # every cardiology slot on Thursday 3 December is taken
        for schedule in session.scalars(select(Schedule).where(Schedule.day == date(2026, 12, 3))):
            for slot in session.scalars(select(Slot).where(Slot.schedule_id == schedule.id)):
                slot.status = SlotStatus.BUSY
    lines = call(service, "+8613800000001", "2", "1", "1", "3", "星期天", "12月3号", "12月21号")
    assert any("您说的是12月6号星期日。这天医院不开门诊" in line for line in lines)
    assert any("您说的是12月3号星期四。这天心血管内科的号都挂满了" in line for line in lines)
    assert any(
        "您说的是12月21号星期一。这天的号还没有放出来，12月14号下午3点开始可以挂" in line
        for line in lines
    )


# --- keypad-only: every department by keys ------------------------------------------------


def test_every_department_can_be_reached_by_keys_three_at_a_time(
    service: CallService, db: Database
) -> None:
    with db.session() as session:
        every = set(session.scalars(select(Department.name)))
    heard: set[str] = set()
    for group in ("1", "2", "3"):
        lines = call(service, "+8613800000001", "2", group, "9", "9", "hangup")
        # A group of one department (外科: 骨科) is that department's offer at once.
        menus = [
            line
            for line in lines
            if ("按1，" in line and "科" in line) or "最早的号是：" in line
        ]
        assert menus and all("按4" not in line for line in menus)
        for line in menus:
            heard |= {name for name in every if name in line}
    assert heard == every


@pytest.mark.parametrize(
    "keys",
    [
        ("5",),  # the department groups are 1-3
        ("1", "5"),  # 内科 says three departments a page
        ("1", "1", "3", "6"),  # the day menu has keys 1-3 and 9
    ],
)
def test_a_wrong_key_in_a_keypad_menu_asks_to_press_again(
    service: CallService, keys: tuple[str, ...]
) -> None:
    lines = call(service, "+8613800000001", "2", *keys, "hangup")
    # 没有这个选项 (a key of the menu's size) or 没有这个按键 (a key no day menu has)
    assert any("请再按一遍" in line for line in lines)
    assert not any("再说一遍" in line or "没有听明白" in line for line in lines)


# --- a typed ID number ------------------------------------------------------------------------


def test_a_typed_id_number_is_read_back_and_kept_only_once_the_booking_is_confirmed(
    service: CallService, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    number = "+8613800000010"  # 马大爹, no ID number on file

    def id_on_file() -> str | None:
        with db.session() as session:
            return session.scalars(
                select(Person.id_number).where(Person.full_name == "马文才")
            ).one()

    lines = call(
        service,
        number,
        "2",
        "530111194701150017",
        "2",
        "530111194701150017",
        "1",
        "1",
        "1",
        "hangup",
    )
    readbacks = [line for line in lines if "您输入的是" in line]
    assert len(readbacks) == 2 and "五三零一，一一一九，四七零一，一五零零，一七" in readbacks[0]
    assert any("最早的号是" in line for line in lines)
    assert id_on_file() is None  # typed and confirmed, but nothing booked: not kept
    with db.session() as session:
        data = repr(session.scalars(select(CallSession.data)).all())
    assert "530111194701150017" not in data and "五三零一" not in data
    call(service, number, "2", "530111194701150017", "1", "1", "1", "1")
    assert id_on_file() == "530111194701150017" and len(booked(db)) == 1
    logged = caplog.text + repr([r.__dict__ for r in caplog.records])
    assert "530111194701150017" not in logged and "五三零一" not in logged


# --- caller ID is not proof of identity ---------------------------------------------------


def test_a_booking_is_read_out_only_after_the_last_four_id_digits(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(service, "+8613800000001", "2", "2", "hangup")
    assert any("最后4位" in line for line in lines)
    assert not any("心血管内科" in line for line in lines)  # no details before the digits


def test_three_wrong_last_four_digits_reach_a_person_and_cancel_nothing(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "2", "1", "1", "1")
    wrong = "0000" if _last_four(db, "张秀英") != "0000" else "1111"
    lines = call(service, "+8613800000001", "2", "2", wrong, wrong, wrong)
    assert sum("后4位不对，请再按一遍" in line for line in lines) == 2
    assert any("工作人员帮您核对身份" in line for line in lines)
    assert not any("心血管内科" in line for line in lines)
    assert len(booked(db)) == 1


def test_a_family_doctor_with_many_patients_hears_three_at_a_time(
    service: CallService, db: Database
) -> None:
    doctor = "+8613900000007"  # 刘医生, family doctor of one demo person
    with db.session() as session:
        for name in ("杨大妈", "何大爹", "罗大妈"):
            person = Person(full_name=name, gender="F" if "妈" in name else "M")
            person.contacts = [FamilyContact(name="刘医生", relation="家庭医生", phone=doctor)]
            session.add(person)
    lines = call(service, doctor, "2", "9", "1", "hangup")
    menus = [line for line in lines if line.startswith("热线：给谁挂号")]
    assert len(menus) == 2 and all("按4" not in line for line in menus)
    assert "给您签约居民" in menus[0] and "给别人挂，按9" in menus[0]
    assert "按1，给您签约居民罗大妈挂" in menus[1] and "从头再听，按9" in menus[1]
    assert any("身份证号" in line for line in lines), lines  # no ID on file


def test_a_typed_id_number_is_not_kept_when_the_booking_loses_a_race(
    service: CallService, db: Database
) -> None:
    """The slot offered is taken by someone else just before the caller says yes."""
    number = "+8613800000010"  # 马大爹, no ID number on file
    call_id = "CA-ID-RACE"
    steps = ["2", "530111194701150017", "1", "2"]  # ID, confirm, 外科 (骨科 only): offered
    service.handle(call_id=call_id, event=CallStarted(number, HOTLINE), event_key="start")
    for turn, keys in enumerate(steps):
        result = service.handle(call_id=call_id, event=Keys(keys), event_key=f"k{turn}")
    assert result.state == "hospital.offer"
    with db.session() as session:  # another caller takes the offered slot
        slot = session.get(Slot, result.vars["offer"]["slot_id"])
        assert slot is not None
        slot.status = SlotStatus.BUSY
    answer = service.handle(call_id=call_id, event=Keys("1"), event_key="yes")
    assert "被别人挂走了" in " ".join(o.text for o in answer.outputs if isinstance(o, Say))
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "马文才")).one()
        assert person.id_number is None
    assert booked(db) == []


# --- cancelling is a question of its own; a relative hears the relation and the name ----

DAUGHTER = "+8613900000001"  # 李梅, who books for her mother 张秀英


def test_the_habit_key_1_after_the_details_keeps_a_relatives_booking(
    service: CallService, db: Database
) -> None:
    """ "2,1,<后4位>,2,1" from the daughter: 1 after the details keeps the booking."""
    call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "1", "1", "1")
    lines = call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "2", "1", "hangup")
    assert any("这个号留着，请按1。要改时间，请按3。要取消这个号，请按8" in line for line in lines)
    assert any("这个号给您留着" in line for line in lines)
    assert not any("已经取消" in line for line in lines)
    assert len(booked(db)) == 1


@pytest.mark.parametrize(
    ("turns", "cancelled"),
    [
        (("8", "1"), False),  # 1 is not "yes" at the cancel question
        (("8", "2"), False),
        (("8", "还要去"), False),
        (("8", "不取消"), False),
        (("取消", "不要了"), False),  # never mind: nothing changed
        (("取消", "取消"), True),
        (("8", "8"), True),
    ],
)
def test_cancelling_a_booking_asks_again_and_hears_its_own_words(
    service: CallService, db: Database, turns: tuple[str, ...], cancelled: bool
) -> None:
    call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "1", "1", "1")
    lines = call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "2", *turns, "hangup")
    assert any("要取消明天星期二上午8点心血管内科的号吗？取消，请再按8" in line for line in lines)
    assert any("这个号已经取消了" in line for line in lines) is cancelled
    assert len(booked(db)) == (0 if cancelled else 1)


def test_a_relative_hears_the_relation_and_the_name_never_the_nickname(
    service: CallService, db: Database
) -> None:
    first = call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "1", "1", "1")
    again = call(service, DAUGHTER, "2", "1", _last_four(db, "张秀英"), "2", "1", "hangup")
    assert any("您母亲张秀英要看哪个科" in line for line in first)
    assert any("您母亲张秀英已经挂了一个号" in line for line in again)
    assert any("请输入您母亲张秀英身份证号的最后4位" in line for line in again)
    assert not any("张奶奶" in line for line in [*first, *again])


# --- the offer's own words come before yes -------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "heard"),
    [
        ("要晚一点的", "晚一点的号是：明天星期二下午2点"),
        ("太早了，要晚一点的", "晚一点的号是：明天星期二下午2点"),
        ("晚一点", "晚一点的号是：明天星期二下午2点"),
        ("要换一天", "哪天去？按1，明天星期二"),
        ("星期六上午", "您说的是12月5号星期六上午。这天的号是：12月5号星期六上午8点"),  # a day
    ],
)
def test_the_offers_own_choices_win_over_yes(
    service: CallService, db: Database, answer: str, heard: str
) -> None:
    lines = call(service, "+8613800000006", "2", "1", "1", answer, "hangup")
    assert any(heard in line for line in lines), lines
    assert booked(db) == []


def test_yes_at_the_offer_still_books(service: CallService, db: Database) -> None:
    call(service, "+8613800000006", "2", "1", "1", "要", "hangup")
    assert len(booked(db)) == 1


# --- a session without a clinic is not "full" -----------------------------------------------


def test_a_saturday_afternoon_without_a_clinic_offers_the_morning(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000001", "2", "1", "3", "3", "星期六下午", "hangup")
    said = next(line for line in lines if "您说的是12月5号星期六" in line)
    assert "这天下午没有消化内科的门诊。这天的号是：12月5号星期六上午8点" in said
    assert not any("挂满了" in line for line in lines)


def test_a_full_afternoon_is_said_full_and_the_morning_offered(
    service: CallService, db: Database
) -> None:
    with db.session() as session:  # every afternoon slot on Friday 4 December is taken
        friday_pm = session.scalars(
            select(Schedule).where(
                Schedule.day == date(2026, 12, 4), Schedule.session == ClinicSession.PM
            )
        )
        for schedule in friday_pm:
            for slot in session.scalars(select(Slot).where(Slot.schedule_id == schedule.id)):
                slot.status = SlotStatus.BUSY
    lines = call(service, "+8613800000001", "2", "1", "3", "3", "星期五下午", "hangup")
    assert any(
        "这天下午消化内科的号都挂满了。这天的号是：12月4号星期五上午8点" in line for line in lines
    ), lines


def test_the_day_list_says_why_tomorrow_is_missing(service: CallService, db: Database) -> None:
    late = _service_at(db, datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # 20:00 in Kunming
    lines = call(late, "+8613800000001", "2", "1", "1", "3", "hangup")
    menu = next(line for line in lines if "哪天去" in line)
    assert "明天的号，电话挂号已经截止了，可以到医院现场挂。哪天去？按1，后天星期三" in menu


def test_tomorrow_asked_for_after_closing_is_said_closed_once(
    service: CallService, db: Database
) -> None:
    """"明天" asked for after the phone booking closed: "这天的号…截止了" with the day said,
    and the day menu after it does not say again that tomorrow is closed."""
    late = _service_at(db, datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # 20:00 in Kunming
    lines = call(late, "+8613800000001", "2", "1", "1", "3", "明天", "hangup")
    said = all_said(lines[lines.index("来电者：明天") :])
    assert "您说的是明天星期二。这天的号，电话挂号已经截止了" in said, said
    assert "明天的号，电话挂号已经截止了" not in said, said
    assert "哪天去？按1，后天星期三" in said, said


# --- "I don't want it" at the offer books nothing ------------------------------------------


@pytest.mark.parametrize("answer", ["不要了", "不消了", "莫整了"])
def test_i_dont_want_it_at_the_offer_books_nothing_and_offers_no_later_slot(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, "+8613800000002", "2", "1", "1", answer, "hangup")
    stop = lines.index(next(line for line in lines if "好的，没有挂号" in line))
    # Back to the caller's own home menu, not the generic one (P18).
    assert "叫车到您家，按1" in " ".join(lines[stop:])
    assert "叫出租车，请按1" not in " ".join(lines[stop:])
    assert not any("晚一点的号" in line for line in lines)
    assert booked(db) == []


# --- call trial t9c: doubles, declines, departments not offered, keys -------------------


def _statuses(db: Database) -> dict[str, list[AppointmentStatus]]:
    with db.session() as session:
        result: dict[str, list[AppointmentStatus]] = {}
        for appointment in session.scalars(select(Appointment).order_by(Appointment.id)):
            result.setdefault(appointment.department_name, []).append(appointment.status)
        return result


def test_a_second_department_is_never_offered_at_the_hour_of_the_first_booking(
    service: CallService, db: Database
) -> None:
    """P6: 心血管内科 tomorrow 8:00 booked; 呼吸内科 is offered outside that hour."""
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(service, "+8613800000001", "2", "1", "1", "2", "1")  # new one: 呼吸内科
    offer = next(line for line in lines if "最早的号是" in line)
    assert "呼吸内科" in offer and "明天星期二上午8点" not in offer
    assert len(booked(db)) == 2
    with db.session() as session:
        starts = sorted(
            (a.day, session.get(Slot, a.slot_id).start_time)  # type: ignore[union-attr]
            for a in session.scalars(select(Appointment))
        )
    (day1, t1), (day2, t2) = starts
    assert day1 != day2 or abs(t1.hour * 60 + t1.minute - t2.hour * 60 - t2.minute) >= 60


def test_a_clash_at_the_moment_of_booking_is_said_and_the_days_offered(
    service: CallService, db: Database
) -> None:
    """P6: the patient got another booking at the offered hour between offer and yes."""
    call_id = "CA-CLASH"
    service.handle(call_id=call_id, event=CallStarted("+8613800000001", HOTLINE), event_key="s")
    for turn, keys in enumerate(["2", "1", "2"]):  # 内科 -> 呼吸内科: offered
        result = service.handle(call_id=call_id, event=Keys(keys), event_key=f"k{turn}")
    assert result.state == "hospital.offer"
    with db.session() as session:  # meanwhile: 心血管内科 at the very same hour
        offered = session.get(Slot, result.vars["offer"]["slot_id"])
        assert offered is not None
        schedule = session.get(Schedule, offered.schedule_id)
        assert schedule is not None
        other = session.scalars(
            select(Slot.id)
            .join(Schedule, Slot.schedule_id == Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Schedule.day == schedule.day, Slot.start_time == offered.start_time)
            .where(Department.name == "心血管内科", Slot.status == SlotStatus.FREE)
            .where(Slot.reserved_for_onsite.is_(False))
        ).first()
    assert other is not None
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        appointments.book(
            session, slot_id=other, patient_id=person.id, now=NOW, booked_by_number=None
        )
    answer = service.handle(call_id=call_id, event=Keys("1"), event_key="yes")
    said = " ".join(o.text for o in answer.outputs if isinstance(o, Say))
    assert "同一个时间不能再挂" in said and "哪天去" in said
    # The refusal's day said as the offers say days, never the written 12月1日 星期二; the
    # patient, who is calling, hears 您 (staff pages say 这位老人).
    assert "您明天星期二上午8点已经挂了心血管内科的号" in said and "这位老人" not in said
    assert len(booked(db)) == 1


def test_two_bookings_are_counted_and_each_can_be_heard_and_cancelled(
    service: CallService, db: Database
) -> None:
    """P6: "已经挂了两个号"; 1 keeps the first and reads the second; 8, 8 cancels it."""
    call(service, "+8613800000001", "2", "1", "1", "1")  # 心血管内科
    call(service, "+8613800000001", "2", "1", "3", "1", "1")  # 其他科 -> 眼科
    lines = call(
        service, "+8613800000001", "2", "2", _last_four(db, "张秀英"), "1", "8", "8"
    )
    assert any("您已经挂了两个号" in line for line in lines), lines
    assert any("第一个号是：" in line and "心血管内科" in line for line in lines)
    assert any("第二个号是：" in line and "眼科" in line for line in lines)
    assert any("这个号已经取消了" in line for line in lines)
    assert _statuses(db) == {
        "心血管内科": [AppointmentStatus.BOOKED],
        "眼科": [AppointmentStatus.CANCELLED],
    }


def test_the_same_department_again_names_the_booking_and_asks_first(
    service: CallService, db: Database
) -> None:
    """P7: 心血管内科 booked for tomorrow; choosing it again says it is booked (its day and
    hospital only after the last four ID digits, issue 9)."""
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(service, "+8613800000001", "2", "1", "1", "1", "2")
    assert any(
        "您已经挂了号。还要再挂一个心血管内科的号，请按1" in line
        for line in lines
    ), lines
    assert any("好的，没有挂新的号。原来挂的号还在" in line for line in lines)
    assert not any("最早的号是" in line for line in lines)
    assert len(booked(db)) == 1
    # A second visit wanted: 1, then the offer (another day) as before.
    again = call(service, "+8613800000001", "2", "1", "1", "1", "1", "1")
    assert any("最早的号是：后天星期三" in line for line in again), again
    assert len(booked(db)) == 2


def test_keeping_the_booking_ends_the_call_and_1_never_books_another(
    service: CallService, db: Database
) -> None:
    """P16: after "这个号留着" the call ends; it does not go back to "再挂一个新的号"."""
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(service, "+8613800000001", "2", "2", _last_four(db, "张秀英"), "1", "1")
    keep = lines.index(next(line for line in lines if "这个号给您留着" in line))
    assert "再见" in lines[keep]
    assert not any("要看哪个科" in line for line in lines[keep:])
    assert sum("已经挂了一个号" in line for line in lines) == 1
    assert len(booked(db)) == 1


@pytest.mark.parametrize("answer", ["不消了", "算了"])
def test_a_relative_who_declines_at_the_patient_question_books_nothing_and_gets_the_menu(
    service: CallService, db: Database, answer: str
) -> None:
    """P10: 陈伟 (son of 陈淑珍) says 不消了: no registration, no person, back to the menu."""
    lines = call(service, "+8613900000006", "2", answer, "hangup")
    assert any("好的，没有挂号" in line for line in lines), lines
    assert not any("挂号要先登记" in line or "转接人工" in line for line in lines)
    stop = lines.index(next(line for line in lines if "好的，没有挂号" in line))
    assert any("叫出租车，请按1" in line for line in lines[stop:])


def test_no_at_the_patient_question_explains_who_can_be_booked_for(
    service: CallService, db: Database
) -> None:
    """P10: 不对 / 2 says who can be booked for; 2 there ends without a booking or a person."""
    lines = call(service, "+8613900000006", "2", "2", "2", "hangup")
    assert any("电话里只能给登记过的家人挂号" in line for line in lines), lines
    assert any("好的，没有挂号" in line for line in lines)
    assert not any("转接人工" in line for line in lines)
    person = call(service, "+8613900000006", "2", "不对", "1")
    assert any("挂号要先登记" in line for line in person)
    assert any("转接人工" in line for line in person)


def test_a_department_no_hospital_has_is_said_with_the_nearest_one_by_key(
    service: CallService, db: Database
) -> None:
    """P11 and the older callers' trial: toothache -> 口腔科, which no demo hospital has: said
    so (never "full"), with the nearest department some hospital has by key (老年医学科) and
    a person; it once only said "请换一个科"."""
    lines = call(service, "+8613800000005", "2", "牙齿疼", "1", "hangup")
    said = next(line for line in lines if "挂不了口腔科" in line)
    assert "热线的医院都没有口腔科" in said, said
    assert "可以先看老年医学科，请按1" in said and "转人工，按0" in said, said
    assert not any("挂满了" in line or "转接人工" in line for line in lines)
    after = lines[lines.index(said) :]
    assert any("最早的号是" in line and "老年医学科" in line for line in after), lines


def test_wrong_keys_at_the_department_question_escalate_to_a_person(
    service: CallService,
) -> None:
    """P17: the first wrong key re-prompts slowly in simpler words, the second a person."""
    lines = call(service, "+8613800000008", "2", "5", "6", "7")
    first = lines.index(next(line for line in lines if line.startswith("来电者：5")))
    assert lines[first + 1].startswith("热线（慢速）：")
    assert any(line.startswith("热线（慢速）：看哪个科？") for line in lines[first:])
    assert any("[转接人工：not_understood]" in line for line in lines), lines
    assert not any(line.startswith("来电者：7") for line in lines)  # the call was transferred


def test_the_booking_confirmation_says_the_cancel_deadline(service: CallService) -> None:
    """P18: the phone confirmation says until when it can be cancelled, as the SMS does."""
    lines = call(service, "+8613800000002", "2", "1", "1", "1", "2")
    ending = next(line for line in lines if "以前打电话取消" in line)
    assert "请在今天下午4点以前打电话取消" in ending, ending


def test_wrong_last_four_digits_count_across_calls_and_lock_to_a_person(
    service: CallService, db: Database
) -> None:
    """P9: two wrong answers in one call and one in the next lock the check for 24 hours:
    the right digits in a third call reach a person, not the booking; the patient is texted."""
    call(service, "+8613800000001", "2", "1", "1", "1")
    right = _last_four(db, "张秀英")
    wrong = "0000" if right != "0000" else "1111"
    first = call(service, "+8613800000001", "2", "2", wrong, wrong, "hangup")
    assert sum("后4位不对" in line for line in first) == 2
    second = call(service, "+8613800000001", "2", "2", wrong)
    assert any("工作人员帮您核对身份" in line for line in second), second
    third = call(service, "+8613800000001", "2", "2", right, "hangup")
    assert any("多次输错" in line for line in third), third
    assert any("[转接人工" in line for line in third)
    assert not any("心血管内科" in line for line in third)  # no details, no last-4 question
    assert not any("最后4位" in line for line in third)
    with db.session() as session:
        texts = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.body.contains("多次输错"))
        ).all()
        assert texts and all("张秀英" in t and right not in t for t in texts)
    # A day later the phone check is open again.
    later = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    next_day = build_call_service(Settings(database_url=db.url), db, clock=lambda: later)
    lines = call(next_day, "+8613800000001", "2", "2", right, "1")
    assert any("这个号是" in line for line in lines), lines


@pytest.mark.parametrize("answer", ["算了", "不看了"])
def test_never_mind_at_the_department_question_books_nothing(
    service: CallService, db: Database, answer: str
) -> None:
    """P12 (flow side): 算了 at "您要看哪个科？" is no booking and the menu, not a person."""
    lines = call(service, "+8613800000005", "2", answer, "hangup")
    assert any("好的，没有挂号" in line for line in lines), lines
    assert not any("没有听明白" in line or "转接人工" in line for line in lines)
    assert booked(db) == []


@pytest.mark.parametrize("answer", ["不消了", "莫整了"])
def test_never_mind_at_the_id_number_question_books_nothing_and_gets_the_menu(
    service: CallService, db: Database, answer: str
) -> None:
    """马大爹 has no ID number on file: never-mind at "请输入18位身份证号" is no booking and
    the menu, not "没有听明白" and a person."""
    lines = call(service, "+8613800000010", "2", answer, "hangup")
    assert any("18位" in line for line in lines), lines
    stop = lines.index(next(line for line in lines if "好的，没有挂号" in line))
    assert any("按3" in line for line in lines[stop:]), lines  # the menu again
    assert not any("没有听明白" in line or "转接人工" in line for line in lines)
    assert booked(db) == []


@pytest.mark.parametrize("answer", ["不消了", "要不得"])
def test_never_mind_at_a_relatives_last_four_digits_is_no_booking_and_no_wrong_try(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, DAUGHTER, "2", "1", answer, "hangup")
    assert any("最后4位" in line for line in lines), lines
    stop = lines.index(next(line for line in lines if "好的，没有挂号" in line))
    assert any("按3" in line for line in lines[stop:]), lines  # the menu again
    assert not any(
        "没有听明白" in line or "后4位不对" in line or "转接人工" in line for line in lines
    )
    with db.session() as session:
        mother = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert identity.failures(session, person_id=mother.id, now=NOW) == 0


# --- the trial with older callers (60-90, Yunnan dialect) -------------------------------------

ZHANG = "+8613800000001"  # 张秀英: her son and daughter may book for her, no spouse on file
WANG = "+8613800000002"  # 王建国


def test_a_spouse_not_registered_is_said_so_and_a_booking_for_oneself_names_the_patient(
    service: CallService, db: Database
) -> None:
    """"给我老伴挂个号" from a caller with no spouse registered: never a booking for the
    caller in silence; said that the spouse must be registered first (or a person, 0), and
    a booking for themself then says whose it is at the offer and the confirmation."""
    lines = call(service, ZHANG, "给我老伴挂个号", "1", "1", "1", "1", "2")
    said = "\n".join(lines)
    # Keys first, the long detail with its 0 last, the relative named once each time.
    assert (
        "您老伴还没有登记，电话里挂不了。给您自己挂号，请按1。不挂了，请按2。"
        "您老伴要先登记，请家里人或社区工作人员帮忙，找工作人员登记，请按0。"
    ) in said, said
    offer = next(line for line in lines if "最早的号是" in line)
    assert "给您自己挂这个号，请按1" in offer, offer
    assert "给您自己挂好了：明天星期二上午8点" in said
    (appointment,) = booked(db)
    with db.session() as session:
        patient = session.get(Person, appointment.patient_id)
        assert patient is not None and patient.full_name == "张秀英"
        # With her husband registered to let her book for him, he is the one asked about.
        husband = session.scalars(select(Person).where(Person.full_name == "王建国")).one()
        session.add(
            FamilyContact(person_id=husband.id, name="张秀英", relation="妻子", phone=ZHANG)
        )
        session.commit()
    lines = call(service, ZHANG, "给我老伴挂个号", "hangup")
    assert any("是给您老伴王建国挂号吗" in line for line in lines), lines


def test_a_plain_no_at_an_offer_asks_what_instead_and_no_expert_keeps_an_ordinary_one(
    service: CallService, db: Database
) -> None:
    """"不要专家" at an ordinary offer keeps it (it is no expert's); "不对不对" asks what the
    caller wants (another time 1, another department 2, a person 0): both once gave a later
    slot unasked."""
    lines = call(service, ZHANG, "2", "1", "1", "不要专家", "不对不对", "2", "hangup")
    offers = [line for line in lines if "给您自己挂这个号" in line]
    assert len(offers) == 2 and "这个是普通号，不是专家号。" in offers[1], lines
    assert "明天星期二上午8点" in offers[1]  # the same slot again
    assert not any("晚一点的号是" in line for line in lines), lines
    what = next(line for line in lines if "这个号不挂" in line)
    assert "换个时间，请按1；换个科室，请按2；找人工，请按0" in what
    assert any("要看哪个科" in line for line in lines[lines.index(what) :])  # 2: department
    assert booked(db) == []


def test_asking_for_ones_booking_with_none_is_said_and_booking_offered(
    service: CallService, db: Database
) -> None:
    """"我挂的号是哪天" with nothing booked went straight to a person: now "您现在没有挂号"
    and booking by key; with a booking, its details only after the last four digits."""
    lines = call(service, WANG, "我挂的号是哪天", "1", "hangup")
    said = "\n".join(lines)
    assert "您现在没有挂号。要挂号，请按1" in said and "转接人工" not in said, said
    assert "要看哪个科" in said
    # A relative: whose, then the last four digits before even "none" is said.
    lines = call(service, DAUGHTER, "我挂的号是哪天", "1", _last_four(db, "张秀英"), "hangup")
    said = "\n".join(lines)
    whose, ask = said.find("是问您母亲张秀英挂的号吗"), said.find("身份证号的最后4位")
    assert 0 <= whose < ask < said.find("您母亲张秀英现在没有挂号"), said
    call(service, WANG, "2", "1", "1", "1", "2")  # 心血管内科, the earliest slot, no car
    lines = call(service, WANG, "我挂的号是哪天", _last_four(db, "王建国"), "1")
    ask = next(i for i, line in enumerate(lines) if "身份证号的最后4位" in line)
    details = next(i for i, line in enumerate(lines) if "这个号是：" in line)
    assert ask < details and "心血管内科" not in "".join(lines[:ask]), lines


def test_a_booking_is_moved_by_phone_at_once_and_the_new_time_is_texted(
    service: CallService, db: Database
) -> None:
    """改时间: after the last four digits the next free slots of the same department and
    hospital are offered; 1 moves the booking in one transaction (the old slot freed, the
    new one taken), the hospital's list shows why the old one went, the SMS says the new
    time."""
    call(service, ZHANG, "2", "1", "1", "1", "2")  # 明天星期二上午8点 心血管内科
    (old,) = booked(db)
    lines = call(service, ZHANG, "2", "2", _last_four(db), "改时间", "2", "1")
    said = "\n".join(lines)
    assert "您自己的号可以改到：明天星期二下午2点，春城第一人民医院，心血管内科" in said, said
    assert "您自己的号，晚一点的可以改到：后天星期三上午8点" in said
    assert "您自己的号改好了：后天星期三上午8点" in said
    assert "原来明天星期二上午8点心血管内科的号已经取消了" in said
    (new,) = booked(db)
    assert new.id != old.id and new.day == date(2026, 12, 2)
    with db.session() as session:
        gone = session.get(Appointment, old.id)
        assert gone is not None and gone.status == AppointmentStatus.CANCELLED
        assert gone.cancel_reason == "来电改时间，改到12月2日 星期三 上午 08:00"
        assert session.get(Slot, old.slot_id).status == SlotStatus.FREE  # type: ignore[union-attr]
        assert session.get(Slot, new.slot_id).status == SlotStatus.BUSY  # type: ignore[union-attr]
        texts = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.body.contains("改时间成功"))
        ).all()
    assert texts and all("12月2日 星期三 上午 08:00" in t for t in texts), texts


def test_a_move_into_a_slot_taken_meanwhile_leaves_the_booking_as_it_was(db: Database) -> None:
    """The move is atomic: a slot taken by someone else refuses it, nothing changes."""
    from app.hospital import moves
    from app.hospital.errors import BookingError

    demo_data(db, today=TODAY)
    with db.session() as session:
        people = session.scalars(select(Person).order_by(Person.id)).all()
        slots = session.scalars(
            select(Slot)
            .join(Schedule)
            .where(Schedule.day == date(2026, 12, 2), Slot.reserved_for_onsite.is_(False))
            .where(Slot.reserved_for_family_doctor.is_(False))
            .order_by(Slot.id)
        ).all()
        mine = appointments.book(
            session, slot_id=slots[0].id, patient_id=people[0].id, now=NOW,
            booked_by_number=None,
        )
        other = next(s for s in slots[1:] if s.schedule_id != slots[0].schedule_id)
        appointments.book(
            session, slot_id=other.id, patient_id=people[1].id, now=NOW, booked_by_number=None
        )
        with pytest.raises(BookingError) as refused:
            moves.move(
                session, appointment_id=mine.id, slot_id=other.id, now=NOW, reason="测试",
                booked_by_number=None,
            )
        assert refused.value.code == "slot_taken"
        kept = session.get(Appointment, mine.id)
        assert kept is not None and kept.status == AppointmentStatus.BOOKED
        assert session.get(Slot, slots[0].id).status == SlotStatus.BUSY  # type: ignore[union-attr]


# --- the tenth call trial (docs/hospital_calls.md, "Decisions after the tenth call trial") ---


@pytest.mark.parametrize(
    ("request_said", "heard"),
    [
        ("我要挂眼科", "最早的号是：明天星期二上午8点，春城第一人民医院，眼科"),
        ("我要挂口腔科", "热线的医院都没有口腔科"),
    ],
)
def test_a_department_said_with_the_request_at_the_menu_is_not_asked_again(
    service: CallService, request_said: str, heard: str
) -> None:
    said = all_said(call(service, "+8613800000001", request_said, "hangup"))
    assert heard in said, said
    assert "您要看哪个科" not in said, said


def test_no_booking_offers_the_way_back_and_takes_a_request_as_the_menu_does(
    service: CallService,
) -> None:
    said = all_said(call(service, "+8613800000002", "我挂的号是哪天", "车到哪里了", "hangup"))
    assert "您现在没有挂号。要挂号，请按1。办别的事，请按9。转人工，按0。" in said, said
    assert "没有听明白" not in said and "您现在没有叫车" in said, said


def test_another_day_or_not_moving_at_a_move_offer_and_never_a_goodbye_on_keeping(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "2")  # 明天星期二上午8点 心血管内科
    lines = call(service, ZHANG, "2", "2", _last_four(db), "3", "换一天", "3", "hangup")
    assert "您自己的号，换一天可以改到：后天星期三上午8点" in all_said(lines), lines
    after = all_said(lines).split("不改了，请按3")[-1]
    assert "好的，这个号给您留着。" in after and "叫车到您家，按1" in after, after
    assert "再见" not in after, after
    assert len(booked(db)) == 1


def test_a_bare_hum_at_the_offer_is_asked_again_plainly_and_books_nothing(
    service: CallService, db: Database
) -> None:
    said = all_said(call(service, "+8613800000001", "2", "1", "1", "嗯", "hangup"))
    assert "是要给您自己挂这个号吗？挂这个号，请按1。" in said, said
    assert "挂好了" not in said and booked(db) == []


def test_an_expert_asked_for_at_the_offer_is_offered_the_earliest_experts_slot(
    service: CallService, db: Database
) -> None:
    said = all_said(call(service, "+8613800000001", "2", "1", "1", "我要看专家", "1", "2"))
    assert "最早的专家号是：明天星期二上午8点，春城第一人民医院，心血管内科" in said, said
    assert "没有听明白" not in said, said
    (appointment,) = booked(db)
    with db.session() as session:
        slot = session.get(Slot, appointment.slot_id)
        assert slot is not None
        schedule = session.get(Schedule, slot.schedule_id)
        assert schedule is not None
        doctor = session.get(Doctor, schedule.doctor_id)
        assert doctor is not None and doctor.clinic_type == ClinicType.EXPERT


def test_a_caller_not_registered_herself_is_offered_her_relative_when_the_spouse_is_not(
    service: CallService,
) -> None:
    """李梅 is only her mother's family contact: "给您自己挂号" led to a person; now her
    mother, whom she may book for, is key 1."""
    said = all_said(call(service, "+8613900000001", "给我老伴挂个号", "1", "hangup"))
    assert "您老伴还没有登记，电话里挂不了。给您母亲张秀英挂号，请按1。" in said, said
    assert "给您自己挂号" not in said, said
    assert "请输入您母亲张秀英身份证号的最后4位" in said, said
    # "给我自己" there is not key 1 (her mother): she is asked again, nobody is chosen.
    said = all_said(call(service, "+8613900000001", "给我老伴挂个号", "给我自己", "hangup"))
    assert "请输入您母亲张秀英身份证号的最后4位" not in said, said


def test_a_caller_not_registered_herself_who_asks_for_herself_is_told_so(
    service: CallService,
) -> None:
    """Eleventh trial: 李梅 said "给我自己挂个号" and heard "是给您母亲张秀英挂号吗？", then
    "没有听明白" and a person. Now she hears she is not registered herself, her mother at 1."""
    said = all_said(call(service, "+8613900000001", "给我自己挂个号", "1", "hangup"))
    assert "您自己还没有登记，电话里给您自己挂不了号。给您母亲张秀英挂号，请按1。" in said, said
    assert "是给您母亲张秀英挂号吗" not in said, said
    assert "请输入您母亲张秀英身份证号的最后4位" in said, said
    # the same words at "是给您母亲张秀英挂号吗？"
    lines = call(service, "+8613900000001", "2", "给我自己挂", "hangup")
    assert "您自己还没有登记" in all_said(lines), lines
    assert "没有听明白" not in all_said(lines) and "   [转接人工：not_understood]" not in lines


@pytest.mark.parametrize(
    ("number", "turns"),
    [
        ("+8613900000001", ("2", "1", "记不得")),  # a relative's last four digits
        ("+8613900000001", ("2", "1", "身份证掉了")),
        ("+8613800000010", ("2", "身份证丢了")),  # 马大爹: the 18-digit number (none on file)
    ],
)
def test_not_knowing_the_last_four_digits_is_a_person_at_once(
    service: CallService, number: str, turns: tuple[str, ...]
) -> None:
    """No number to give (记不得, and 身份证丢了 / 掉了, eleventh trial) is a person at once."""
    lines = call(service, number, *turns)
    assert "没有听明白" not in all_said(lines), lines
    assert "   [转接人工：asked]" in lines


def test_a_department_no_hospital_has_offers_no_booking_and_a_shorter_retry(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000001", "我要挂口腔科", "5", "2")
    said = all_said(lines)
    assert "可以先看老年医学科，请按1。不挂了，请按2。转人工，按0。" in said, said
    assert "没有这个选项，请再按一遍。\n热线：看老年医学科，按1。不挂了，按2。转人工，按0。" in said
    assert said.count("热线的医院都没有口腔科") == 1, said
    assert "好的，没有挂号。" in said and booked(db) == []


@pytest.mark.parametrize("answer", ["好嘞 就挂这个", "要得", "行 就看这个"])
def test_a_yes_to_the_one_department_offered_instead_takes_it(
    service: CallService, answer: str
) -> None:
    """A user trial: "好嘞 就挂这个" at "可以先看老年医学科，请按1" was asked again; a yes to
    a menu offering one department is that department, as its key."""
    said = all_said(call(service, "+8613800000001", "我要挂口腔科", answer, "hangup"))
    assert "可以先看老年医学科，请按1" in said, said
    after = said[said.index("可以先看老年医学科") :]
    assert "最早的号是" in after and "老年医学科" in after.split("最早的号是")[1], said
    assert "没有听明白" not in said


def test_a_yes_to_two_departments_offered_instead_asks_which(service: CallService) -> None:
    """With two departments offered (肾内科: 内分泌科 or 老年医学科), a yes names neither: which
    one is asked, in the menu's fewer words, and a key then takes it."""
    said = all_said(call(service, "+8613800000001", "我要挂肾内科", "好的 就挂这个", "2", "hangup"))
    assert "可以先看内分泌科，请按1；看老年医学科，请按2" in said, said
    assert "好的。看哪一个科？\n热线：看内分泌科，按1。看老年医学科，按2。" in said, said
    assert "老年医学科" in said.split("最早的号是")[1], said


def test_none_of_a_groups_departments_goes_back_to_the_groups(service: CallService) -> None:
    said = all_said(call(service, "+8613800000001", "2", "1", "9", "莫得", "3", "hangup"))
    assert "按3，老年医学科；都不是，按9。" in said, said
    assert said.count("您要看哪个科？内科，请按1；外科，请按2；其他科，请按3。") == 2, said
    assert "其他科：按1，眼科" in said and "没有听明白" not in said, said


def test_a_group_of_one_department_says_which_department_is_offered(
    service: CallService,
) -> None:
    said = all_said(call(service, "+8613800000001", "2", "2", "hangup"))
    assert "外科只有骨科。最早的号是：明天星期二上午8点，春城第一人民医院，骨科" in said, said


@pytest.mark.parametrize(
    ("answer", "heard"),
    [
        ("给我妈挂", "请输入您母亲张秀英身份证号的最后4位"),  # the read-back said again: a yes
        ("张秀英", "请输入您母亲张秀英身份证号的最后4位"),
        ("给我老伴挂", "电话里只能给登记过的家人挂号"),  # put right: not her mother, a no
    ],
)
def test_the_patient_read_back_is_answered_by_naming_the_patient(
    service: CallService, answer: str, heard: str
) -> None:
    """Eighteenth round of issue 12: "是给您母亲张秀英挂号吗？" answered by naming the person."""
    lines = call(service, "+8613900000001", "2", answer, "hangup")
    said = all_said(lines)
    assert "是给您母亲张秀英挂号吗" in said, lines
    assert heard in said, lines
    assert "没有听明白" not in said, lines


@pytest.mark.parametrize(
    ("answer", "heard", "cancelled"),
    [
        ("心内科那个", "这个号已经取消了", True),  # the booking read back said again: the yes
        ("后天的", "没有听明白", False),  # another day: not 不取消 (keep it), asked again
        ("不取消", "这个号给您留着", False),
    ],
)
def test_the_cancel_read_back_answered_by_naming_a_detail(
    service: CallService, db: Database, answer: str, heard: str, cancelled: bool
) -> None:
    call(service, "+8613800000001", "2", "1", "1", "1")
    lines = call(
        service, "+8613800000001", "2", "2", _last_four(db, "张秀英"), "8", answer, "hangup"
    )
    assert any("要取消明天星期二上午8点心血管内科的号吗" in line for line in lines), lines
    assert heard in all_said(lines), lines
    assert len(booked(db)) == (0 if cancelled else 1)


@pytest.mark.parametrize("answer", ["八点太早了 我起不来 有没有下午的", "九点来不了 下午嘛"])
def test_an_hour_refused_with_a_half_day_wanted_is_never_read_back_as_wanted(
    service: CallService, answer: str
) -> None:
    """A user trial: "八点太早了 我起不来 有没有下午的" at the offer of 8:00 was read back as
    "您说的是明天星期五上午8点。这天上午8点没有空的号" before the afternoon was offered."""
    said = all_said(call(service, "+8613800000001", "2", "1", "1", answer, "hangup"))
    after = said[said.index(answer) :]
    assert "上午8点没有空的号" not in after and "您说的是明天星期二上午" not in after, said
    assert "您说的是明天星期二下午" in after, said


def test_the_time_asked_back_at_the_offer_says_the_offer_again(service: CallService) -> None:
    """A user trial: "几点钟 你说几点钟" at the offer was "没有听明白" (counted towards a
    person); a detail of the question asked back is the question said again."""
    lines = call(service, "+8613800000001", "2", "1", "1", "几点钟 你说几点钟", "hangup")
    said = all_said(lines)
    after = said[said.index("几点钟 你说几点钟") :]
    assert "没有听明白" not in after, said
    assert "明天星期二上午8点" in after, said
