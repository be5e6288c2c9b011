"""撤销停诊 over real HTTP: the desk reopens a stopped session while its day is not past;
it takes new bookings again, the bookings the stop cancelled stay cancelled (the page says
so before confirming), a checked-in patient keeps their slot, and the undo is audited.
Only the hospital's own desk staff and admins may; another hospital's session is 404."""

from __future__ import annotations

from datetime import timedelta

import httpx
from hospital_helpers import DAY, NOW, SECOND, WANG, ZHANG, book, hospital_id, schedule_of
from sqlalchemy import select

from app.hospital import appointments, desk
from app.hospital.enums import AppointmentStatus, ScheduleStatus, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, HospitalAudit, Schedule, Slot
from app.people.models import PersonPhone
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_community, add_staff, csrf_from, sign_in

DEMO_PASSWORD = "guahao-2026!"


def _client(server: LiveServer, username: str, password: str | None = None) -> httpx.Client:
    client = server.client()
    response = (sign_in(client, username, password) if password
                else sign_in(client, username))
    assert response.status_code == 303
    return client


def _state(server: LiveServer, schedule_id: int) -> tuple[ScheduleStatus, dict[int, SlotStatus]]:
    with server.db.session() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        slots = session.scalars(select(Slot).where(Slot.schedule_id == schedule_id))
        return schedule.status, {slot.id: slot.status for slot in slots}


def _appointment(server: LiveServer, appointment_id: int) -> Appointment:
    with server.db.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        session.expunge(appointment)
        return appointment


def test_the_desk_reopens_a_stopped_session_and_cancelled_bookings_stay_cancelled(
    live_server: LiveServer,
) -> None:
    server = live_server
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    own = hospital_id(server.db)
    # Today's morning session: 王 is checked in, 张 is booked; then the doctor stops it.
    arrived = book(server.db, WANG)
    cancelled = book(server.db, ZHANG)
    schedule_id = schedule_of(server.db, cancelled)
    assert schedule_of(server.db, arrived) == schedule_id
    with server.db.session() as session:
        desk.check_in(session, appointment_id=arrived, now=NOW)
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="医生生病")
    assert _state(server, schedule_id)[0] == ScheduleStatus.STOPPED

    hospital1 = _client(server, "hospital1", DEMO_PASSWORD)
    day_page = hospital1.get(f"/hospital/{own}?day={DAY.isoformat()}")
    assert f'id="reopen-{schedule_id}"' in day_page.text
    form = hospital1.get(f"/hospital/{own}/schedules/{schedule_id}/reopen")
    assert form.status_code == 200
    assert 'id="reopen-cancelled"><strong>1</strong>' in form.text
    assert "停诊时已取消的 1 个预约不会恢复" in form.text and 'id="confirm-reopen"' in form.text
    token = csrf_from(form.text)
    url = f"/hospital/{own}/schedules/{schedule_id}/reopen"
    # Without the confirmation (an old form, a crafted post): back to the page, nothing done.
    unconfirmed = hospital1.post(url, data={"csrf_token": token})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"].endswith(url)
    assert hospital1.post(url, data={"csrf_token": "forged", "confirm": "yes"}).status_code == 403
    assert _state(server, schedule_id)[0] == ScheduleStatus.STOPPED

    done = hospital1.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303 and "done=reopened" in done.headers["location"]
    assert "已撤销停诊" in hospital1.get(done.headers["location"]).text
    status, slots = _state(server, schedule_id)
    assert status == ScheduleStatus.ACTIVE
    assert slots[_appointment(server, arrived).slot_id] == SlotStatus.BUSY  # still there
    cancelled_booking = _appointment(server, cancelled)
    assert cancelled_booking.status == AppointmentStatus.CANCELLED
    assert cancelled_booking.cancel_reason == "医生停诊：医生生病"
    assert slots[cancelled_booking.slot_id] == SlotStatus.FREE
    assert list(slots.values()).count(SlotStatus.BUSY) == 1
    with server.db.session() as session:
        audit = session.scalars(
            select(HospitalAudit).where(HospitalAudit.action == "session_reopened")
        ).one()
        assert audit.hospital_id == own and audit.target == f"schedule:{schedule_id}"
        assert audit.staff_user_id is not None and audit.detail["still_cancelled"] == 1

    # Twice: nothing to undo.
    again = hospital1.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert again.status_code == 409 and "没有停诊" in again.text

    # A day that is past cannot be reopened: stopped again, and seen the next day.
    with server.db.session() as session:
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="设备故障")
    server.clock.set(NOW + timedelta(days=1))
    hospital1 = _client(server, "hospital1", DEMO_PASSWORD)  # yesterday's sign-in has ended
    token = csrf_from(hospital1.get(f"/hospital/{own}").text)
    late = hospital1.get(url)
    assert late.status_code == 409 and "已经过去" in late.text
    assert 'id="confirm-reopen"' not in late.text
    refused = hospital1.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert refused.status_code == 409 and "已经过去" in refused.text
    assert _state(server, schedule_id)[0] == ScheduleStatus.STOPPED


