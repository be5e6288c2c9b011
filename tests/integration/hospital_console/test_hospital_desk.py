"""app.hospital.desk on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hospital_helpers import (
    DAUGHTER,
    DAY,
    NOW,
    SECOND,
    WANG,
    ZHANG,
    book,
    hospital_id,
    schedule_of,
)
from sqlalchemy import select

from app.core.db import Database
from app.hospital import audit as hospital_audit
from app.hospital import day_list as hospital_day
from app.hospital import desk as hospital_desk
from app.hospital.enums import AppointmentStatus, ScheduleStatus, SlotStatus
from app.hospital.models import Appointment, Schedule, Slot
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import Person, PersonPhone
from app.staff.models import StaffUser


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _person(db: Database, number: str) -> Person:
    with db.session() as session:
        person = session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == number)
        ).one()
        session.expunge(person)
        return person


def test_day_list_shows_only_the_hospitals_bookings_masked(demo: Database) -> None:
    own = book(demo, ZHANG)
    family = book(demo, WANG, department="骨科", booked_by=DAUGHTER)
    other = book(demo, ZHANG, hospital=SECOND, department="眼科")
    book(demo, WANG, day=DAY + timedelta(days=1))  # another day
    with demo.session() as session:
        rows = hospital_day.day_list(session, hospital_id=hospital_id(demo), day=DAY)
        second = hospital_day.day_list(
            session, hospital_id=hospital_id(demo, SECOND), day=DAY
        )
    assert [r.appointment_id for r in rows] == [own, family]  # departments in hospital order
    assert [r.appointment_id for r in second] == [other]
    zhang = rows[0]
    person = _person(demo, ZHANG)
    assert person.id_number is not None
    assert zhang.id_masked == person.id_number[:6] + "********" + person.id_number[-4:]
    assert zhang.phone_masked == "138****0001"
    assert not zhang.booked_by_family and zhang.booked_via == "本人电话预约"
    assert zhang.elderly and zhang.age is not None and zhang.age >= 60
    assert zhang.status is AppointmentStatus.BOOKED and zhang.status_label == "已预约"
    assert rows[1].booked_by_family and rows[1].booked_via == "家属代约"
    assert rows[1].booked_by_masked == "139****0001"
    text = repr(rows)
    assert person.id_number not in text and "13800000001" not in text


def test_check_in_sets_arrived_once_and_only_in_own_hospital(demo: Database) -> None:
    appointment_id = book(demo, ZHANG)
    with demo.session() as session, pytest.raises(hospital_desk.DeskNotFound):
        hospital_desk.check_in(session, appointment_id=appointment_id, now=NOW,
                               hospital_id=hospital_id(demo, SECOND))
    for _ in range(2):  # a double click is not an error
        with demo.session() as session:
            hospital_desk.check_in(session, appointment_id=appointment_id, now=NOW,
                                   hospital_id=hospital_id(demo))
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        assert appointment.status is AppointmentStatus.ARRIVED
        assert appointment.checked_in_at == NOW
        with pytest.raises(hospital_desk.DeskConflict):
            hospital_desk.mark_no_show(session, appointment_id=appointment_id, now=NOW)


def test_no_show_suspends_by_the_rules_and_texts_the_patient(demo: Database) -> None:
    first = book(demo, WANG)
    with demo.session() as session:
        result = hospital_desk.mark_no_show(
            session, appointment_id=first, now=NOW, hospital_id=hospital_id(demo)
        )
    assert (result.noshows_in_last_year, result.suspension_days) == (1, 30)
    assert result.suspended_until == DAY + timedelta(days=30)
    assert _person(demo, WANG).booking_suspended_until == DAY + timedelta(days=30)
    messages = _outbox(demo)
    assert len(messages) == 1
    sms = messages[0]
    assert sms.kind is OutboxKind.SMS and sms.to_number == WANG
    assert "爽约" in sms.body and "30天内不能电话预约" in sms.body and "12月30日" in sms.body

    with demo.session() as session:  # marking again changes nothing, sends nothing
        again = hospital_desk.mark_no_show(session, appointment_id=first, now=NOW)
    assert again.suspension_days == 0 and len(_outbox(demo)) == 1

    second = book(demo, WANG, department="骨科")
    with demo.session() as session:
        result = hospital_desk.mark_no_show(session, appointment_id=second, now=NOW)
    assert (result.noshows_in_last_year, result.suspension_days) == (2, 60)
    assert _person(demo, WANG).booking_suspended_until == DAY + timedelta(days=60)
    assert len(_outbox(demo)) == 2


def test_no_show_follows_the_hospitals_own_penalties(demo: Database) -> None:
    from app.hospital.models import Hospital

    with demo.session() as session:
        hospital = session.get(Hospital, hospital_id(demo))
        assert hospital is not None
        hospital.rules = {**hospital.rules, "noshow_penalties": [[2, 14]]}
    appointment_id = book(demo, WANG)
    with demo.session() as session:
        result = hospital_desk.mark_no_show(session, appointment_id=appointment_id, now=NOW)
    assert result.suspension_days == 0 and result.suspended_until is None
    assert _person(demo, WANG).booking_suspended_until is None
    assert "不影响" in _outbox(demo)[0].body


def test_no_show_before_the_day_is_refused(demo: Database) -> None:
    appointment_id = book(demo, WANG, day=DAY + timedelta(days=1))
    with demo.session() as session, pytest.raises(hospital_desk.DeskConflict):
        hospital_desk.mark_no_show(session, appointment_id=appointment_id, now=NOW)
    assert _outbox(demo) == []


def test_stop_session_cancels_every_booking_and_texts_each_once(demo: Database) -> None:
    zhang = book(demo, ZHANG)
    wang = book(demo, WANG, booked_by=DAUGHTER)
    arrived = book(demo, "+8613800000003")
    other_doctor = book(demo, "+8613800000004", doctor_index=1)
    schedule_id = schedule_of(demo, zhang)
    assert schedule_of(demo, wang) == schedule_id == schedule_of(demo, arrived)
    with demo.session() as session:
        hospital_desk.check_in(session, appointment_id=arrived, now=NOW)
        desk_user = session.scalars(
            select(StaffUser).where(StaffUser.username == "hospital1")
        ).one()
        actor, actor_name = desk_user.id, desk_user.display_name
    for _ in range(2):
        with demo.session() as session:
            result = hospital_desk.stop_session(
                session, schedule_id=schedule_id, now=NOW, reason="医生生病",
                hospital_id=hospital_id(demo), actor_id=actor,
            )
    assert result.cancelled == 0  # the second call found nothing left to cancel
    # One audit entry for the stop (the second call stopped nothing), on the admin page's list.
    with demo.session() as session:
        entries = hospital_audit.recent(session, hospital_id=hospital_id(demo))
        assert hospital_audit.recent(session, hospital_id=hospital_id(demo, SECOND)) == []
    [entry] = [e for e in entries if e.action == "session_stopped"]
    assert (entry.at, entry.who, entry.action_label) == (NOW, actor_name, "停诊")
    assert entry.detail["day"] == DAY.isoformat() and entry.detail["reason"] == "医生生病"
    assert entry.detail["cancelled"] == 2 and "取消的预约：2" in entry.summary
    with demo.session() as session:
        assert session.get(Schedule, schedule_id).status is ScheduleStatus.STOPPED  # type: ignore[union-attr]
        slots = session.scalars(select(Slot.status).where(Slot.schedule_id == schedule_id))
        assert set(slots) == {SlotStatus.BUSY_UNAVAILABLE}
        statuses = {
            a.id: (a.status, a.cancel_reason, a.cancelled_at)
            for a in session.scalars(select(Appointment))
        }
    assert statuses[zhang] == (AppointmentStatus.CANCELLED, "医生停诊：医生生病", NOW)
    assert statuses[wang][0] is AppointmentStatus.CANCELLED
    assert statuses[arrived][0] is AppointmentStatus.ARRIVED
    assert statuses[other_doctor][0] is AppointmentStatus.BOOKED
    messages = _outbox(demo)
    assert sorted(m.to_number for m in messages) == sorted([ZHANG, WANG, DAUGHTER])
    assert all(m.kind is OutboxKind.SMS and "停诊" in m.body and "医生生病" in m.body
               for m in messages)
    assert len({m.idempotency_key for m in messages}) == 3


def test_stop_session_of_another_hospital_is_not_found(demo: Database) -> None:
    schedule_id = schedule_of(demo, book(demo, ZHANG))
    with demo.session() as session, pytest.raises(hospital_desk.DeskNotFound):
        hospital_desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="x",
                                   hospital_id=hospital_id(demo, SECOND))
    with demo.session() as session, pytest.raises(hospital_desk.DeskError):
        hospital_desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="  ")
    assert _outbox(demo) == []


def test_reveal_contact_gives_full_numbers(demo: Database) -> None:
    appointment_id = book(demo, WANG, booked_by=DAUGHTER)
    with demo.session() as session:
        contact = hospital_day.reveal_contact(
            session, hospital_id=hospital_id(demo), appointment_id=appointment_id
        )
        with pytest.raises(hospital_desk.DeskNotFound):
            hospital_day.reveal_contact(
                session, hospital_id=hospital_id(demo, SECOND), appointment_id=appointment_id
            )
    assert contact.patient_phones == ["13800000002"]
    assert contact.booked_by_number == "13900000001"
    assert contact.id_number == _person(demo, WANG).id_number


def test_check_in_is_only_for_todays_sessions(demo: Database) -> None:
    tomorrow = book(demo, ZHANG, day=DAY + timedelta(days=1))
    with demo.session() as session, pytest.raises(hospital_desk.DeskConflict) as refused:
        hospital_desk.check_in(session, appointment_id=tomorrow, now=NOW,
                               hospital_id=hospital_id(demo))
    message = refused.value.message
    assert "12月1日" in message and "只能给今天就诊的病人签到" in message
    with demo.session() as session:
        appointment = session.get(Appointment, tomorrow)
        assert appointment is not None and appointment.status is AppointmentStatus.BOOKED
        assert appointment.checked_in_at is None
    with demo.session() as session:  # on the visit day it works
        hospital_desk.check_in(session, appointment_id=tomorrow, now=NOW + timedelta(days=1),
                               hospital_id=hospital_id(demo))
