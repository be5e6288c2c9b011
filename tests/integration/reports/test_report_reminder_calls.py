"""The reminder calls the hotline places are counted apart from the calls it receives:
an answered reminder call (a row of `calls`, like any call the engine ran) is not an
incoming call; each try placed is counted once, with what came of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.calls.enums import CallChannel, CallStatus
from app.calls.models import Call
from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments, reminders
from app.hospital.enums import SlotStatus
from app.hospital.models import AppointmentReminder, Schedule, Slot
from app.people.models import PersonPhone
from app.reports.pages import report_csv_text
from app.reports.rows import Period, report_for
from support.demo import demo_data

MONDAY = date(2026, 11, 30)
BOOKED_AT = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
REMIND_AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00: the reminders are placed
CALLERS = ("+8613800000001", "+8613800000002", "+8613800000003", "+8613800000004")


def _book_tuesday(db: Database, number: str) -> int:
    with db.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()
        slot_id = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .where(Schedule.day == MONDAY + timedelta(days=1), Slot.status == SlotStatus.FREE,
                   Slot.reserved_for_onsite.is_(False),
                   Slot.reserved_for_family_doctor.is_(False))
            .order_by(Slot.start_time, Slot.id)
        ).first()
        appointment = appointments.book(session, slot_id=slot_id, patient_id=person_id,
                                        now=BOOKED_AT, booked_by_number=number, notify=False)
        return session.scalars(select(AppointmentReminder.id).where(
            AppointmentReminder.appointment_id == appointment.id)).one()


def _engine_call(db: Database, sid: str, *, start: datetime, number: str) -> None:
    """The row the call service writes for a call it ran (in or out)."""
    with db.session() as session:
        session.add(Call(id=sid, channel=CallChannel.TWILIO, from_number=number,
                         status=CallStatus.COMPLETED, started_at=start,
                         ended_at=start + timedelta(seconds=50)))


def test_reminder_calls_are_counted_apart_from_the_calls_in(db: Database) -> None:
    demo_data(db, today=MONDAY)
    settings = Settings(database_url=db.url)
    kept, cancelled, no_answer, machine = (_book_tuesday(db, n) for n in CALLERS)
    with db.session() as session:  # the scheduler placed all four at 10:00
        for reminder_id in (kept, cancelled, no_answer, machine):
            session.get(AppointmentReminder, reminder_id).status = "calling"
    for reminder_id, sid, number in ((kept, "CAkept", CALLERS[0]),
                                     (cancelled, "CAcancelled", CALLERS[1])):
        with db.session() as session:
            reminders.attach_call(session, reminder_id=reminder_id, call_sid=sid)
        _engine_call(db, sid, start=REMIND_AT, number=number)
    _engine_call(db, "CAincoming", start=REMIND_AT + timedelta(hours=1), number=CALLERS[2])
    with db.session() as session:
        reminders.record_answer(session, reminder_id=kept, answer="kept")
        reminders.record_answer(session, reminder_id=cancelled, answer="cancelled")
        reminders.machine_answered(session, reminder_id=machine, call_sid="CAmachine")
        for reminder_id, status in ((kept, "completed"), (cancelled, "completed"),
                                    (no_answer, "no-answer"), (machine, "completed")):
            reminders.call_finished(session, reminder_id=reminder_id, call_status=status,
                                    now=REMIND_AT + timedelta(minutes=2), settings=settings)
        # the two not reached are tried again at 10:32: not placed yet, not counted
        assert session.scalars(select(AppointmentReminder).where(
            AppointmentReminder.attempt == 2)).all()

    with db.session() as session:
        report = report_for(session, period=Period.of("day", MONDAY))
    assert report.calls == 1  # the incoming call only
    assert report.outcomes["completed"] == 1
    figures = report.reminder_calls
    assert (figures.placed, figures.reached, figures.not_reached) == (4, 2, 2)
    assert (figures.machine, figures.confirmed, figures.cancelled) == (1, 1, 1)
    assert figures.ringing == 0
    csv_text = report_csv_text(report, Period.of("day", MONDAY))
    assert "reminder_calls,placed,calls,4\n" in csv_text
    assert "reminder_calls,machine,calls,1\n" in csv_text
    assert "calls,all,calls,1\n" in csv_text

    with db.session() as session:  # another day: none of them
        other = report_for(session, period=Period.of("day", MONDAY + timedelta(days=1)))
    assert other.reminder_calls.placed == 0 and other.calls == 0
