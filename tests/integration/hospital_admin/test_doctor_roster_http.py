"""The doctors of the admin section over real HTTP: an exact duplicate is refused, a doctor
can be renamed, set 停用 (no new template or extra session, booked sessions stay and are
listed) and 启用 again; only the hospital's own admin may, and only for its own doctors."""

from __future__ import annotations

import re

import httpx
from admin_helpers import DERMA, NOW, TOMORROW, ZHANG, person_id, set_up_clinic
from sqlalchemy import func, select

from app.hospital import appointments
from app.hospital.enums import ScheduleStatus
from app.hospital.models import Department, Doctor, Hospital, HospitalAudit, Schedule
from app.hospital.offers import find_offers
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

FIRST, SECOND = "春城第一人民医院", "滇池老年病医院"


def _hospital(server: LiveServer, name: str) -> int:
    with server.db.session() as session:
        return session.scalars(select(Hospital.id).where(Hospital.name == name)).one()


def _admin_of(server: LiveServer, username: str, hospital: int) -> tuple[httpx.Client, str]:
    add_staff(server.db, username, StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client, csrf_from(client.get(f"/hospital/{hospital}/admin").text)


def _doctors(server: LiveServer, department_id: int) -> list[tuple[int, str, bool]]:
    with server.db.session() as session:
        return [
            (i, n, a)
            for i, n, a in session.execute(
                select(Doctor.id, Doctor.name, Doctor.active)
                .where(Doctor.department_id == department_id)
                .order_by(Doctor.id)
            ).all()
        ]


def _department(server: LiveServer, hospital: int) -> int:
    with server.db.session() as session:
        return session.scalars(
            select(Department.id).where(
                Department.hospital_id == hospital, Department.name == DERMA
            )
        ).one()


def _doctor_form(token: str, department: int, name: str) -> dict[str, str]:
    return {"csrf_token": token, "department_id": str(department), "name": name,
            "title": "主治医师", "clinic_type": "general", "fee_yuan": "10"}


def test_a_duplicate_doctor_is_refused_and_a_doctor_can_be_renamed_and_disabled(
    live_server: LiveServer,
) -> None:
    demo_data(live_server.db, today=NOW.date())
    live_server.clock.set(NOW)
    first = _hospital(live_server, FIRST)
    he, _template = set_up_clinic(live_server.db, first)  # 和医生, Tuesdays 上午
    department = _department(live_server, first)
    client, token = _admin_of(live_server, "office", first)
    base = f"/hospital/{first}/admin"

    added = client.post(f"{base}/doctors", data=_doctor_form(token, department, "钱医生"))
    assert added.status_code == 303
    # The same name in the same department again (spaces around it do not make it new).
    again = client.post(f"{base}/doctors", data=_doctor_form(token, department, " 钱医生 "))
    assert again.status_code == 409
    assert 'id="doctors-error"' in again.text and "已经有一位在用的钱医生" in again.text
    names = [n for _, n, _ in _doctors(live_server, department)]
    assert names.count("钱医生") == 1
    qian = next(i for i, n, _ in _doctors(live_server, department) if n == "钱医生")

    # Rename: to a name already in use is refused; to a new one works and is audited.
    change = {"csrf_token": token, "title": "主治医师", "clinic_type": "general",
              "fee_yuan": "10"}
    clash = client.post(f"{base}/doctors/{qian}", data={**change, "name": "和医生"})
    assert clash.status_code == 409 and "已经有一位在用的和医生" in clash.text
    renamed = client.post(f"{base}/doctors/{qian}", data={**change, "name": "钱小文"})
    assert renamed.status_code == 303
    assert (qian, "钱小文", True) in _doctors(live_server, department)
    # An older form without the name keeps it.
    assert client.post(f"{base}/doctors/{qian}", data=change).status_code == 303
    assert (qian, "钱小文", True) in _doctors(live_server, department)

    # 和医生 has a booking tomorrow; then the admin sets him 停用.
    with live_server.db.session() as session:
        patient = person_id(live_server.db, ZHANG)
        offer = next(
            o for o in find_offers(session, department=DERMA, patient_id=patient, now=NOW,
                                   limit=20)
            if o.day == TOMORROW
        )
        appointments.book(session, slot_id=offer.slot_id, patient_id=patient, now=NOW,
                          booked_by_number=ZHANG)
    disabled = client.post(f"{base}/doctors/{he}/active", data={"csrf_token": token,
                                                                 "active": "0"})
    assert disabled.status_code == 303
    assert (he, "和医生", False) in _doctors(live_server, department)
    page = client.get(disabled.headers["location"]).text
    row = re.search(rf'<tr id="doctor-{he}".*?</tr>', page, re.S)
    assert row is not None and "已停用" in row.group(0) and "启用" in row.group(0)
    # Not offered for new templates or extra sessions, and refused if sent anyway.
    template_select = re.search(r'<select id="template-doctor".*?</select>', page, re.S)
    assert template_select is not None and f'value="{he}"' not in template_select.group(0)
    template = client.post(f"{base}/templates", data={
        "csrf_token": token, "doctor_id": str(he), "weekday": "3", "clinic_session": "pm",
        "capacity": "5"})
    assert template.status_code == 409 and "和医生已停用" in template.text
    extra = client.post(f"{base}/changes", data={
        "csrf_token": token, "kind": "extra_session", "day": "2026-12-03",
        "doctor_id": str(he), "clinic_session": "pm", "capacity": "5", "note": ""})
    assert extra.status_code == 409 and "和医生已停用" in extra.text
    # The booked session stays running and is listed to decide.
    with live_server.db.session() as session:
        booked = session.scalars(
            select(Schedule).where(Schedule.doctor_id == he, Schedule.day == TOMORROW)
        ).one()
        assert booked.status == ScheduleStatus.ACTIVE
    assert f"/schedules/{booked.id}/stop" in page and "医生已停用" in page

    # With 和医生 inactive, a new 和医生 may be added; the old one cannot then be enabled.
    assert client.post(f"{base}/doctors", data=_doctor_form(token, department, "和医生")
                       ).status_code == 303
    refused = client.post(f"{base}/doctors/{he}/active", data={"csrf_token": token,
                                                                "active": "1"})
    assert refused.status_code == 409 and "已经有一位在用的和医生" in refused.text
    assert (he, "和医生", False) in _doctors(live_server, department)
    # Renamed apart, it can.
    assert client.post(f"{base}/doctors/{he}", data={**change, "name": "和医生（老）"}
                       ).status_code == 303
    enabled = client.post(f"{base}/doctors/{he}/active", data={"csrf_token": token,
                                                                "active": "1"})
    assert enabled.status_code == 303
    assert (he, "和医生（老）", True) in _doctors(live_server, department)
    with live_server.db.session() as session:
        actions = set(session.scalars(
            select(HospitalAudit.action).where(HospitalAudit.hospital_id == first)
        ))
    assert {"doctor_disabled", "doctor_enabled", "doctor_changed"} <= actions


def test_only_the_own_hospital_admin_may_rename_or_disable_a_doctor(
    live_server: LiveServer,
) -> None:
    demo_data(live_server.db, today=NOW.date())
    live_server.clock.set(NOW)
    first, second = _hospital(live_server, FIRST), _hospital(live_server, SECOND)
    theirs, _ = set_up_clinic(live_server.db, second)
    department = _department(live_server, second)
    before = _doctors(live_server, department)
    client, token = _admin_of(live_server, "office_a", first)
    routes = [
        (f"/doctors/{theirs}/active", {"csrf_token": token, "active": "0"}),
        (f"/doctors/{theirs}", {"csrf_token": token, "name": "改名", "title": "主治医师",
                                "clinic_type": "general", "fee_yuan": "10"}),
    ]
    for path, data in routes:
        # Their hospital in the URL: 403; ours with their doctor: 404.
        assert client.post(f"/hospital/{second}/admin{path}", data=data).status_code == 403
        answer = client.post(f"/hospital/{first}/admin{path}", data=data)
        assert answer.status_code == 404 and "不属于本院" in answer.text
    # Desk staff of that very hospital may not either.
    add_staff(live_server.db, "desk_b", StaffRole.HOSPITAL_STAFF, hospital_id=second)
    desk = live_server.client()
    assert sign_in(desk, "desk_b").status_code == 303
    desk_token = csrf_from(desk.get(f"/hospital/{second}").text)
    refused = desk.post(f"/hospital/{second}/admin/doctors/{theirs}/active",
                        data={"csrf_token": desk_token, "active": "0"})
    assert refused.status_code == 403
    assert _doctors(live_server, department) == before
    with live_server.db.session() as session:
        assert session.scalar(
            select(func.count(HospitalAudit.id)).where(
                HospitalAudit.action.in_(["doctor_disabled", "doctor_changed"])
            )
        ) == 0
