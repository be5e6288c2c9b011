"""The reminder call's outcome in the hospital's day list: confirmed, cancelled in the
call, not reached (with the next try), an answering machine, the family told; nothing for
a booking whose call is still to come. Through the reminder service, as the webhooks
record it."""

from __future__ import annotations

from datetime import timedelta

from hospital_helpers import DAY, NOW, WANG, ZHANG, book, hospital_id
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hospital import day_list as hospital_day
from app.hospital import reminders
from app.hospital.models import Appointment, AppointmentReminder

TUESDAY = DAY + timedelta(days=1)
BEFORE = NOW - timedelta(hours=1)  # Monday 9:00: the reminders (10:00) are still to come
THIRD = "+8613800000003"
FOURTH = "+8613800000004"
FIFTH = "+8613800000005"


def _reminder(db: Database, appointment_id: int) -> int:
    with db.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        reminder = reminders.schedule_for(session, appointment, now=BEFORE,
                                          settings=Settings(database_url=db.url))
        assert reminder is not None
        reminder.status = "calling"  # the scheduler placed it
        return reminder.id


def _bookings(db: Database) -> dict[str, int]:
    """Five Tuesday bookings with their first reminder try placed."""
    ids = {name: book(db, number, day=TUESDAY) for name, number in (
        ("confirmed", ZHANG), ("cancelled", WANG), ("no_answer", THIRD),
        ("machine", FOURTH), ("not_yet", FIFTH))}
    return ids


def _labels(db: Database) -> dict[int, tuple[str, str]]:
    with db.session() as session:
        rows = hospital_day.day_list(session, hospital_id=hospital_id(db), day=TUESDAY)
    return {row.appointment_id: (row.reminder_label, row.reminder_kind) for row in rows}


def test_each_booking_shows_what_came_of_its_reminder_call(demo: Database) -> None:
    ids = _bookings(demo)
    settings = Settings(database_url=demo.url, appointment_reminder_tries=2)
    tries = {name: _reminder(demo, ids[name]) for name in ids if name != "not_yet"}
    with demo.session() as session:
        reminders.attach_call(session, reminder_id=tries["confirmed"], call_sid="CA1")
        reminders.record_answer(session, reminder_id=tries["confirmed"], answer="ride_booked")
        reminders.attach_call(session, reminder_id=tries["cancelled"], call_sid="CA2")
        reminders.record_answer(session, reminder_id=tries["cancelled"], answer="cancelled")
        for name in ("confirmed", "cancelled"):
            reminders.call_finished(session, reminder_id=tries[name], call_status="completed",
                                    now=NOW, settings=settings)
        reminders.call_finished(session, reminder_id=tries["no_answer"],
                                call_status="no-answer", now=NOW, settings=settings)
        reminders.machine_answered(session, reminder_id=tries["machine"], call_sid="CA4")
    labels = _labels(demo)
    assert labels[ids["confirmed"]] == ("已接听，约了车", "confirmed")
    assert labels[ids["cancelled"]] == ("已在电话里取消", "cancelled")
    retry_at = (NOW + timedelta(minutes=30)).astimezone(LOCAL_TZ)
    assert labels[ids["no_answer"]] == (f"第1次没有接通，{retry_at:%H:%M}再打", "unreached")
    assert labels[ids["machine"]] == ("答录机接听，未接通", "unreached")
    assert labels[ids["not_yet"]] == ("", "")

    with demo.session() as session:  # the machine's try ends; the last no-answer try too
        reminders.call_finished(session, reminder_id=tries["machine"], call_status="completed",
                                now=NOW, settings=settings)
        second = session.scalars(select(AppointmentReminder.id).where(
            AppointmentReminder.appointment_id == ids["no_answer"],
            AppointmentReminder.attempt == 2)).one()
        reminders.call_finished(session, reminder_id=second, call_status="busy",
                                now=NOW + timedelta(minutes=30), settings=settings)
    labels = _labels(demo)
    assert labels[ids["no_answer"]] == ("多次没有接通，已短信告诉家属", "unreached")
    assert labels[ids["machine"]][1] == "unreached"
