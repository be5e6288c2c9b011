"""A relative who booked a parent's appointment is told about the car to it, not only the
patient: the patient took the car in the reminder call (so the ride's caller is the
patient), yet the daughter who booked gets the evening reminder and the plate too. The
daughter is not a notified family contact here, so only the booking links her."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments
from app.hospital.enums import SlotStatus
from app.hospital.models import Schedule, Slot
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import FamilyContact, PersonPhone
from app.scheduler.runner import Scheduler
from app.taxi import hospital_trips, rides
from app.taxi.models import Driver, Ride
from support.booked import kunming
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张秀英 (张奶奶)
DAUGHTER = "+8613900000001"  # 李梅
BOOKED_AT = kunming(30, 9)
REMIND_CALL = kunming(30, 10)


@pytest.fixture
def settings(db: Database) -> Settings:
    demo_data(db, today=date(2026, 11, 30))
    return Settings(database_url=db.url)


def _book_for_mother(db: Database, settings: Settings, *, car_caller: str) -> int:
    """The daughter books Tuesday's first slot for her mother; the car is booked later
    with `car_caller` as its caller (the patient, in the reminder call)."""
    with db.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)).one()
        contact = session.scalars(select(FamilyContact).where(
            FamilyContact.person_id == patient_id, FamilyContact.phone == DAUGHTER)).one()
        contact.notify = False  # she is not told of rides as a family contact
        slot_id = session.scalars(
            select(Slot.id).join(Schedule, Schedule.id == Slot.schedule_id)
            .where(Schedule.day == date(2026, 12, 1), Slot.status == SlotStatus.FREE,
                   Slot.reserved_for_onsite.is_(False),
                   Slot.reserved_for_family_doctor.is_(False))
            .order_by(Slot.start_time, Slot.id)
        ).first()
        appointment = appointments.book(
            session, slot_id=slot_id, patient_id=patient_id, now=BOOKED_AT,
            booked_by_number=DAUGHTER, booked_by_contact_id=contact.id, notify=False,
        )
        trip = hospital_trips.book(session, appointment_id=appointment.id, now=REMIND_CALL,
                                   settings=settings, caller_number=car_caller)
        return trip.ride.id


def _sms_to(db: Database, number: str) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to_number == number, OutboxMessage.kind == OutboxKind.SMS)
            .order_by(OutboxMessage.id)))


def test_the_relative_who_booked_gets_the_reminder_and_the_plate(
    db: Database, settings: Settings
) -> None:
    ride_id = _book_for_mother(db, settings, car_caller=ZHANG)
    Scheduler(db, settings, clock=lambda: kunming(30, 19)).run_once()
    assert any("车到家接您" in body for body in _sms_to(db, ZHANG))
    (reminder,) = _sms_to(db, DAUGHTER)
    assert "明天早上7点15分，车到张奶奶家接老人去医院" in reminder

    Scheduler(db, settings, clock=lambda: kunming(1, 6, 45)).run_once()  # released
    with db.session() as session:
        driver = session.scalars(select(Driver).where(Driver.active.is_(True))).first()
        assert driver is not None
        plate = driver.plate
        released = session.get(Ride, ride_id)
        assert released is not None
        rides.assign_driver(session, ride_id=ride_id, driver_id=driver.id, eta_minutes=20,
                            expected_version=released.version)
    told = _sms_to(db, DAUGHTER)
    assert len(told) == 2 and "已为张奶奶派车" in told[1] and plate in told[1]
    assert any(plate in body for body in _sms_to(db, ZHANG))


def test_a_relative_who_is_the_cars_caller_is_told_once(
    db: Database, settings: Settings
) -> None:
    """The daughter took the car herself after booking: she is its caller, told once."""
    _book_for_mother(db, settings, car_caller=DAUGHTER)
    Scheduler(db, settings, clock=lambda: kunming(30, 19)).run_once()
    assert len(_sms_to(db, DAUGHTER)) == 1

