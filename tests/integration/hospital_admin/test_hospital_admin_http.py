"""The admin section of the hospital console over real HTTP: roles, isolation between
hospitals (ids changed in URLs and forms), CSRF, refusals and the calendar warning."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from admin_helpers import DERMA, NOW, TOMORROW, set_up_clinic
from sqlalchemy import func, select

from app.hospital import audit, schedules
from app.hospital.enums import ClinicSession
from app.hospital.models import (
    Department,
    Doctor,
    Hospital,
    HospitalAudit,
    Schedule,
    ScheduleChange,
    ScheduleTemplate,
)
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

FIRST, SECOND = "春城第一人民医院", "滇池老年病医院"


def _ids(server: LiveServer) -> tuple[int, int]:
    with server.db.session() as session:
        first = session.scalars(select(Hospital.id).where(Hospital.name == FIRST)).one()
        second = session.scalars(select(Hospital.id).where(Hospital.name == SECOND)).one()
        return first, second


def _server(live_server: LiveServer) -> LiveServer:
    demo_data(live_server.db, today=NOW.date())
    live_server.clock.set(NOW)
    return live_server


def _signed_in(
    server: LiveServer, username: str, role: StaffRole, hospital: int | None
) -> httpx.Client:
    add_staff(server.db, username, role, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def _state_of(server: LiveServer, hospital: int) -> dict[str, Any]:
    """Everything an admin change could touch at one hospital."""
    with server.db.session() as session:
        h = session.get(Hospital, hospital)
        assert h is not None
        return {
            "rules": dict(h.rules or {}),
            "audit": session.scalar(
                select(func.count(HospitalAudit.id)).where(HospitalAudit.hospital_id == hospital)
            ),
            "departments": sorted(
                tuple(r)
                for r in session.execute(
                    select(Department.id, Department.display_name).where(
                        Department.hospital_id == hospital
                    )
                ).all()
            ),
            "doctors": sorted(
                tuple(r)
                for r in session.execute(
                    select(Doctor.id, Doctor.name, Doctor.title, Doctor.fee_yuan, Doctor.active)
                    .join(Department)
                    .where(Department.hospital_id == hospital)
                ).all()
            ),
            "templates": sorted(
                tuple(r)
                for r in session.execute(
                    select(
                        ScheduleTemplate.id, ScheduleTemplate.capacity, ScheduleTemplate.active
                    ).where(ScheduleTemplate.hospital_id == hospital)
                ).all()
            ),
            "changes": sorted(
                tuple(r)
                for r in session.execute(
                    select(ScheduleChange.id, ScheduleChange.active).where(
                        ScheduleChange.hospital_id == hospital
                    )
                ).all()
            ),
            "schedules": session.scalar(
                select(func.count(Schedule.id))
                .join(Doctor)
                .join(Department)
                .where(Department.hospital_id == hospital, Schedule.kept.is_(False))
            ),
        }


def _hospital_b_objects(server: LiveServer, second: int) -> dict[str, int]:
    doctor_id, template_id = set_up_clinic(server.db, second)
    with server.db.session() as session:
        change = schedules.add_change(
            session,
            hospital_id=second,
            kind="doctor_away",
            day=TOMORROW,
            doctor_id=doctor_id,
            clinic_session=ClinicSession.PM,
            capacity=None,
            note="",
            actor_id=None,
            now=NOW,
        )
        department_id = session.scalars(
            select(Department.id).where(Department.hospital_id == second, Department.name == DERMA)
        ).one()
        schedule_id = session.scalars(
            select(Schedule.id)
            .join(Doctor)
            .join(Department)
            .where(Department.hospital_id == second)
            .order_by(Schedule.id)
        ).first()
        assert schedule_id is not None
        return {
            "doctor": doctor_id,
            "template": template_id,
            "change": change.id,
            "department": department_id,
            "schedule": schedule_id,
        }


def _posts(hospital: int, ids: dict[str, int], token: str) -> list[tuple[str, dict[str, str]]]:
    """Every admin POST, with hospital B's ids in the URL and in the form."""
    base = f"/hospital/{hospital}/admin"
    form = {"csrf_token": token}
    return [
        (f"{base}/departments", {**form, "name": "眼科", "display_name": ""}),
        (f"{base}/departments/{ids['department']}", {**form, "display_name": "改名"}),
        (
            f"{base}/doctors",
            {
                **form,
                "department_id": str(ids["department"]),
                "name": "甲医生",
                "title": "主治医师",
                "clinic_type": "general",
                "fee_yuan": "10",
            },
        ),
        (
            f"{base}/doctors/{ids['doctor']}",
            {**form, "title": "住院医师", "clinic_type": "general", "fee_yuan": "1"},
        ),
        (
            f"{base}/doctors/{ids['doctor']}",
            {**form, "name": "改名医生", "title": "住院医师", "clinic_type": "general",
             "fee_yuan": "1"},
        ),
        (f"{base}/doctors/{ids['doctor']}/active", {**form, "active": "0"}),
        (
            f"{base}/templates",
            {
                **form,
                "doctor_id": str(ids["doctor"]),
                "weekday": "3",
                "clinic_session": "am",
                "capacity": "5",
            },
        ),
        (f"{base}/templates/{ids['template']}", {**form, "capacity": "9"}),
        (f"{base}/templates/{ids['template']}/remove", form),
        (
            f"{base}/changes",
            {
                **form,
                "kind": "doctor_away",
                "day": "2026-12-02",
                "doctor_id": str(ids["doctor"]),
                "clinic_session": "",
                "capacity": "",
                "note": "",
            },
        ),
        (f"{base}/changes/{ids['change']}/remove", form),
        (f"{base}/schedules/{ids['schedule']}/keep", form),
        (
            f"{base}/rules",
            {
                **form,
                "booking_window_days": "3",
                "release_time": "08:00",
                "next_day_close_time": "",
                "cancel_deadline_time": "12:00",
                "cancel_deadline_day": "calendar",
                "noshow_penalties": "",
                "elderly_share_percent": "10",
                "onsite_share_percent": "10",
            },
        ),
        (f"{base}/calendar", {**form, "day": "2026-12-02", "kind": "closed"}),
        (f"{base}/generate", form),
    ]


