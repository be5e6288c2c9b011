"""What the eighth browser trial found at the hospital desk, over real HTTP: the day view
marks a 停用 doctor's sessions as the admin's 出诊一览 does."""

from __future__ import annotations

import re

from hospital_helpers import DAY, NOW, ZHANG, book, hospital_id, schedule_of
from sqlalchemy import select, update

from app.hospital.models import Doctor, Schedule
from support.demo import demo_data
from support.live_server import LiveServer, sign_in

DEMO_PASSWORD = "guahao-2026!"


def test_the_day_view_marks_an_inactive_doctors_sessions(live_server: LiveServer) -> None:
    demo_data(live_server.db, today=DAY)
    live_server.clock.set(NOW)
    desk = live_server.client()
    assert sign_in(desk, "hospital1", DEMO_PASSWORD).status_code == 303
    own = hospital_id(live_server.db)
    booking = book(live_server.db, ZHANG)
    schedule_id = schedule_of(live_server.db, booking)
    with live_server.db.session() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        doctor_id, day = schedule.doctor_id, schedule.day
        sessions = set(
            session.scalars(
                select(Schedule.id).where(Schedule.doctor_id == doctor_id, Schedule.day == day)
            )
        )
        session.execute(update(Doctor).where(Doctor.id == doctor_id).values(active=False))
    page = desk.get(f"/hospital/{own}?day={day.isoformat()}").text
    rows = dict(re.findall(r'<tr id="schedule-(\d+)">(.*?)</tr>', page, re.S))
    assert "已停用（不再放号）" in rows[str(schedule_id)]
    for sid, row in rows.items():  # the doctor's other session that day too, no one else's
        assert ("已停用（不再放号）" in row) == (int(sid) in sessions), row
    assert len(rows) > len(sessions)
