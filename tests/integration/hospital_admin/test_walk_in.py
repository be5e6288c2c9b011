"""Walk-ins at the desk into the on-site share (SQLite and PostgreSQL): the slip's visit
number, what is left, and the refusals (check digit, age, day, one per department)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from admin_helpers import NOW, TOMORROW, WANG, ZHANG, person_id, set_up_clinic
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import administration, walk_in
from app.hospital.desk import DeskConflict, DeskError, DeskNotFound
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule
from app.people.enums import ConsentBasis
from app.people.models import Person
from app.people.resident_id import make_resident_id

VISIT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Kunming, the visit day
RULES = {
    "booking_window_days": "7",
    "release_time": "15:00",
    "next_day_close_time": "",
    "cancel_deadline_time": "16:00",
    "cancel_deadline_day": "working",
    "noshow_penalties": "1:30",
    "elderly_share_percent": "0",
    "onsite_share_percent": "50",
}


@pytest.fixture
def session_id(clinic: int, demo: Database) -> int:
    """Tomorrow's session of a new clinic whose rules keep half of each session on site."""
    with demo.session() as session:
        administration.update_rules(session, hospital_id=clinic, form=RULES, actor_id=None, now=NOW)
    doctor_id, _ = set_up_clinic(demo, clinic, capacity=4)
    with demo.session() as session:
        return session.scalars(select(Schedule.id).where(Schedule.doctor_id == doctor_id)).one()


def _id_of(db: Database, number: str) -> str:
    with db.session() as session:
        person = session.get(Person, person_id(db, number))
        assert person is not None and person.id_number is not None
        return person.id_number


def _book(
    db: Database,
    clinic: int,
    schedule_id: int,
    id_number: str,
    name: str = "",
    now: datetime = VISIT,
) -> int:
    with db.session() as session:
        return walk_in.book_walk_in(
            session,
            hospital_id=clinic,
            schedule_id=schedule_id,
            id_number=id_number,
            full_name=name,
            now=now,
        ).id


def test_walk_ins_fill_the_onsite_share_in_visit_order(
    clinic: int, demo: Database, session_id: int
) -> None:
    with demo.session() as session:
        (before,) = walk_in.onsite_sessions(session, hospital_id=clinic, day=TOMORROW)
    assert (before.onsite_total, before.onsite_left, before.department) == (2, 2, "皮肤病门诊")
    first = _book(demo, clinic, session_id, _id_of(demo, ZHANG))
    second = _book(demo, clinic, session_id, _id_of(demo, WANG).lower())
    with demo.session() as session:
        slips = [
            walk_in.slip(session, hospital_id=clinic, appointment_id=a) for a in (first, second)
        ]
        (after,) = walk_in.onsite_sessions(session, hospital_id=clinic, day=TOMORROW)
    assert [(s.visit_number, f"{s.start_time:%H:%M}") for s in slips] == [
        (1, "08:00"),
        (2, "09:00"),
    ]
    assert slips[0].patient_name == "张秀英" and "********" in slips[0].id_masked
    assert after.onsite_left == 0
    newcomer = make_resident_id("530102", date(1950, 1, 1), 5)
    with pytest.raises(DeskConflict, match="现场预留号已经挂完了"):
        _book(demo, clinic, session_id, newcomer, "和奶奶")


def test_a_newcomer_is_registered_in_person(clinic: int, demo: Database, session_id: int) -> None:
    number = make_resident_id("530102", date(1950, 1, 1), 6)
    with pytest.raises(DeskError, match="请填写姓名"):
        _book(demo, clinic, session_id, number)
    _book(demo, clinic, session_id, number, "和奶奶")
    with demo.session() as session:
        person = session.scalars(select(Person).where(Person.id_number == number)).one()
        assert person.full_name == "和奶奶" and person.consent_basis == ConsentBasis.IN_PERSON
        assert person.birth_date == date(1950, 1, 1)


def test_walk_in_refusals(clinic: int, demo: Database, session_id: int) -> None:
    zhang = _id_of(demo, ZHANG)
    wrong_digit = zhang[:17] + ("0" if zhang[17] != "0" else "1")
    young = make_resident_id("530102", date(1990, 5, 5), 7)
    cases: list[tuple[str, str, datetime, type[DeskError], str]] = [
        (wrong_digit, "", VISIT, DeskError, "最后一位不对"),
        ("5301", "", VISIT, DeskError, "18位"),
        (young, "小和", VISIT, DeskConflict, "60 岁及以上"),
        (zhang, "", NOW, DeskConflict, "只能挂今天"),
    ]
    for number, name, now, error, message in cases:
        with pytest.raises(error, match=message):
            _book(demo, clinic, session_id, number, name, now)
    _book(demo, clinic, session_id, zhang)
    with pytest.raises(DeskConflict, match="同一科室一天只能挂一个"):
        _book(demo, clinic, session_id, zhang)


