"""The admin section of the hospital console (/hospital/{id}/admin): the hospital's own
departments, doctors, weekly schedule templates, one-off changes, calendar and rules.

Only hospital admins (their own hospital) and admins (`HospitalAdminStaff`) may use it;
hospital staff get 403. The hospital id in the URL is checked first (403); every other id
in a URL or a form is looked up within that hospital (404, nothing changed). Every change
goes through app.hospital.administration / app.hospital.schedules, which audit it. A
refused change shows the page again with a Chinese message (409; 404 for a foreign id).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalAdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital import administration, contacts, schedules
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.console.admin_view import NOTICES, admin_context
from app.hospital.console.pages import load_hospital
from app.hospital.enums import ClinicSession
from app.hospital.models import Hospital
from app.staff.models import StaffUser

pages = console_router()
actions = console_router(dependencies=[CsrfProtected])

Text = Annotated[str, Form(max_length=80)]
PHONE_FIELDS = range(1, contacts.MAX_PHONES + 1)  # phone1 .. phone3 on the form


def _int(raw: str, label: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise AdminError(f"{label}要填整数。") from None


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise AdminError("日期格式不对，应为 2027-01-01。") from None


def _session(raw: str, *, optional: bool = False) -> ClinicSession | None:
    if not raw and optional:
        return None
    try:
        return ClinicSession(raw)
    except ValueError:
        raise AdminError("请选择上午或下午。") from None


def _run(
    request: Request,
    session: Session,
    staff: StaffUser,
    hospital: Hospital,
    now: NowDep,
    *,
    action: str,
    section: str,
    change: Callable[[], object],
    typed: dict[str, str] | None = None,
    done_query: Callable[[object], str] | None = None,
) -> Response:
    """`done_query(result)`: more of the notice's query string (e.g. the new template)."""
    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        context = admin_context(session, hospital, now)
        # The error is shown at the form it is about (and next to its field), and the
        # form keeps what was typed; the page opens at that form (`action="…#section"`).
        context["error"] = exc.message
        context["error_section"] = section
        context["error_field"] = exc.field
        if typed is not None and section == "rules":
            context["rules"] = {**context["rules"], **typed}
        if typed is not None and section == "phones":
            context["phones_form"] = [typed.get(f"phone{n}", "") for n in PHONE_FIELDS]
        status = 404 if isinstance(exc, AdminNotFound) else 409
        return render(request, "hospital/admin.html", context, status_code=status)

    return commit_or_refuse(
        session,
        change,
        refused=AdminError,
        show_refusal=show_refusal,
        log_event="hospital admin action",
        fields={"action": action, "staff_user_id": staff.id, "hospital_id": hospital.id},
        done_url=lambda result: (
            f"/hospital/{hospital.id}/admin?done={action}"
            f"{done_query(result) if done_query else ''}#{section}"
        ),
    )