def test_an_admin_of_hospital_a_changes_nothing_of_hospital_b(live_server: LiveServer) -> None:
    server = _server(live_server)
    first, second = _ids(server)
    ids = _hospital_b_objects(server, second)
    before = _state_of(server, second)
    client = _signed_in(server, "admin_a", StaffRole.HOSPITAL_ADMIN, first)
    page = client.get(f"/hospital/{first}/admin")
    assert page.status_code == 200 and "医院管理" in page.text
    token = csrf_from(page.text)
    forbidden = client.get(f"/hospital/{second}/admin")
    assert forbidden.status_code == 403 and "您只能查看本院的数据" in forbidden.text
    assert "皮肤病门诊" not in page.text and "和医生" not in page.text  # B's clinic is not shown
    # B's hospital id in the URL: 403 on every route.
    for path, data in _posts(second, ids, token):
        assert client.post(path, data=data).status_code == 403, path
    # A's hospital id in the URL, B's ids in the path or the form: 404, nothing changes.
    for path, data in _posts(first, ids, token):
        if path.endswith(("/departments", "/rules", "/calendar", "/generate")):
            continue  # no foreign id in these
        answer = client.post(path, data=data)
        assert answer.status_code == 404, path
        assert "不属于本院" in answer.text
    assert _state_of(server, second) == before


def test_hospital_staff_operators_and_strangers_cannot_administer(
    live_server: LiveServer,
) -> None:
    server = _server(live_server)
    first, second = _ids(server)
    ids = _hospital_b_objects(server, first)
    before = _state_of(server, first)
    desk = server.client()
    assert sign_in(desk, "hospital1", "guahao-2026!").status_code == 303
    day_page = desk.get(f"/hospital/{first}")
    assert day_page.status_code == 200 and 'id="admin-link"' not in day_page.text
    token = csrf_from(day_page.text)
    operator = _signed_in(server, "op1", StaffRole.OPERATOR, None)
    for client in (desk, operator):
        page = client.get(f"/hospital/{first}/admin")
        assert page.status_code == 403 and "无权使用此页面" in page.text
        for path, data in _posts(first, ids, token):
            assert client.post(path, data=data).status_code == 403, path
    stranger = server.client()
    refused = stranger.get(f"/hospital/{first}/admin")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    for path, data in _posts(first, ids, "x"):
        # The CSRF check (no session: no valid token) refuses before the role check.
        assert stranger.post(path, data=data).status_code == 403, path
    assert _state_of(server, first) == before
    # A hospital admin also uses the day view of their own hospital, with the admin link.
    admin_a = _signed_in(server, "admin_a", StaffRole.HOSPITAL_ADMIN, first)
    assert 'id="admin-link"' in admin_a.get(f"/hospital/{first}").text
    assert admin_a.get(f"/hospital/{second}").status_code == 403
    # The hotline admin may administer any hospital.
    boss = _signed_in(server, "boss", StaffRole.ADMIN, None)
    assert boss.get(f"/hospital/{second}/admin").status_code == 200


