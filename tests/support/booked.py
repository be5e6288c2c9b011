"""Rides booked ahead, made through the booking service (as the phone flow does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.people.models import Person, PersonPhone
from app.taxi import ahead
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.taxi.rules import ride_priority


def kunming(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in Kunming, late November (day > 15) or early December 2026, in UTC."""
    month, day = (11, day) if day > 15 else (12, day)
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def book_ride(
    db: Database,
    *,
    number: str,
    pickup: datetime,
    now: datetime,
    to_hospital: bool = False,
    rules: AheadRules | None = None,
) -> int:
    """Book a ride from the registered person's first saved place; its id."""
    with db.session() as session:
        person_id = session.scalar(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        )
        person = session.get(Person, person_id)
        assert person is not None, number
        place = person.places[0]
        ride = Ride(
            person_id=person.id,
            caller_number=number,
            status=RideStatus.DRAFT,
            pickup_place_id=place.id,
            pickup_address=place.address,
            to_hospital=to_hospital,
            priority=ride_priority(age=None, to_hospital=to_hospital),
        )
        session.add(ride)
        session.flush()
        ahead.book(session, ride, pickup_at=pickup, now=now, rules=rules or AheadRules())
        return ride.id


DAUGHTER = "+8613900000001"  # 李梅, 张奶奶's daughter (demo family contact)
ZHANG = "+8613800000001"  # 张秀英 (张奶奶)
HOSPITAL_PHONES = ["+868715550101", "+868715550102"]  # switchboard first


def released_trip(db: Database, *, now: datetime, plate: str = "云A·D1234") -> int:
    """The daughter books her mother's first free slot of a later day with a car (a hospital
    trip whose caller is the daughter); the hospital has its phones on file and an operator
    named the driver `plate` ahead. The ride is released into the queue: assigned."""
    from app.core.config import Settings
    from app.hospital import appointments
    from app.hospital.enums import SlotStatus
    from app.hospital.models import Department, Schedule, Slot
    from app.scheduler.enums import JobKind
    from app.scheduler.jobs import Job
    from app.taxi import hospital_trips
    from app.taxi.models import Driver

    settings = Settings(database_url=db.url)
    with db.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)).one()
        slot = session.scalars(
            select(Slot).join(Schedule, Schedule.id == Slot.schedule_id)
            .where(Schedule.day > now.astimezone(LOCAL_TZ).date(),
                   Slot.status == SlotStatus.FREE, Slot.reserved_for_onsite.is_(False),
                   Slot.reserved_for_family_doctor.is_(False))
            .order_by(Schedule.day, Slot.start_time, Slot.id)
        ).first()
        assert slot is not None
        appointment = appointments.book(
            session, slot_id=slot.id, patient_id=patient_id, now=now,
            booked_by_number=DAUGHTER, notify=False,
        )
        session.get_one(Department, appointment.department_id).hospital.phones = list(
            HOSPITAL_PHONES
        )
        ride = hospital_trips.book(session, appointment_id=appointment.id, now=now,
                                   settings=settings, caller_number=DAUGHTER).ride
        driver = session.scalars(select(Driver.id).where(Driver.plate == plate)).one()
        ahead.assign_ahead(session, ride_id=ride.id, driver_id=driver,
                           expected_version=ride.version)
        assert ride.pickup_at is not None
        due = ride.pickup_at - timedelta(minutes=30)
        ahead.release(session, Job(id=0, kind=JobKind.RELEASE_RIDE, subject_id=ride.id,
                                   due_at=due), due, notify_voice_call=False)
        assert ride.status == RideStatus.ASSIGNED
        return ride.id
