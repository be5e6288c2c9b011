"""停诊 over real HTTP: no reason is chosen for staff in advance, and a stop without one is
refused on the 停诊 page itself, nothing cancelled."""

from __future__ import annotations

import re

import httpx
from hospital_helpers import DAY, NOW, SECOND, ZHANG, book, hospital_id, schedule_of
from sqlalchemy import select

from app.hospital.enums import AppointmentStatus, ScheduleStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule
from support.demo import demo_data
from support.live_server import LiveServer, csrf_from, sign_in

DEMO_PASSWORD = "guahao-2026!"


def _desk(server: LiveServer) -> httpx.Client:
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    client = server.client()
    assert sign_in(client, "hospital1", DEMO_PASSWORD).status_code == 303
    return client


def _status(server: LiveServer, appointment_id: int) -> AppointmentStatus:
    with server.db.session() as session:
        return session.scalars(
            select(Appointment.status).where(Appointment.id == appointment_id)
        ).one()


def test_no_stop_reason_is_preselected_and_none_is_refused(live_server: LiveServer) -> None:
    client = _desk(live_server)
    own = hospital_id(live_server.db)
    booking = book(live_server.db, ZHANG)
    schedule_id = schedule_of(live_server.db, booking)
    form = client.get(f"/hospital/{own}/schedules/{schedule_id}/stop")
    assert form.status_code == 200
    radios = re.findall(r'<input type="radio" name="reason"[^>]*>', form.text)
    assert len(radios) >= 2
    assert not [r for r in radios if "checked" in r], radios
    assert "data-needs-reason" in form.text
    token = csrf_from(form.text)
    # What a browser sends when nothing is chosen or typed: no reason at all.
    for data in ({}, {"reason": "", "other_reason": "   "}):
        refused = client.post(
            f"/hospital/{own}/schedules/{schedule_id}/stop",
            data={"csrf_token": token, "day": DAY.isoformat(), **data},
        )
        assert refused.status_code == 409
        assert 'id="stop-error"' in refused.text and "请选择或填写停诊原因" in refused.text
        assert 'id="confirm-stop"' in refused.text  # still the 停诊 page, to choose one
        assert _status(live_server, booking) == AppointmentStatus.BOOKED
    # Another hospital's session under our URL stays 404, reason or not, and is not stopped.
    with live_server.db.session() as session:
        foreign = session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital_id(live_server.db, SECOND))
        ).first()
    assert foreign is not None
    for data in ({}, {"reason": "医生生病"}):
        assert client.post(
            f"/hospital/{own}/schedules/{foreign}/stop",
            data={"csrf_token": token, "day": DAY.isoformat(), **data},
        ).status_code == 404
    with live_server.db.session() as session:
        kept = session.get(Schedule, foreign)
        assert kept is not None and kept.status == ScheduleStatus.ACTIVE
    # A reason chosen: the stop goes through with it.
    chosen = re.search(r'value="([^"]+)"', radios[1])
    assert chosen is not None
    stopped = client.post(
        f"/hospital/{own}/schedules/{schedule_id}/stop",
        data={"csrf_token": token, "day": DAY.isoformat(), "reason": chosen.group(1)},
    )
    assert stopped.status_code == 303
    assert _status(live_server, booking) == AppointmentStatus.CANCELLED
    js = client.get("/static/hospital.js").text
    assert "data-needs-reason" in js and "button.disabled" in js
