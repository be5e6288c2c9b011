"""A 停用 doctor's sessions take no new bookings from any channel (app.hospital.bookable):
the session keeps its bookings and stays listed to handle, but a phone caller is offered
none of its free slots and the desk cannot book a walk-in into it."""

from __future__ import annotations

from datetime import UTC, datetime

from admin_helpers import DERMA, NOW, TOMORROW, WANG, ZHANG, person_id, set_up_clinic
from sqlalchemy import func, select

from app.core.config import Settings
from app.core.db import Database
from app.hospital import administration, appointments, schedules
from app.hospital.enums import AppointmentStatus, ScheduleStatus, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hospital.offers import find_offers
from app.hotline import build_call_service
from app.people.models import Person
from app.staff.enums import StaffRole
from support.calls import play
from support.demo import demo_data
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in

VISIT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # the session's day, 09:00 in Kunming
RULES = {
    "booking_window_days": "7", "release_time": "15:00", "next_day_close_time": "",
    "cancel_deadline_time": "16:00", "cancel_deadline_day": "working",
    "noshow_penalties": "1:30", "elderly_share_percent": "0", "onsite_share_percent": "50",
}


def _bookings(server: LiveServer, patient: int) -> list[AppointmentStatus]:
    with server.db.session() as session:
        return list(session.scalars(
            select(Appointment.status).where(Appointment.patient_id == patient)
        ))


def test_a_disabled_doctors_session_takes_no_phone_or_desk_booking(
    live_server: LiveServer,
) -> None:
    server = live_server
    demo_data(server.db, today=NOW.date())
    clinic = add_hospital(server.db, "云南省第一人民医院")
    with server.db.session() as session:
        administration.update_rules(session, hospital_id=clinic, form=RULES, actor_id=None,
                                    now=NOW)
    doctor, _ = set_up_clinic(server.db, clinic, capacity=6)  # 和医生, Tuesdays 上午
    zhang, wang = person_id(server.db, ZHANG), person_id(server.db, WANG)
    with server.db.session() as session:
        # 王 booked tomorrow's session before the doctor was set 停用; 张 could have too.
        [offer] = find_offers(session, department=DERMA, patient_id=wang, now=NOW, limit=1)
        assert offer.day == TOMORROW
        appointments.book(session, slot_id=offer.slot_id, patient_id=wang, now=NOW,
                          booked_by_number=WANG)
        assert find_offers(session, department=DERMA, patient_id=zhang, now=NOW)
        administration.set_doctor_active(session, hospital_id=clinic, doctor_id=doctor,
                                         active=False, actor_id=None, now=NOW)
    with server.db.session() as session:
        schedule = session.scalars(select(Schedule).where(Schedule.doctor_id == doctor)).one()
        free = session.scalar(select(func.count(Slot.id)).where(
            Slot.schedule_id == schedule.id, Slot.status == SlotStatus.FREE))
    # The session keeps its booking and its free slots: staff decide about it.
    assert schedule.status == ScheduleStatus.ACTIVE and free == 5
    assert _bookings(server, wang) == [AppointmentStatus.BOOKED]

    # The phone: 张奶奶 asks for dermatology and is offered nothing of it.
    calls = build_call_service(Settings(database_url=server.db.url), server.db, clock=lambda: NOW)
    lines = play(calls, ZHANG, "挂号", "皮肤科", "是")
    assert not any("云南省第一人民医院" in line and "号是" in line for line in lines)
    assert not any("挂好了" in line for line in lines)
    assert _bookings(server, zhang) == []

    # The desk on the visit day: the session is not listed for walk-ins, and a walk-in
    # sent for it anyway is refused, naming the doctor.
    server.clock.set(VISIT)
    add_staff(server.db, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=clinic)
    desk = server.client()
    assert sign_in(desk, "desk").status_code == 303
    page = desk.get(f"/hospital/{clinic}/walk-in")
    assert page.status_code == 200 and f'id="onsite-{schedule.id}"' not in page.text
    with server.db.session() as session:
        person = session.get(Person, zhang)
        assert person is not None and person.id_number is not None
        number = person.id_number
    refused = desk.post(f"/hospital/{clinic}/walk-in", data={
        "csrf_token": csrf_from(page.text), "schedule_id": str(schedule.id),
        "id_number": number, "full_name": ""})
    assert refused.status_code == 409 and "和医生已停用" in refused.text
    assert _bookings(server, zhang) == []

    # 启用 again: the same session takes walk-ins again (the refusal was the doctor's state).
    with server.db.session() as session:
        administration.set_doctor_active(session, hospital_id=clinic, doctor_id=doctor,
                                         active=True, actor_id=None, now=VISIT)
    page = desk.get(f"/hospital/{clinic}/walk-in")
    assert f'id="onsite-{schedule.id}"' in page.text
    done = desk.post(f"/hospital/{clinic}/walk-in", data={
        "csrf_token": csrf_from(page.text), "schedule_id": str(schedule.id),
        "id_number": number, "full_name": ""})
    assert done.status_code == 303
    assert _bookings(server, zhang) == [AppointmentStatus.BOOKED]


def test_a_disabled_doctors_loaded_session_with_bookings_is_listed_to_handle(
    demo: Database,
) -> None:
    """Sessions not made by the templates (loaded, imported) of a 停用 doctor are listed
    under 需要处理的出诊 too when they hold bookings; those without bookings are not."""
    wang = person_id(demo, WANG)
    with demo.session() as session:
        [offer] = find_offers(session, department="心血管内科", patient_id=wang, now=NOW,
                              limit=1)
        booking = appointments.book(session, slot_id=offer.slot_id, patient_id=wang, now=NOW,
                                    booked_by_number=WANG)
        schedule = session.scalars(
            select(Schedule).join(Slot, Slot.schedule_id == Schedule.id)
            .where(Slot.id == booking.slot_id)
        ).one()
        assert schedule.source is None  # loaded with the demo data
        doctor = session.get(Doctor, schedule.doctor_id)
        assert doctor is not None
        hospital = session.scalars(
            select(Department.hospital_id).where(Department.id == doctor.department_id)
        ).one()
        assert schedules.conflicts(session, hospital_id=hospital, now=NOW) == []
        administration.set_doctor_active(session, hospital_id=hospital, doctor_id=doctor.id,
                                         active=False, actor_id=None, now=NOW)
        listed = schedules.conflicts(session, hospital_id=hospital, now=NOW)
    assert [(c.schedule_id, c.reason, c.booked) for c in listed] == [
        (schedule.id, "医生已停用", 1)
    ]
