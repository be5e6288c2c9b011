"""The hospital console over real HTTP: roles, per-hospital scoping, CSRF, actions, reveal."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
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

from app.hospital import reminders
from app.hospital.enums import AppointmentStatus, ScheduleStatus
from app.hospital.models import Appointment, HospitalAudit, Schedule
from app.notify.models import OutboxMessage
from app.people.models import Person, PersonPhone
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

DEMO_PASSWORD = "guahao-2026!"


def _server(live_server: LiveServer) -> LiveServer:
    demo_data(live_server.db, today=DAY)
    live_server.clock.set(NOW)
    return live_server


def _hospital1(server: LiveServer) -> httpx.Client:
    client = server.client()
    assert sign_in(client, "hospital1", DEMO_PASSWORD).status_code == 303
    return client


def _status(server: LiveServer, appointment_id: int) -> AppointmentStatus:
    with server.db.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        return appointment.status


def _id_number(server: LiveServer, number: str) -> str:
    with server.db.session() as session:
        person = session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == number)
        ).one()
        assert person.id_number is not None
        return person.id_number


def test_hospital_staff_see_only_their_own_hospital(live_server: LiveServer) -> None:
    server = _server(live_server)
    own, other = hospital_id(server.db), hospital_id(server.db, SECOND)
    mine = book(server.db, ZHANG)
    theirs = book(server.db, WANG, hospital=SECOND)
    client = _hospital1(server)
    home = client.get("/hospital")
    assert home.status_code == 303 and home.headers["location"] == f"/hospital/{own}"
    page = client.get(f"/hospital/{own}")  # today by the server's clock
    assert page.status_code == 200
    assert f'id="appt-{mine}"' in page.text and f'id="appt-{theirs}"' not in page.text
    full_id = _id_number(server, ZHANG)
    assert full_id[:6] + "********" + full_id[-4:] in page.text
    assert full_id not in page.text and "13800000001" not in page.text
    assert "138****0001" in page.text and "长者优先" in page.text

    token = csrf_from(page.text)
    assert client.get(f"/hospital/{other}").status_code == 403
    assert "您只能查看本院的数据" in client.get(f"/hospital/{other}").text
    for path in (
        f"/hospital/{other}/appointments/{theirs}/check-in",
        f"/hospital/{other}/appointments/{theirs}/reveal",
        f"/hospital/{other}/schedules/{schedule_of(server.db, theirs)}/stop",
    ):
        assert client.post(path, data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert client.get(f"/hospital/{other}/schedules/1/stop").status_code == 403
    assert client.get(f"/hospital/{other}/appointments/{theirs}/no-show").status_code == 403
    assert client.get(f"/hospital/{own}/appointments/{theirs}/no-show").status_code == 404
    # Hospital B's appointment under hospital A's URL: not found, nothing changes.
    sneaky = client.post(f"/hospital/{own}/appointments/{theirs}/check-in",
                         data={"csrf_token": token})
    assert sneaky.status_code == 404
    assert _status(server, theirs) is AppointmentStatus.BOOKED


def test_operators_are_refused_and_admins_choose_a_hospital(live_server: LiveServer) -> None:
    server = _server(live_server)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    operator = server.client()
    assert sign_in(operator, "op1").status_code == 303
    assert operator.get("/hospital").status_code == 403
    assert operator.get(f"/hospital/{hospital_id(server.db)}").status_code == 403

    add_staff(server.db, "boss", StaffRole.ADMIN)
    admin = server.client()
    assert sign_in(admin, "boss").status_code == 303
    chooser = admin.get("/hospital")
    assert chooser.status_code == 200
    assert "春城第一人民医院" in chooser.text and "滇池老年病医院" in chooser.text
    assert admin.get(f"/hospital/{hospital_id(server.db, SECOND)}").status_code == 200

    anonymous = server.client()
    assert anonymous.get("/hospital").status_code == 303


def test_posts_need_the_csrf_token(live_server: LiveServer) -> None:
    server = _server(live_server)
    appointment_id = book(server.db, ZHANG)
    client = _hospital1(server)
    own = hospital_id(server.db)
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post(f"/hospital/{own}/appointments/{appointment_id}/check-in", data=data)
        assert answer.status_code == 403
    assert _status(server, appointment_id) is AppointmentStatus.BOOKED


def test_check_in_no_show_in_two_steps_and_stop(live_server: LiveServer) -> None:
    server = _server(live_server)
    own = hospital_id(server.db)
    zhang = book(server.db, ZHANG)
    wang = book(server.db, WANG, department="骨科", booked_by=DAUGHTER)
    client = _hospital1(server)
    token = csrf_from(client.get(f"/hospital/{own}").text)
    day = {"csrf_token": token, "day": DAY.isoformat()}

    done = client.post(f"/hospital/{own}/appointments/{zhang}/check-in", data=day)
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/hospital/{own}?day={DAY.isoformat()}&done=checked_in&checked={zhang}"
    )
    assert _status(server, zhang) is AppointmentStatus.ARRIVED
    assert "已签到：张秀英" in client.get(done.headers["location"]).text

    # Step one is a page (GET): the day page links to it, reloading it sends nothing.
    link = f"/hospital/{own}/appointments/{wang}/no-show?day={DAY.isoformat()}"
    assert f'href="{link}"' in client.get(f"/hospital/{own}?day={DAY.isoformat()}").text
    confirm = client.get(link)
    assert confirm.status_code == 200 and "确认标记爽约" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    # An older form posting without `confirm` is sent there, nothing marked.
    asked = client.post(f"/hospital/{own}/appointments/{wang}/no-show", data=day)
    assert asked.status_code == 303 and asked.headers["location"] == link
    assert _status(server, wang) is AppointmentStatus.BOOKED
    marked = client.post(f"/hospital/{own}/appointments/{wang}/no-show",
                         data={**day, "confirm": "yes"})
    assert marked.status_code == 303
    assert _status(server, wang) is AppointmentStatus.NOSHOW

    late = book(server.db, "+8613800000003")
    schedule_id = schedule_of(server.db, late)
    form = client.get(f"/hospital/{own}/schedules/{schedule_id}/stop")
    assert form.status_code == 200 and "确认停诊" in form.text
    stopped = client.post(f"/hospital/{own}/schedules/{schedule_id}/stop",
                          data={**day, "reason": "医生生病", "other_reason": ""})
    assert stopped.status_code == 303
    assert _status(server, late) is AppointmentStatus.CANCELLED
    assert _status(server, zhang) is AppointmentStatus.ARRIVED
    with server.db.session() as session:
        assert session.get(Schedule, schedule_id).status is ScheduleStatus.STOPPED
        numbers = sorted(session.scalars(select(OutboxMessage.to_number)))
        stop_audit = session.scalars(
            select(HospitalAudit).where(HospitalAudit.action == "session_stopped")
        ).one()
        desk_user = session.scalars(
            select(StaffUser).where(StaffUser.username == "hospital1")
        ).one()
    assert stop_audit.target == f"schedule:{schedule_id}" and stop_audit.hospital_id == own
    assert stop_audit.staff_user_id == desk_user.id and stop_audit.detail["cancelled"] == 1
    # no-show: 王 and the daughter who booked; stop: the third patient only
    assert numbers == sorted([WANG, DAUGHTER, "+8613800000003"])

    refused = client.post(f"/hospital/{own}/appointments/{wang}/check-in", data=day)
    assert refused.status_code == 409 and "不能签到" in refused.text


def test_reveal_shows_full_numbers_and_logs_who_not_what(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = _server(live_server)
    own = hospital_id(server.db)
    appointment_id = book(server.db, WANG, booked_by=DAUGHTER)
    client = _hospital1(server)
    token = csrf_from(client.get(f"/hospital/{own}").text)
    with caplog.at_level(logging.INFO, logger="app.hospital.console"):
        posted = client.post(f"/hospital/{own}/appointments/{appointment_id}/reveal",
                             data={"csrf_token": token, "day": DAY.isoformat()})
        # Post/Redirect/Get: the day page shows the numbers, once.
        assert posted.status_code == 303
        assert posted.headers["location"] == (
            f"/hospital/{own}?day={DAY.isoformat()}#appt-{appointment_id}"
        )
        shown = client.get(posted.headers["location"])
    assert shown.status_code == 200
    full_id = _id_number(server, WANG)
    assert full_id in shown.text and "13800000002" in shown.text and "13900000001" in shown.text
    records = [r for r in caplog.records if r.getMessage() == "patient contact shown"]
    assert len(records) == 1
    fields = records[0].fields  # type: ignore[attr-defined]
    assert fields["appointment_id"] == appointment_id and fields["staff_user_id"] > 0
    logged = " ".join(str(vars(r)) for r in caplog.records)
    assert full_id not in logged and "13800000002" not in logged
    assert full_id not in client.get(f"/hospital/{own}").text  # masked again next time


def test_a_booking_for_a_later_day_cannot_be_checked_in(live_server: LiveServer) -> None:
    server = _server(live_server)
    own = hospital_id(server.db)
    later = DAY + timedelta(days=1)
    tomorrow = book(server.db, ZHANG, day=later)
    client = _hospital1(server)
    page = client.get(f"/hospital/{own}?day={later.isoformat()}")
    assert page.status_code == 200 and "张秀英" in page.text
    assert f"/appointments/{tomorrow}/check-in" not in page.text  # no button for a later day
    token = csrf_from(page.text)
    refused = client.post(f"/hospital/{own}/appointments/{tomorrow}/check-in",
                          data={"csrf_token": token, "day": later.isoformat()})
    assert refused.status_code == 409 and "只能给今天就诊的病人签到" in refused.text
    assert _status(server, tomorrow) is AppointmentStatus.BOOKED


def test_the_day_page_shows_the_reminder_answer(live_server: LiveServer) -> None:
    """The reminder call's answer (app.hospital.reminders) is on the day list."""
    server = _server(live_server)
    tuesday = DAY + timedelta(days=1)
    appointment_id = book(server.db, ZHANG, day=tuesday)
    with server.db.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        reminder = reminders.schedule_for(session, appointment, now=NOW - timedelta(hours=1),
                                          settings=server.settings)
        assert reminder is not None
        reminder_id = reminder.id
    with server.db.session() as session:
        reminders.attach_call(session, reminder_id=reminder_id, call_sid="CA9")
        reminders.record_answer(session, reminder_id=reminder_id, answer="kept")
    page = _hospital1(server).get(f"/hospital/{hospital_id(server.db)}?day={tuesday.isoformat()}")
    assert page.status_code == 200
    assert "提醒电话：已接听，不取消" in page.text
