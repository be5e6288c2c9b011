"""A family contact orders a taxi for the older person from their own phone (issue 10):
through the real flows, call service and database, like the hospital flow's booking for
a relative."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.calls.enums import CallStatus, TransferReason
from app.calls.models import Call
from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.notify.models import OutboxMessage
from app.people.models import FamilyContact, Person, PersonPhone
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.rides import assign_driver
from support.calls import play as call
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张秀英 (张奶奶), home 翠湖南路12号
WANG = "+8613800000002"  # 王建国
LI_MEI = "+8613900000001"  # 张秀英's daughter, a family contact (not registered herself)
ZHANG_HOME = "五华区翠湖南路12号翠湖小区3栋2单元"


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db)


def person_of(db: Database, number: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()


def rides(db: Database) -> list[Ride]:
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def said(lines: list[str], text: str) -> str:
    found = [line for line in lines if text in line]
    assert found, lines
    return found[0]


def test_a_daughter_orders_a_car_to_her_mothers_home_in_three_keys(
    service: CallService, db: Database
) -> None:
    lines = call(service, LI_MEI, "1", "1", "1")
    question = said(lines, "是给您母亲张秀英叫车吗")
    assert "转人工，按0" in question
    # Whose home, with its address: the daughter may live elsewhere (P15).
    home = said(lines, "车到您母亲张秀英家")
    assert "车到您母亲张秀英家（" in home and "）接她。对，按1" in home
    assert "车到家接" not in home
    end = said(lines, "车已经叫了")
    assert "请您母亲在家等车" in end  # she waits, not the daughter who called
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.person_id == person_of(db, ZHANG)  # the mother's ride, her name on it
    assert ride.caller_number == LI_MEI  # the daughter stays the contact
    assert ride.pickup_address == ZHANG_HOME
    # The daughter gets the plate; her mother is the one who waits at home.
    assert "派好后会发短信告诉您车牌号，请您母亲在家等车" in said(lines, "车已经叫了")


def test_another_of_the_mothers_places_by_key(service: CallService, db: Database) -> None:
    lines = call(service, LI_MEI, "1", "1", "2", "2", "1")
    # The mother's 女儿家 is the daughter's own home (您家), a hospital's full name (not
    # 市一院); keys from 1.
    assert "在您家，请按1；在春城第一人民医院，请按2" in said(lines, "在哪里接您母亲张秀英")
    assert "春城第一人民医院" in (rides(db)[0].pickup_address or "")


def test_without_the_taxi_permission_the_relative_orders_only_for_themself(
    service: CallService, db: Database
) -> None:
    with db.session() as session:
        session.execute(
            update(FamilyContact).where(FamilyContact.phone == LI_MEI).values(may_order_taxi=False)
        )
        session.commit()
    lines = call(service, LI_MEI, "1", "hangup")
    assert not any("张秀英" in line for line in lines)
    said(lines, "在哪里接您？")
    assert all(r.person_id is None for r in rides(db))


def test_no_for_the_relative_is_a_car_for_the_caller(service: CallService, db: Database) -> None:
    lines = call(service, LI_MEI, "1", "2", "hangup")
    said(lines, "在哪里接您？")
    assert rides(db)[0].person_id is None


def test_a_registered_caller_who_is_also_a_contact_chooses_from_a_menu(
    service: CallService, db: Database
) -> None:
    # 张奶奶 is also listed as a contact of 王建国 (her neighbour, say).
    with db.session() as session:
        session.add(
            FamilyContact(
                person_id=person_of(db, WANG), name="张秀英", relation="邻居", phone=ZHANG
            )
        )
        session.commit()
    lines = call(service, ZHANG, "1", "2", "1", "1")
    menu = said(lines, "给谁叫车")
    assert "按1，给您自己叫车；按2，给您家人王建国叫车" in menu
    assert "转人工，按0" in menu
    said(lines, "车到您家人王建国家（")
    (ride,) = rides(db)
    assert ride.person_id == person_of(db, WANG) and ride.caller_number == ZHANG
    assert ride.pickup_address == "官渡区金马街道金马小区12栋"


def test_more_than_three_people_are_said_three_at_a_time(
    service: CallService, db: Database
) -> None:
    with db.session() as session:
        others = session.scalars(
            select(Person).where(Person.full_name.in_(["王建国", "李桂芳", "赵德明"]))
        ).all()
        for person in others:
            session.add(
                FamilyContact(person_id=person.id, name="李梅", relation="女儿", phone=LI_MEI)
            )
        session.commit()
    lines = call(service, LI_MEI, "1", "9", "hangup")
    first, second = [line for line in lines if "给谁叫车" in line][:2]
    assert first.count("叫车；") + first.count("叫车。") >= 3 and "按9" in first
    assert "按1，给" in second and "按4" not in first


def test_key_zero_at_the_question_reaches_a_person(service: CallService, db: Database) -> None:
    call(service, LI_MEI, "1", "0")
    with db.session() as session:
        (made,) = session.scalars(select(Call)).all()
    assert made.status == CallStatus.TRANSFERRED
    assert made.transfer_reason == TransferReason.ASKED


def test_a_deactivated_person_is_not_offered(service: CallService, db: Database) -> None:
    with db.session() as session:
        session.execute(update(Person).where(Person.full_name == "张秀英").values(active=False))
        session.commit()
    lines = call(service, LI_MEI, "1", "hangup")
    assert not any("张秀英" in line for line in lines)


def test_when_a_car_is_assigned_the_relative_is_told_it_is_for_the_mother(
    service: CallService, db: Database
) -> None:
    call(service, LI_MEI, "1", "1", "1")
    (ride,) = rides(db)
    with db.session() as session:
        driver = session.scalars(select(Driver).order_by(Driver.id)).first()
        assert driver is not None
        assign_driver(
            session,
            ride_id=ride.id,
            driver_id=driver.id,
            eta_minutes=8,
            expected_version=ride.version,
            notify_voice_call=False,
        )
        session.commit()
        sent = {m.to_number: m.body for m in session.scalars(select(OutboxMessage))}
    assert "已为张奶奶派车" in sent[LI_MEI]  # not "已为您派车": the car is for her mother
    assert "已为您派车" not in sent[LI_MEI]
    assert "+8613900000002" in sent  # the son, notified as a family contact


def test_a_relative_hears_the_parents_ride_under_way_and_orders_no_second_one(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "1", "1")  # the mother orders first
    lines = call(service, LI_MEI, "1", "1", "1", "hangup")
    assert "您母亲张秀英的车，正在为您母亲派车" in said(lines, "您母亲张秀英的车")
    assert not any("车已经叫了" in line for line in lines)
    (ride,) = [r for r in rides(db) if r.status != RideStatus.CALLER_HUNG_UP]
    assert ride.status == RideStatus.QUEUED
    assert ride.caller_number == ZHANG
    assert len(rides(db)) == 1  # no draft either


def test_a_relative_cancels_the_parents_ride_with_8_then_8(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "1", "1")
    lines = call(service, LI_MEI, "1", "1", "8", "8")
    said(lines, "这辆车要取消吗")
    said(lines, "车已经取消了")
    (ride,) = rides(db)
    assert ride.status == RideStatus.CANCELLED


def test_a_trip_to_hospital_goes_to_the_hospital_of_todays_booking(db: Database) -> None:
    """P15: 李桂芳 has no hospital saved; her booking today is where "去医院" goes. Said
    "去医院" before the last four digits (issue 9, call safety), kept on the ride."""
    from datetime import UTC, datetime

    from app.hospital.enums import AppointmentStatus, SlotStatus
    from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot

    demo_data(db, today=date(2026, 11, 30))
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
    clocked = build_call_service(Settings(database_url=db.url), db, clock=lambda: now)
    son = "+8613900000004"  # 赵军, son of 李桂芳
    before = call(clocked, son, "1", "1", "3", "2", "hangup")
    assert "车到您母亲李桂芳家（" in said(before, "接她去医院，哪家医院上车时告诉司机，对吗")
    with db.session() as session:
        mother = session.scalars(select(Person).where(Person.full_name == "李桂芳")).one()
        slot, department, hospital = session.execute(
            select(Slot, Department, Hospital)
            .join(Schedule, Slot.schedule_id == Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .where(Schedule.day == date(2026, 11, 30), Slot.status == SlotStatus.FREE)
            .limit(1)
        ).one()
        slot.status = SlotStatus.BUSY
        session.add(
            Appointment(
                slot_id=slot.id, patient_id=mother.id, department_id=department.id,
                department_name=department.name, day=date(2026, 11, 30),
                session=session.get(Schedule, slot.schedule_id).session,  # type: ignore[union-attr]
                status=AppointmentStatus.BOOKED,
            )
        )
        hospital_name = hospital.name
    lines = call(clocked, son, "1", "1", "3", "1")
    assert "车到您母亲李桂芳家（" in said(lines, "接她去医院，对吗")
    assert not any(hospital_name in line for line in lines)
    assert any(r.status == RideStatus.QUEUED and r.destination == hospital_name for r in rides(db))


@pytest.mark.parametrize(
    ("answer", "heard"),
    [
        ("给我妈叫", "车到您母亲张秀英家"),  # the person read back said again: the yes
        # the spouse named, with a no or a yes: the car is the spouse's, named in the
        # questions, from the caller's places (as "给我老伴叫个车" at the menu)
        ("给我老伴叫", "在哪里接您老伴？"),
        ("不是，给我老伴叫", "在哪里接您老伴？"),
        ("是的，给我老伴叫", "在哪里接您老伴？"),
        # another relative: whose car it is, asked (a person takes the order for them)
        ("不是，给我儿子叫", "这辆车是给谁坐的？"),
        # the caller's own no, or the person offered refused: for herself, as key 2
        ("不是", "在哪里接您？"),
        ("不是我妈，给我自己", "在哪里接您？"),
    ],
)
def test_the_passenger_read_back_answered_by_naming_a_person(
    service: CallService, db: Database, answer: str, heard: str
) -> None:
    """The no of "是给您母亲张秀英叫车吗？" is "给您自己叫" unless it names another person."""
    lines = call(service, LI_MEI, "1", answer, "hangup")
    assert heard in "\n".join(lines), lines
    mothers = [r for r in rides(db) if r.person_id is not None]
    assert bool(mothers) == ("张秀英" in heard)  # the mother's car only when she was meant