def test_a_reopened_session_takes_a_phone_booking_again(live_server: LiveServer) -> None:
    server = live_server
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    own = hospital_id(server.db)
    tomorrow = DAY + timedelta(days=1)
    booking = book(server.db, ZHANG, day=tomorrow)
    schedule_id = schedule_of(server.db, booking)
    with server.db.session() as session:
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="医生外出开会")
        free_slot = session.scalars(
            select(Slot.id).where(Slot.schedule_id == schedule_id,
                                  Slot.reserved_for_elderly.is_(False),
                                  Slot.reserved_for_onsite.is_(False),
                                  Slot.reserved_for_family_doctor.is_(False))
            .order_by(Slot.start_time.desc())
        ).first()
        wang = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == WANG)).one()
    assert free_slot is not None
    admin = _client(server, "admin", "chuncheng-2026")  # an admin may, for any hospital
    url = f"/hospital/{own}/schedules/{schedule_id}/reopen"
    token = csrf_from(admin.get(url).text)
    assert admin.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 303
    with server.db.session() as session:
        appointment = appointments.book(session, slot_id=free_slot, patient_id=wang, now=NOW,
                                        booked_by_number=WANG)
        assert appointment.status == AppointmentStatus.BOOKED


def test_only_the_hospitals_own_staff_may_reopen(live_server: LiveServer) -> None:
    server = live_server
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    own = hospital_id(server.db)
    second = hospital_id(server.db, SECOND)
    booking = book(server.db, ZHANG)
    schedule_id = schedule_of(server.db, booking)
    with server.db.session() as session:
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="设备故障")
        theirs = session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == second, Schedule.day == DAY)
        ).first()
        assert theirs is not None
        desk.stop_session(session, schedule_id=theirs, now=NOW, reason="设备故障")
    url = f"/hospital/{own}/schedules/{schedule_id}/reopen"

    anonymous = server.client()
    assert anonymous.get(url).status_code == 303  # to the sign-in page
    community = add_community(server.db, "试验社区")
    for role in (StaffRole.OPERATOR, StaffRole.COMMUNITY_STAFF, StaffRole.FAMILY_DOCTOR):
        username = f"x-{role.value}"
        add_staff(server.db, username, role,
                  hospital_id=own if role == StaffRole.FAMILY_DOCTOR else None,
                  community_id=community if role == StaffRole.COMMUNITY_STAFF else None)
        client = _client(server, username)
        assert client.get(url).status_code == 403
        token = csrf_from(client.get("/console").text)  # their own session's token
        assert client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 403
    # The other hospital's desk and admin: 403 on our URL; our session under theirs: 404.
    add_staff(server.db, "second-admin", StaffRole.HOSPITAL_ADMIN, hospital_id=second)
    for username, password in (("hospital2", DEMO_PASSWORD), ("second-admin", None)):
        client = _client(server, username, password)
        assert client.get(url).status_code == 403
        own_page = client.get(f"/hospital/{second}/schedules/{theirs}/reopen")
        assert own_page.status_code == 200
        token = csrf_from(own_page.text)
        assert client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 403
        sneaky = f"/hospital/{second}/schedules/{schedule_id}/reopen"
        assert client.get(sneaky).status_code == 404
        assert client.post(sneaky, data={"csrf_token": token, "confirm": "yes"}
                           ).status_code == 404
    assert _state(server, schedule_id)[0] == ScheduleStatus.STOPPED
    # Our own hospital admin may.
    add_staff(server.db, "first-admin", StaffRole.HOSPITAL_ADMIN, hospital_id=own)
    client = _client(server, "first-admin")
    token = csrf_from(client.get(url).text)
    assert client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 303
    assert _state(server, schedule_id)[0] == ScheduleStatus.ACTIVE
    assert _state(server, theirs)[0] == ScheduleStatus.STOPPED


def test_a_session_the_weekly_plan_took_away_is_not_reopened_at_the_desk(
    live_server: LiveServer,
) -> None:
    """The plan stops a session it no longer has (if it ever held a booking) and brings it
    back when planned again: the desk offers no undo for it and refuses one sent anyway."""
    server = live_server
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    own = hospital_id(server.db)
    booking = book(server.db, ZHANG, day=DAY + timedelta(days=1))
    schedule_id = schedule_of(server.db, booking)
    with server.db.session() as session:
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="设备故障")
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        schedule.source = "withdrawn"  # as schedules.apply_plan marks what it took away
    hospital1 = _client(server, "hospital1", DEMO_PASSWORD)
    day_page = hospital1.get(f"/hospital/{own}?day={(DAY + timedelta(days=1)).isoformat()}")
    assert f'id="schedule-{schedule_id}"' in day_page.text
    assert f'id="reopen-{schedule_id}"' not in day_page.text
    url = f"/hospital/{own}/schedules/{schedule_id}/reopen"
    page = hospital1.get(url)
    assert page.status_code == 409 and "排班调整后撤下的" in page.text
    refused = hospital1.post(url, data={"csrf_token": csrf_from(page.text), "confirm": "yes"})
    assert refused.status_code == 409
    assert _state(server, schedule_id)[0] == ScheduleStatus.STOPPED
