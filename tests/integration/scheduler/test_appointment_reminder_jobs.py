"""Reminder-call jobs with the clock under the test's control: scheduled with the booking,
not for a booking made after the reminder moment, skipped when the booking is cancelled,
dropped when missed until late in the evening."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments
from app.hospital.enums import SlotStatus
from app.hospital.models import AppointmentReminder, Schedule, Slot
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import Person
from app.scheduler.enums import JobStatus
from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler
from support.booked import kunming
from support.demo import demo_data


@pytest.fixture
def settings(db: Database) -> Settings:
    demo_data(db, today=date(2026, 11, 30))
    return Settings(database_url=db.url)


def _book(db: Database, *, day: date, now_day: int, now_hour: int) -> int:
    with db.session() as session:
        patient = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        slot_id = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .where(
                Schedule.day == day,
                Slot.status == SlotStatus.FREE,
                Slot.reserved_for_onsite.is_(False),
                Slot.reserved_for_family_doctor.is_(False),
            )
            .order_by(Slot.start_time, Slot.id)
        ).first()
        appointment = appointments.book(
            session, slot_id=slot_id, patient_id=patient.id, now=kunming(now_day, now_hour),
            booked_by_number="+8613800000001",
        )
        return appointment.id


def _run(db: Database, settings: Settings, day: int, hour: int, minute: int = 0) -> None:
    Scheduler(db, settings, clock=lambda: kunming(day, hour, minute)).run_once()


def _calls(db: Database) -> int:
    with db.session() as session:
        return len(
            session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.kind == OutboxKind.FLOW_CALL)
            ).all()
        )


def test_booked_on_monday_morning_for_tuesday_the_call_is_due_monday_at_ten(
    db: Database, settings: Settings
) -> None:
    appointment_id = _book(db, day=date(2026, 12, 1), now_day=30, now_hour=9)
    with db.session() as session:
        job = session.scalars(select(ScheduledJob)).one()
    assert job.key == f"remind_appointment:{appointment_id}:1"
    assert job.due_at == kunming(30, 10)
    _run(db, settings, 30, 9, 59)
    assert _calls(db) == 0
    _run(db, settings, 30, 10)
    _run(db, settings, 30, 10, 1)  # after a restart: the occurrence is done already
    assert _calls(db) == 1


def test_no_call_for_a_booking_made_after_the_reminder_moment(
    db: Database, settings: Settings
) -> None:
    _book(db, day=date(2026, 12, 1), now_day=30, now_hour=11)
    with db.session() as session:
        assert session.scalars(select(ScheduledJob)).all() == []


def test_a_cancelled_booking_is_not_reminded(db: Database, settings: Settings) -> None:
    appointment_id = _book(db, day=date(2026, 12, 1), now_day=30, now_hour=9)
    with db.session() as session:
        appointments.cancel(
            session, appointment_id=appointment_id, now=kunming(30, 9, 30), reason="test"
        )
    _run(db, settings, 30, 10)
    assert _calls(db) == 0
    with db.session() as session:
        assert session.scalars(select(AppointmentReminder.status)).one() == "skipped"


def test_a_reminder_missed_until_the_evening_is_dropped(db: Database, settings: Settings) -> None:
    _book(db, day=date(2026, 12, 1), now_day=30, now_hour=9)
    _run(db, settings, 30, 20, 5)  # the scheduler was down all day
    assert _calls(db) == 0
    with db.session() as session:
        assert session.scalars(select(ScheduledJob.status)).one() == JobStatus.DROPPED
