"""What a 停诊 does to the cars linked to its bookings, at the service level (SQLite and
PostgreSQL): the count the confirmation page shows is exactly what the stop cancels, a car
shared with a booking of another session is neither counted nor cancelled, and dispatch's
list (`ahead.stopped_list`) holds the cancelled ones until their pickup time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments, desk
from app.hospital.enums import ClinicSession, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hotline import build_call_service
from app.taxi import ahead, hospital_trips
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from support.calls import play
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张秀英 (张奶奶)
TODAY = date(2026, 11, 30)  # as the hospital trip call tests
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
BOOK_CARDIOLOGY_WITH_CAR = ("2", "1", "1", "1", "1")


@pytest.fixture
def booked(db: Database) -> tuple[Database, Appointment, Ride]:
    demo_data(db, today=TODAY)
    calls = build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)
    play(calls, ZHANG, *BOOK_CARDIOLOGY_WITH_CAR)
    with db.session() as session:
        appointment = session.scalars(select(Appointment)).one()
        ride = session.scalars(select(Ride)).one()
        session.expunge_all()
    assert ride.status == RideStatus.SCHEDULED
    return db, appointment, ride


def _schedule_of(db: Database, appointment: Appointment) -> int:
    with db.session() as session:
        slot = session.get(Slot, appointment.slot_id)
        assert slot is not None
        return slot.schedule_id


def test_the_count_is_what_the_stop_cancels_and_dispatch_lists_it(
    booked: tuple[Database, Appointment, Ride],
) -> None:
    db, appointment, ride = booked
    schedule_id = _schedule_of(db, appointment)
    with db.session() as session:
        assert hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule_id) == [ride.id]
        assert ahead.stopped_list(session, now=NOW) == []
        result = desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="设备故障")
    assert result.rides_cancelled == 1
    with db.session() as session:
        assert hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule_id) == []
        [entry] = ahead.stopped_list(session, now=NOW)
        assert (entry.ride_id, entry.reason, entry.person_name) == (ride.id, "设备故障", "张奶奶")
        assert entry.destination is not None and "医院" in entry.destination
        assert ride.pickup_at is not None
        assert ahead.stopped_list(session, now=ride.pickup_at) != []  # until pickup time
        later = ride.pickup_at + timedelta(minutes=1)
        assert ahead.stopped_list(session, now=later) == []
        # A ride an operator cancelled is not "因停诊取消".
        other = session.get(Ride, ride.id)
        assert other is not None
        other.cancel_reason = "来电者不需要了"
        assert ahead.stopped_list(session, now=NOW) == []


def test_a_car_shared_with_a_booking_of_another_session_is_not_counted_nor_cancelled(
    booked: tuple[Database, Appointment, Ride],
) -> None:
    db, appointment, ride = booked
    schedule_id = _schedule_of(db, appointment)
    with db.session() as session:  # a second booking the same morning, another department
        first = session.get(Schedule, schedule_id)
        assert first is not None
        slot_id = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(
                Schedule.day == first.day, Schedule.session == ClinicSession.AM,
                Schedule.id != schedule_id, Department.hospital_id == (
                    select(Department.hospital_id)
                    .where(Department.id == appointment.department_id)
                    .scalar_subquery()
                ),
                Department.name != appointment.department_name,
                Slot.status == SlotStatus.FREE, Slot.reserved_for_onsite.is_(False),
                Slot.reserved_for_family_doctor.is_(False),
            )
            .order_by(Slot.start_time.desc())
        ).first()
        assert slot_id is not None
        second = appointments.book(session, slot_id=slot_id, patient_id=appointment.patient_id,
                                   now=NOW, booked_by_number=ZHANG)
        trip = hospital_trips.join_morning_ride(
            session, appointment_id=second.id, now=NOW, settings=Settings(database_url=db.url)
        )
        assert trip is not None and trip.ride.id == ride.id  # one car for both
        links = session.scalars(select(HospitalTrip.ride_id)).all()
        assert links == [ride.id, ride.id]
        assert hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule_id) == []
        result = desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="医生生病")
    assert (result.cancelled, result.rides_cancelled) == (1, 0)
    with db.session() as session:
        kept = session.get(Ride, ride.id)
        assert kept is not None and kept.status == RideStatus.SCHEDULED
        assert ahead.stopped_list(session, now=NOW) == []