def test_another_hospitals_session_is_not_found(clinic: int, demo: Database) -> None:
    with demo.session() as session:
        foreign = session.scalars(
            select(Schedule.id)
            .join(Doctor)
            .join(Department)
            .join(Hospital)
            .where(Hospital.id != clinic, Schedule.day == TOMORROW)
        ).first()
    assert foreign is not None
    with pytest.raises(DeskNotFound):
        _book(demo, clinic, foreign, _id_of(demo, ZHANG))


def test_a_walk_in_at_the_hour_of_a_phone_booking_is_refused(
    clinic: int, demo: Database, session_id: int
) -> None:
    """P6: the desk goes through the same rule as the phone: no two visits in one hour."""
    from app.hospital import appointments
    from app.hospital.enums import SlotStatus
    from app.hospital.models import Slot
    from app.hospital.rules import times_clash

    with demo.session() as session:
        onsite = session.scalars(
            select(Slot.start_time)
            .where(Slot.schedule_id == session_id, Slot.reserved_for_onsite.is_(True))
            .order_by(Slot.start_time)
        ).first()
        assert onsite is not None
        phone_slot = next(
            slot.id
            for slot in session.scalars(
                select(Slot)
                .join(Schedule, Slot.schedule_id == Schedule.id)
                .where(
                    Schedule.day == TOMORROW,
                    Schedule.id != session_id,
                    Slot.status == SlotStatus.FREE,
                    Slot.reserved_for_onsite.is_(False),
                )
            )
            if times_clash(slot.start_time, onsite)
        )
        appointments.book(
            session,
            slot_id=phone_slot,
            patient_id=person_id(demo, ZHANG),
            now=NOW,
            booked_by_number=ZHANG,
        )
    with pytest.raises(DeskConflict) as err:
        _book(demo, clinic, session_id, _id_of(demo, ZHANG))
    assert "同一个时间不能再挂" in str(err.value)


def test_a_walk_in_already_checked_in_is_not_booked_again(
    clinic: int, demo: Database, session_id: int
) -> None:
    """Eighth trial: booked, checked in (已签到), then the same ID card again: refused, as
    the phone refuses a second booking in the same department that day."""
    from app.hospital import desk

    first = _book(demo, clinic, session_id, _id_of(demo, ZHANG))
    with demo.session() as session:
        desk.check_in(session, appointment_id=first, now=VISIT, hospital_id=clinic)
    with pytest.raises(DeskConflict, match="已经挂了皮肤科的号"):
        _book(demo, clinic, session_id, _id_of(demo, ZHANG))
    with demo.session() as session:
        booked = session.scalars(
            select(Appointment.id).where(Appointment.patient_id == person_id(demo, ZHANG))
        ).all()
    assert booked == [first]


def test_two_desks_booking_the_same_walk_in_at_once_book_one(
    clinic: int, demo: Database, session_id: int
) -> None:
    """Two desks read the same ID card at the same moment: one booking, and the other
    desk hears why (not "someone took the slot")."""
    import threading
    import time

    number = _id_of(demo, ZHANG)
    first = demo.sessions()
    walk_in.book_walk_in(
        first, hospital_id=clinic, schedule_id=session_id, id_number=number,
        full_name="", now=VISIT,
    )  # the first desk's booking, not yet committed
    refusals: list[BaseException] = []

    def second_desk() -> None:
        try:
            _book(demo, clinic, session_id, number)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            refusals.append(exc)

    other = threading.Thread(target=second_desk)
    other.start()
    time.sleep(0.5)
    first.commit()
    first.close()
    other.join(timeout=30)
    assert len(refusals) == 1 and isinstance(refusals[0], DeskConflict), refusals
    assert "已经挂了皮肤科的号" in str(refusals[0])
    with demo.session() as session:
        count = session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.patient_id == person_id(demo, ZHANG),
                Appointment.status == AppointmentStatus.BOOKED,
            )
        )
    assert count == 1
