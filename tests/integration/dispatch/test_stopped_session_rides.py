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


def test_a_ride_booked_before_and_only_joined_is_kept_and_everyone_told(db: Database) -> None:
    """hospital_trips.car_fate: a 停诊 cancels a car booked for the visit, but a ride booked
    before it (here by a son, to that hospital at 7:00) had a purpose of its own: it is kept,
    not counted on the confirmation page, and the one message to the patient, the daughter
    who booked the visit and the son who booked the car says it still comes."""
    from app.notify.models import OutboxMessage
    from support.booked import book_ride, kunming

    demo_data(db, today=TODAY)
    son, daughter = "+8613900000003", "+8613900000004"
    ride_id = book_ride(db, number=ZHANG, pickup=kunming(1, 7), now=NOW)  # Tuesday 1 Dec
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.caller_number, ride.destination = son, "春城第一人民医院"
        slot = session.scalars(
            select(Slot)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(
                Schedule.day == date(2026, 12, 1), Schedule.session == ClinicSession.AM,
                Department.name == "心血管内科", Slot.status == SlotStatus.FREE,
                Slot.reserved_for_onsite.is_(False), Slot.reserved_for_family_doctor.is_(False),
            )
            .order_by(Slot.start_time)
        ).first()
        assert slot is not None
        patient_id = ride.person_id
        assert patient_id is not None
        appointment = appointments.book(session, slot_id=slot.id, patient_id=patient_id,
                                        now=NOW, booked_by_number=daughter)
        trip = hospital_trips.join_morning_ride(
            session, appointment_id=appointment.id, now=NOW,
            settings=Settings(database_url=db.url),
        )
        assert trip is not None and trip.joined and trip.ride.id == ride_id
        schedule_id, appointment_id = slot.schedule_id, appointment.id
    with db.session() as session:
        assert hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule_id) == []
        assert hospital_trips.rides_a_stop_keeps(session, schedule_id=schedule_id) == [ride_id]
        result = desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="医生生病")
    assert (result.cancelled, result.rides_cancelled) == (1, 0)
    with db.session() as session:
        kept = session.get(Ride, ride_id)
        assert kept is not None and kept.status == RideStatus.SCHEDULED
        sent = dict(session.execute(
            select(OutboxMessage.to_number, OutboxMessage.body).where(
                OutboxMessage.idempotency_key.like(f"hospital-stop:{appointment_id}%"))).all())
    assert {ZHANG, daughter, son} <= sent.keys()
    for body in sent.values():
        assert "停诊" in body and "车没有取消，照常来接您" in body and "明天早上7点" in body
        assert "车也已取消" not in body


def test_a_car_booked_for_the_visit_is_cancelled_and_its_booker_told(
    booked: tuple[Database, Appointment, Ride],
) -> None:
    """The car the patient took after booking is cancelled with the 停诊; a relative who
    booked that car from their own phone hears it in the same message as the patient."""
    from app.notify.models import OutboxMessage

    db, appointment, ride = booked
    relative = "+8613900000005"
    with db.session() as session:
        linked = session.get(Ride, ride.id)
        assert linked is not None
        linked.caller_number = relative
    with db.session() as session:
        desk.stop_session(session, schedule_id=_schedule_of(db, appointment), now=NOW,
                          reason="设备故障")
    with db.session() as session:
        sent = dict(session.execute(
            select(OutboxMessage.to_number, OutboxMessage.body).where(
                OutboxMessage.idempotency_key.like(f"hospital-stop:{appointment.id}%"))).all())
    assert {ZHANG, relative} <= sent.keys()
    assert all("去医院的车也已取消" in body for body in sent.values())