def test_admin_changes_need_csrf_and_refusals_are_explained(live_server: LiveServer) -> None:
    server = _server(live_server)
    first, _ = _ids(server)
    client = _signed_in(server, "admin_a", StaffRole.HOSPITAL_ADMIN, first)
    token = csrf_from(client.get(f"/hospital/{first}/admin").text)
    department = {"name": DERMA, "display_name": "皮肤病门诊"}
    assert client.post(f"/hospital/{first}/admin/departments", data=department).status_code == 403
    done = client.post(
        f"/hospital/{first}/admin/departments", data={**department, "csrf_token": token}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/hospital/{first}/admin?done=department#departments"
    page = client.get(done.headers["location"])
    assert "科室已添加" in page.text and "皮肤病门诊" in page.text
    with server.db.session() as session:
        derma = session.scalars(
            select(Department.id).where(Department.hospital_id == first, Department.name == DERMA)
        ).one()
    renamed = client.post(
        f"/hospital/{first}/admin/departments/{derma}",
        data={"csrf_token": token, "display_name": "皮肤科门诊"},
    )
    assert (
        renamed.status_code == 303 and "皮肤科门诊" in client.get(renamed.headers["location"]).text
    )
    again = client.post(
        f"/hospital/{first}/admin/departments", data={**department, "csrf_token": token}
    )
    assert again.status_code == 409 and "本院已有皮肤科" in again.text
    bad_number = client.post(
        f"/hospital/{first}/admin/templates",
        data={
            "csrf_token": token,
            "doctor_id": "abc",
            "weekday": "1",
            "clinic_session": "am",
            "capacity": "5",
        },
    )
    assert bad_number.status_code == 409 and "医生要填整数" in bad_number.text
    shares = client.post(
        f"/hospital/{first}/admin/rules",
        data={
            "csrf_token": token,
            "booking_window_days": "7",
            "release_time": "15:00",
            "next_day_close_time": "",
            "cancel_deadline_time": "16:00",
            "cancel_deadline_day": "working",
            "noshow_penalties": "1:30",
            "elderly_share_percent": "70",
            "onsite_share_percent": "40",
        },
    )
    assert shares.status_code == 409 and "不能超过 100%" in shares.text
    with server.db.session() as session:
        actions = session.scalars(
            select(HospitalAudit.action).where(HospitalAudit.hospital_id == first)
        ).all()
        staff_ids = set(
            session.scalars(
                select(HospitalAudit.staff_user_id).where(HospitalAudit.hospital_id == first)
            )
        )
    assert actions == ["department_added", "department_renamed"] and None not in staff_ids
    trail = client.get(f"/hospital/{first}/admin").text  # the audit trail, in Chinese
    assert "新增科室" in trail and "本院叫法：皮肤病门诊" in trail
    assert "原来：本院叫法 皮肤病门诊" in trail and "改为：本院叫法 皮肤科门诊" in trail


def test_the_page_warns_when_the_holiday_data_ends_inside_the_window(
    live_server: LiveServer,
) -> None:
    server = _server(live_server)
    first, _ = _ids(server)
    client = _signed_in(server, "admin_a", StaffRole.HOSPITAL_ADMIN, first)
    assert 'id="calendar-warning"' not in client.get(f"/hospital/{first}/admin").text
    server.clock.set(datetime(2026, 12, 28, 2, 0, tzinfo=UTC))
    assert sign_in(client, "admin_a").status_code == 303  # the old session has expired
    page = client.get(f"/hospital/{first}/admin")
    assert 'id="calendar-warning"' in page.text
    assert "节假日数据只到 2026 年底" in page.text and "1月1日" in page.text
    # The hospital admin cannot enter the service-wide days; a service admin enters 2027's
    # 元旦 once (a year the package covers is refused) and the warning goes.
    assert client.get("/hospital/holidays").status_code == 403
    service = _signed_in(server, "root_a", StaffRole.ADMIN, None)
    form = service.get("/hospital/holidays")
    assert form.status_code == 200 and 'id="holidays-gap"' in form.text
    token = csrf_from(form.text)
    entry = {"csrf_token": token, "kind": "holiday", "name": "元旦", "last": ""}
    refused = service.post("/hospital/holidays", data={**entry, "first": "2026-10-01"})
    assert refused.status_code == 409 and "不用录入" in refused.text
    own_token = csrf_from(page.text)  # the hospital admin's own, valid token: still 403
    assert client.post("/hospital/holidays", data={**entry, "csrf_token": own_token,
                                                   "first": "2027-01-01"}).status_code == 403
    saved = service.post("/hospital/holidays", data={**entry, "first": "2027-01-01"})
    assert saved.status_code == 303
    listed = service.get(saved.headers["location"]).text
    assert 'id="holiday-2027-01-01"' in listed and 'id="holidays-gap"' not in listed
    assert 'id="calendar-warning"' not in client.get(f"/hospital/{first}/admin").text


def test_every_audited_action_is_named_in_chinese_on_the_page() -> None:
    """The 修改记录 table shows each action by a Chinese label, never by its code: every
    action `audit.record` is called with in app/hospital has one (停用医生 once had none)."""
    recorded: set[str] = set()
    for path in Path(audit.__file__).parent.rglob("*.py"):
        for call in re.finditer(r"audit\.record\((.*?)\n\s*\)", path.read_text(), re.S):
            action = re.search(r"action=([^\n]*)", call.group(1))
            assert action is not None, f"{path}: an audit entry without an action"
            recorded |= set(re.findall(r'"([a-z_]+)"', action.group(1)))
    assert {"doctor_disabled", "session_stopped", "his_import"} <= recorded  # the scan works
    assert recorded - audit.ACTION_LABELS.keys() == set()