@pages.get("/hospital/{hospital_id}/admin", response_class=Response)
def admin_page(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    done: str = "",
    template: str = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    context = admin_context(session, hospital, now)
    context["notice"] = NOTICES.get(done)
    if done == "template" and template.isdigit():
        # Which days got new sessions and which kept the one already there (eighth trial).
        # Removed meanwhile, or another hospital's: the plain notice.
        with suppress(AdminNotFound):
            context["notice"] = schedules.template_days(
                session, hospital_id=hospital.id, template_id=int(template), now=now
            ).notice
    return render(request, "hospital/admin.html", context)


@actions.post("/hospital/{hospital_id}/admin/departments", response_class=Response)
def add_department(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    name: Text = "",
    display_name: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="department",
        section="departments",
        change=lambda: administration.add_department(
            session,
            hospital_id=hospital.id,
            name=name,
            display_name=display_name,
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/departments/{department_id}", response_class=Response)
def rename_department(
    request: Request,
    hospital_id: int,
    department_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    display_name: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="department_renamed",
        section="departments",
        change=lambda: administration.rename_department(
            session,
            hospital_id=hospital.id,
            department_id=department_id,
            display_name=display_name,
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/doctors", response_class=Response)
def add_doctor(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    department_id: Text = "",
    name: Text = "",
    title: Text = "",
    clinic_type: Text = "",
    fee_yuan: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="doctor",
        section="doctors",
        change=lambda: administration.add_doctor(
            session,
            hospital_id=hospital.id,
            department_id=_int(department_id, "科室"),
            name=name,
            title=title,
            clinic_type=clinic_type,
            fee_yuan=_int(fee_yuan, "挂号费"),
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/doctors/{doctor_id}", response_class=Response)
def change_doctor(
    request: Request,
    hospital_id: int,
    doctor_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    title: Text = "",
    clinic_type: Text = "",
    fee_yuan: Text = "",
    name: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    """Name (a form without it keeps the name), title, clinic type and fee."""
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="doctor_changed",
        section="doctors",
        change=lambda: administration.change_doctor(
            session,
            hospital_id=hospital.id,
            doctor_id=doctor_id,
            name=name,
            title=title,
            clinic_type=clinic_type,
            fee_yuan=_int(fee_yuan, "挂号费"),
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/doctors/{doctor_id}/active", response_class=Response)
def set_doctor_active(
    request: Request,
    hospital_id: int,
    doctor_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    active: Text = "",
) -> Response:
    """停用 (`active=0`) or 启用 (`active=1`) a doctor."""
    hospital = load_hospital(session, staff, hospital_id)

    def change() -> object:
        if active not in ("0", "1"):
            raise AdminError("请选择停用或启用。")
        return administration.set_doctor_active(
            session,
            hospital_id=hospital.id,
            doctor_id=doctor_id,
            active=active == "1",
            actor_id=staff.id,
            now=now,
        )

    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="doctor_enabled" if active == "1" else "doctor_disabled",
        section="doctors",
        change=change,
    )


@actions.post("/hospital/{hospital_id}/admin/templates", response_class=Response)
def add_template(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    doctor_id: Text = "",
    weekday: Text = "",
    clinic_session: Text = "",
    capacity: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)

    def change() -> object:
        chosen = _session(clinic_session)
        assert chosen is not None
        return schedules.add_template(
            session,
            hospital_id=hospital.id,
            doctor_id=_int(doctor_id, "医生"),
            weekday=_int(weekday, "星期"),
            clinic_session=chosen,
            capacity=_int(capacity, "号源数"),
            actor_id=staff.id,
            now=now,
        )

    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="template",
        section="templates",
        change=change,
        done_query=lambda template: f"&template={getattr(template, 'id', '')}",
    )


@actions.post("/hospital/{hospital_id}/admin/templates/{template_id}", response_class=Response)
def change_template(
    request: Request,
    hospital_id: int,
    template_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    capacity: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="template",
        section="templates",
        change=lambda: schedules.change_template_capacity(
            session,
            hospital_id=hospital.id,
            template_id=template_id,
            capacity=_int(capacity, "号源数"),
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post(
    "/hospital/{hospital_id}/admin/templates/{template_id}/remove", response_class=Response
)
def remove_template(
    request: Request,
    hospital_id: int,
    template_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="template_removed",
        section="conflicts",
        change=lambda: schedules.remove_template(
            session,
            hospital_id=hospital.id,
            template_id=template_id,
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/changes", response_class=Response)
def add_change(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    kind: Text = "",
    day: Text = "",
    doctor_id: Text = "",
    clinic_session: Text = "",
    capacity: Text = "",
    note: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="change",
        section="changes",
        change=lambda: schedules.add_change(
            session,
            hospital_id=hospital.id,
            kind=kind,
            day=_day(day),
            doctor_id=_int(doctor_id, "医生"),
            clinic_session=_session(clinic_session, optional=True),
            capacity=_int(capacity, "号源数") if capacity.strip() else None,
            note=note,
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/changes/{change_id}/remove", response_class=Response)
def remove_change(
    request: Request,
    hospital_id: int,
    change_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="change_removed",
        section="changes",
        change=lambda: schedules.remove_change(
            session, hospital_id=hospital.id, change_id=change_id, actor_id=staff.id, now=now
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/phones", response_class=Response)
def update_phones(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    phone1: Annotated[str, Form(max_length=40)] = "",
    phone2: Annotated[str, Form(max_length=40)] = "",
    phone3: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """医院电话: the hospital's public numbers, the main one first (app.hospital.contacts)."""
    hospital = load_hospital(session, staff, hospital_id)
    typed = [phone1, phone2, phone3]
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="phones",
        section="phones",
        typed={f"phone{n}": value for n, value in zip(PHONE_FIELDS, typed, strict=True)},
        change=lambda: contacts.set_phones(
            session, hospital_id=hospital.id, typed=typed, actor_id=staff.id, now=now
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/rules", response_class=Response)
def update_rules(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    booking_window_days: Text = "",
    release_time: Text = "",
    next_day_close_time: Text = "",
    cancel_deadline_time: Text = "",
    cancel_deadline_day: Text = "",
    noshow_penalties: Text = "",
    elderly_share_percent: Text = "",
    onsite_share_percent: Text = "",
    family_doctor_share_percent: Text = "",
    elderly_release: Text = "",
    elderly_release_days: Text = "",
    elderly_release_time: Text = "",
    elderly_release_hours: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    form = {
        "booking_window_days": booking_window_days,
        "release_time": release_time,
        "next_day_close_time": next_day_close_time,
        "cancel_deadline_time": cancel_deadline_time,
        "cancel_deadline_day": cancel_deadline_day,
        "noshow_penalties": noshow_penalties,
        "elderly_share_percent": elderly_share_percent,
        "onsite_share_percent": onsite_share_percent,
        "family_doctor_share_percent": family_doctor_share_percent,
        "elderly_release": elderly_release,
        "elderly_release_days": elderly_release_days,
        "elderly_release_time": elderly_release_time,
        "elderly_release_hours": elderly_release_hours,
    }
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="rules",
        section="rules",
        change=lambda: administration.update_rules(
            session, hospital_id=hospital.id, form=form, actor_id=staff.id, now=now
        ),
        typed=form,
    )


@actions.post("/hospital/{hospital_id}/admin/calendar", response_class=Response)
def set_calendar_day(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    day: Text = "",
    kind: Text = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="calendar",
        section="calendar",
        change=lambda: administration.set_calendar_day(
            session,
            hospital_id=hospital.id,
            day=_day(day),
            kind=kind,
            actor_id=staff.id,
            now=now,
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/generate", response_class=Response)
def generate(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="generated",
        section="window",
        change=lambda: schedules.generate(
            session, hospital_id=hospital.id, actor_id=staff.id, now=now
        ),
    )


@actions.post("/hospital/{hospital_id}/admin/schedules/{schedule_id}/keep", response_class=Response)
def keep_session(
    request: Request,
    hospital_id: int,
    schedule_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _run(
        request,
        session,
        staff,
        hospital,
        now,
        action="kept",
        section="conflicts",
        change=lambda: schedules.keep_session(
            session,
            hospital_id=hospital.id,
            schedule_id=schedule_id,
            actor_id=staff.id,
            now=now,
        ),
    )
