"""出诊一览 on the admin page: the sessions that exist, whoever made them, by doctor and
weekday. A hospital whose sessions were loaded (the demo) or imported from a CSV file sees
them although it has no weekly template; another hospital's sessions are not shown."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import httpx
from admin_helpers import DERMA, NOW, TOMORROW
from sqlalchemy import select

from app.hospital import administration, desk
from app.hospital.enums import ScheduleStatus
from app.hospital.fhir.slots_csv import import_csv
from app.hospital.models import Department, Doctor, Hospital, Schedule, ScheduleTemplate
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_hospital, add_staff, sign_in


def _admin(server: LiveServer, username: str, hospital: int) -> httpx.Client:
    add_staff(server.db, username, StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def _cell(page: str, doctor: int, weekday: int) -> str:
    found = re.search(rf'<td id="week-{doctor}-{weekday}">(.*?)</td>', page, re.S)
    assert found is not None, (doctor, weekday)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_loaded_and_imported_sessions_are_shown_by_doctor_and_weekday(
    live_server: LiveServer,
) -> None:
    server = live_server
    demo_data(server.db, today=NOW.date())
    server.clock.set(NOW)
    with server.db.session() as session:
        first = session.scalars(select(Hospital.id).order_by(Hospital.id)).first()
        assert first is not None
        assert session.scalars(select(ScheduleTemplate.id)).first() is None  # no templates
        doctor = session.scalars(
            select(Doctor).join(Department).where(Department.hospital_id == first)
            .order_by(Doctor.id)
        ).first()
        assert doctor is not None
        last = NOW.date() + timedelta(days=7)  # the demo hospitals book 7 days ahead
        running = session.scalars(
            select(Schedule).where(Schedule.doctor_id == doctor.id, Schedule.day >= NOW.date(),
                                   Schedule.day <= last)
        ).all()
        assert running
        stopped = running[0]
        desk.stop_session(session, schedule_id=stopped.id, now=NOW, reason="设备故障")
        expected = Counter(
            (s.day.weekday(), s.session.value) for s in running if s.id != stopped.id
        )
        stopped_weekday = stopped.day.weekday()
        doctor_id, doctor_name = doctor.id, doctor.name
    client = _admin(server, "office", first)
    page = client.get(f"/hospital/{first}/admin").text
    assert 'id="week-table"' in page and 'id="week-empty"' not in page
    row = re.search(rf'<tr id="week-doctor-{doctor_id}">.*?</tr>', page, re.S)
    assert row is not None and doctor_name in row.group(0)
    for (weekday, clinic_session), count in expected.items():
        cell = _cell(page, doctor_id, weekday)
        word = "上午" if clinic_session == "am" else "下午"
        assert f"{word} {count}次" in cell and "初始数据" in cell, cell
    assert "停诊 1 次" in _cell(page, doctor_id, stopped_weekday)
    assert "滇池" not in re.search(r'<table[^>]*id="week-table".*?</table>', page, re.S
                                   ).group(0)  # type: ignore[union-attr]

    # A new hospital that defines its sessions by CSV: no template, yet the week shows them.
    clinic = add_hospital(server.db, "云南省第一人民医院")
    with server.db.session() as session:
        department = administration.add_department(
            session, hospital_id=clinic, name=DERMA, display_name="皮肤病门诊", actor_id=None,
            now=NOW)
        derm = administration.add_doctor(
            session, hospital_id=clinic, department_id=department.id, name="和医生",
            title="主任医师", clinic_type="expert", fee_yuan=25, actor_id=None, now=NOW)
        derm_id = derm.id
        day = TOMORROW.isoformat()
        import_csv(session, hospital_id=clinic, now=NOW, raw=(
            "出诊编号,日期,时段,医生编号,号源编号,时间\n"
            f"S1,{day},上午,{derm_id},H1,08:00\nS1,{day},上午,{derm_id},H2,08:20\n"
            f"S1,{day},上午,{derm_id},H3,08:40\n").encode())
    other = _admin(server, "clinic-office", clinic)
    page = other.get(f"/hospital/{clinic}/admin").text
    assert 'id="template-table"' not in page  # nothing typed in as a template
    cell = _cell(page, derm_id, TOMORROW.weekday())
    assert "上午 1次" in cell and "12/1" in cell and "共3号" in cell and "HIS/CSV导入" in cell
    assert f'id="week-doctor-{doctor_id}"' not in page  # not the other hospital's doctors
    with server.db.session() as session:
        status = session.scalars(select(Schedule.status).where(Schedule.doctor_id == derm_id)
                                 ).one()
        assert status == ScheduleStatus.ACTIVE
