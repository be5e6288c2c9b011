"""Eighth browser trial, over real HTTP: adding a weekly template said "号源已生成" while the
session already there that day was kept unchanged. The notice now names the days that got
new sessions and the days kept because a session of the doctor already existed."""

from __future__ import annotations

import httpx
from admin_helpers import NOW
from sqlalchemy import func, select

from app.hospital import schedules
from app.hospital.enums import ClinicSession, ClinicType
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

FIRST = "春城第一人民医院"
WEDNESDAY = 2


def _admin(server: LiveServer) -> tuple[httpx.Client, int, str]:
    demo_data(server.db, today=NOW.date())
    server.clock.set(NOW)
    with server.db.session() as session:
        hospital = session.scalars(select(Hospital.id).where(Hospital.name == FIRST)).one()
    add_staff(server.db, "office", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, "office").status_code == 303
    return client, hospital, csrf_from(client.get(f"/hospital/{hospital}/admin").text)


def _wednesdays(server: LiveServer, hospital: int) -> list[str]:
    with server.db.session() as session:
        found = session.get(Hospital, hospital)
        assert found is not None
        days = schedules.window_days(schedules.hospital_rules(found), NOW)
    return [f"{d.month}月{d.day}日" for d in days if d.weekday() == WEDNESDAY]


def _am_sessions(server: LiveServer, doctor: int) -> dict[tuple[int, str], int]:
    """The doctor's morning sessions with their slot counts."""
    with server.db.session() as session:
        rows = session.execute(
            select(Schedule.id, Schedule.day, func.count(Slot.id))
            .join(Slot, Slot.schedule_id == Schedule.id)
            .where(Schedule.doctor_id == doctor, Schedule.session == ClinicSession.AM)
            .group_by(Schedule.id, Schedule.day)
        ).all()
    return {(sid, day.isoformat()): n for sid, day, n in rows}


def _add(client: httpx.Client, hospital: int, token: str, doctor: int) -> str:
    done = client.post(
        f"/hospital/{hospital}/admin/templates",
        data={"csrf_token": token, "doctor_id": str(doctor), "weekday": str(WEDNESDAY),
              "clinic_session": "am", "capacity": "10"},
    )
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"]).text
    start = page.index('id="admin-notice">') + len('id="admin-notice">')
    return page[start : page.index("</p>", start)]


def test_a_template_over_existing_sessions_says_they_were_kept(
    live_server: LiveServer,
) -> None:
    client, hospital, token = _admin(live_server)
    with live_server.db.session() as session:  # a demo doctor: every Wednesday held already
        doctor = session.scalars(
            select(Doctor.id).join(Department).where(Department.hospital_id == hospital)
        ).first()
        assert doctor is not None
    before = _am_sessions(live_server, doctor)
    wednesdays = _wednesdays(live_server, hospital)
    assert wednesdays
    notice = _add(client, hospital, token, doctor)
    assert "已生成号源" not in notice
    assert "保持原样，没有改动：" + "、".join(wednesdays) in notice
    assert _am_sessions(live_server, doctor) == before  # an existing session is not changed


def test_a_template_for_a_new_doctor_names_the_days_it_made(live_server: LiveServer) -> None:
    client, hospital, token = _admin(live_server)
    with live_server.db.session() as session:
        department = session.scalars(
            select(Department.id).where(Department.hospital_id == hospital)
        ).first()
        assert department is not None
        doctor = Doctor(
            department_id=department, name="新医生", title="主治医师",
            clinic_type=ClinicType.GENERAL, fee_yuan=10,
        )
        session.add(doctor)
        session.flush()
        doctor_id = doctor.id
    notice = _add(client, hospital, token, doctor_id)
    made = "、".join(_wednesdays(live_server, hospital))
    assert notice.startswith(f"排班模板已保存。已生成号源：{made}。")
    assert "保持原样" not in notice
