"""The family-doctor console (/family-doctor): a family doctor's own signed patients.

Only family doctors (`FamilyDoctorStaff`; everyone else 403, not signed in: /login). Every
person, appointment or session id in a URL or form is looked up within the doctor's own
signed patients and own hospital (`app.hospital.family_doctors`): anyone else's is 404 and
nothing changes. Bookings come from the family-doctor share of each session, through the
phone's booking rules; a refusal shows the page again with a Chinese message (409).
Cancelling asks for confirmation first. Numbers are masked; nothing personal is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.consoles.auth import FamilyDoctorStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.phone_service import NOT_SENT, action_notice
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.hospital import contacts, family_doctors
from app.hospital.family_doctors import FamilyDoctorError
from app.hospital.models import Hospital
from app.hospital.rules import spoken_day
from app.staff.models import StaffUser
from app.taxi import hospital_trips

pages = console_router()
actions = console_router(dependencies=[CsrfProtected])

NOTICES = {
    "booked": "已预约，老人和家属会收到短信（只有座机的老人会接到电话）。",
    "moved": "已改约，老人和家属会收到改约短信。",
    "cancelled": "已取消，老人和家属会收到短信。",
    # A hospital trip was linked (app/taxi/hospital_trips.py): it went with the booking,
    # moved to the new time or, when no car can take the patient then, cancelled.
    "moved_ride": "已改约，约好的去医院的车也改到了新时间来接，老人和家属会收到改约短信。",
    "moved_ride_cancelled": (
        "已改约。约好的去医院的车接不了新时间，已经取消；老人和家属会收到改约短信，里面说了车已取消。"
    ),
    "cancelled_ride": "已取消，约好的去医院的车也一起取消了，老人和家属会收到短信。",
    # A ride booked before and only joined is kept (hospital_trips.car_fate).
    "cancelled_ride_kept": (
        "已取消。老人原来约好的车不是为这个预约约的，没有取消，照常来接；短信里告诉了老人怎样取消。"
        "老人和家属会收到短信。"
    ),
    # A ride booked before the appointment and only joined to it is never moved.
    "moved_ride_kept": (
        "已改约。老人原来约好的车不是为这个预约约的，没有改动；要改车，请让老人或家属打热线。"
        "老人和家属会收到改约短信。"
    ),
}
# While no phone service is configured nothing reaches the patient: the doctor tells them.
_TELL_THEM = f"{NOT_SENT}，请您自己告诉老人和家属。"
UNSENT_NOTICES = {
    "booked": f"已预约。{_TELL_THEM}",
    "moved": f"已改约。{_TELL_THEM}",
    "cancelled": f"已取消。{_TELL_THEM}",
    "moved_ride": f"已改约，约好的去医院的车也改到了新时间来接。{_TELL_THEM}",
    "moved_ride_cancelled": f"已改约。约好的去医院的车接不了新时间，已经取消。{_TELL_THEM}",
    "cancelled_ride": f"已取消，约好的去医院的车也一起取消了。{_TELL_THEM}",
    "cancelled_ride_kept": (
        f"已取消。老人原来约好的车不是为这个预约约的，没有取消，照常来接。{_TELL_THEM}"
    ),
    "moved_ride_kept": (
        "已改约。老人原来约好的车不是为这个预约约的，没有改动；要改车，请让老人或家属打热线。"
        f"{_TELL_THEM}"
    ),
}
ScheduleField = Annotated[str, Form(max_length=18)]


def _hospital(session: Session, staff: StaffUser) -> Hospital | None:
    return session.get(Hospital, staff.hospital_id) if staff.hospital_id else None


def _not_found(exc: FamilyDoctorError) -> HTTPException:
    return HTTPException(status_code=404, detail=exc.message)


def _schedule_id(raw: str) -> int:
    if not raw.strip().isdigit():
        raise FamilyDoctorError("请选择出诊。")
    return int(raw)


@pages.get("/family-doctor", response_class=Response)
def home(
    request: Request, staff: FamilyDoctorStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep, done: str = "",
) -> Response:
    hospital = _hospital(session, staff)
    context = {
        "hospital": hospital,
        # Past the cancel deadline the patient must call the hospital: its numbers are here.
        "hospital_phones": contacts.shown_phones(hospital) if hospital is not None else [],
        "patients": family_doctors.signed_patients(session, doctor=staff, now=now),
        "notice": action_notice(done, settings, notices=NOTICES, unsent_notices=UNSENT_NOTICES),
    }
    return render(request, "hospital/family_doctor.html", context)


def _choose_context(
    session: Session, staff: StaffUser, now: Any, department: str
) -> dict[str, Any]:
    every = family_doctors.open_sessions(session, doctor=staff, now=now)
    departments: list[str] = []
    for item in every:
        if item.department_name not in departments:
            departments.append(item.department_name)
    sessions = [s for s in every if not department or s.department_name == department]
    return {
        "hospital": _hospital(session, staff),
        "departments": departments,
        "department": department,
        "sessions": sessions,
    }


@dataclass(frozen=True)
class ChoiceDay:
    """A day of the choice page: its sessions with family slots left."""

    day: date
    sessions: int

    @property
    def label(self) -> str:
        return spoken_day(self.day)


def _by_day(context: dict[str, Any], day: str) -> None:
    """One day's sessions at a time (a hospital has about 190 in its booking window, too
    many for one list): the day asked for, else the day of the session just chosen, else
    the first day with sessions."""
    sessions: list[family_doctors.FamilySession] = context["sessions"]
    counts: dict[date, int] = {}
    for item in sessions:
        counts[item.day] = counts.get(item.day, 0) + 1
    context["days"] = [ChoiceDay(d, n) for d, n in counts.items()]
    chosen = next((s.day for s in sessions if str(s.schedule_id) == context["chosen_schedule"]),
                  None)
    try:
        asked: date | None = date.fromisoformat(day) if day else None
    except ValueError:
        asked = None
    shown = next((d for d in (asked, chosen) if d in counts), next(iter(counts), None))
    context["chosen_day"] = shown
    context["chosen_day_label"] = spoken_day(shown) if shown is not None else ""
    context["day_sessions"] = [s for s in sessions if s.day == shown]


def _book_page(
    request: Request, session: Session, staff: StaffUser, now: Any, person_id: int,
    department: str, day: str = "", **extra: Any,
) -> Response:
    try:
        patient = family_doctors.signed_patient(session, doctor=staff, person_id=person_id, now=now)
    except FamilyDoctorError as exc:
        raise _not_found(exc) from None
    context = _choose_context(session, staff, now, department)
    context.update(patient=patient, booking=None, chosen_schedule="")
    status = extra.pop("status_code", 200)
    context.update(extra)
    _by_day(context, day)
    return render(request, "hospital/family_choose.html", context, status_code=status)


def _commit_choice(
    session: Session,
    staff: StaffUser,
    change: Callable[[], Any],
    *,
    page: Callable[..., Response],
    not_ours: str,
    fields: dict[str, Any],
    done_url: str | Callable[[Any], str],
) -> Response:
    """Book or move: commit the change, or show the choice page again with the refusal
    (a patient or booking that is not the doctor's is simply not found)."""

    def refused(exc: Exception) -> Response:
        assert isinstance(exc, FamilyDoctorError)
        if exc.not_found and exc.message == not_ours:
            raise _not_found(exc)
        return page(error=exc.message, status_code=404 if exc.not_found else 409)

    return commit_or_refuse(
        session,
        change,
        refused=FamilyDoctorError,
        show_refusal=refused,
        log_event="family doctor action",
        fields={**fields, "staff_user_id": staff.id},
        done_url=done_url,
    )


@pages.get("/family-doctor/patients/{person_id}/book", response_class=Response)
def book_form(
    request: Request,
    person_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
    department: Annotated[str, Query(max_length=30)] = "",
    day: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _book_page(request, session, staff, now, person_id, department, day)


@actions.post("/family-doctor/patients/{person_id}/book", response_class=Response)
def book(
    request: Request,
    person_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
    schedule_id: ScheduleField = "",
    department: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    return _commit_choice(
        session,
        staff,
        lambda: family_doctors.book_for(
            session, doctor=staff, person_id=person_id, schedule_id=_schedule_id(schedule_id),
            now=now,
        ),
        page=partial(
            _book_page, request, session, staff, now, person_id, department,
            chosen_schedule=schedule_id,
        ),
        not_ours=family_doctors.NOT_SIGNED,
        fields={"action": "family_doctor_book"},
        done_url=f"/family-doctor?done=booked#patient-{person_id}",
    )


def _move_page(
    request: Request, session: Session, staff: StaffUser, now: Any, appointment_id: int,
    department: str | None, day: str = "", **extra: Any,
) -> Response:
    try:
        patient, booking = family_doctors.own_booking(
            session, doctor=staff, appointment_id=appointment_id, now=now
        )
    except FamilyDoctorError as exc:
        if exc.not_found:
            raise _not_found(exc) from None
        raise HTTPException(status_code=409, detail=exc.message) from None
    # No department asked for: the booking's own; an empty choice (全部科室): every one.
    chosen = booking.department_name if department is None else department
    context = _choose_context(session, staff, now, chosen)
    context.update(
        patient=patient, booking=booking, chosen_schedule="",
        car=_car_before_move(session, appointment_id),
    )
    status = extra.pop("status_code", 200)
    context.update(extra)
    _by_day(context, day)
    return render(request, "hospital/family_choose.html", context, status_code=status)


@pages.get("/family-doctor/appointments/{appointment_id}/move", response_class=Response)
def move_form(
    request: Request,
    appointment_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
    department: Annotated[str | None, Query(max_length=30)] = None,
    day: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _move_page(request, session, staff, now, appointment_id, department, day)


@actions.post("/family-doctor/appointments/{appointment_id}/move", response_class=Response)
def move(
    request: Request,
    appointment_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
    schedule_id: ScheduleField = "",
    department: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    car = _car_before_move(session, appointment_id)

    def done(new: Any) -> str:
        """What happened to the car, read after the move: moved with it, or cancelled."""
        if car is None:
            return "moved"
        if car == "kept":
            return "moved_ride_kept"
        moved = hospital_trips.booked_ride_of(session, new.id) is not None
        return "moved_ride" if moved else "moved_ride_cancelled"

    return _commit_choice(
        session,
        staff,
        lambda: family_doctors.move(
            session, doctor=staff, appointment_id=appointment_id,
            schedule_id=_schedule_id(schedule_id), now=now, settings=request.app.state.settings,
        ),
        page=partial(
            _move_page, request, session, staff, now, appointment_id, department,
            chosen_schedule=schedule_id,
        ),
        not_ours=family_doctors.BOOKING_NOT_OURS,
        fields={"action": "family_doctor_move", "target": f"appointment:{appointment_id}"},
        done_url=lambda new: f"/family-doctor?done={done(new)}#appt-{new.id}",
    )


def _car_before_move(session: Session, appointment_id: int) -> str | None:
    """The car joined to the booking, for the move page: "moves" (booked for it: moved to
    the new time, or cancelled when no car can take the patient then), "kept" (a ride
    booked before and only joined: never changed) or None (no car)."""
    if hospital_trips.booked_ride_of(session, appointment_id) is None:
        return None
    trip = hospital_trips.trip_of(session, appointment_id)
    return "kept" if trip is not None and trip.joined else "moves"


def _cancel_context(
    session: Session, staff: StaffUser, now: Any, appointment_id: int
) -> dict[str, Any]:
    try:
        patient, booking = family_doctors.own_booking(
            session, doctor=staff, appointment_id=appointment_id, now=now
        )
    except FamilyDoctorError as exc:
        if exc.not_found:
            raise _not_found(exc) from None
        raise HTTPException(status_code=409, detail=exc.message) from None
    return {
        "hospital": _hospital(session, staff), "patient": patient, "booking": booking,
        # Said instead of "会收到取消短信" while no phone service is configured (the
        # template's `phone_service_banner`), as after every action.
        "unsent": _TELL_THEM,
        # What the cancel does to the car (hospital_trips.car_fate): cancelled or kept.
        "car": hospital_trips.planned_fate(
            session, appointment_id=appointment_id, by=hospital_trips.Canceller.FAMILY_DOCTOR
        ),
    }


@pages.get("/family-doctor/appointments/{appointment_id}/cancel", response_class=Response)
def cancel_form(
    request: Request,
    appointment_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Step 1: the confirmation page (a link from the list, so a reload sends nothing)."""
    context = _cancel_context(session, staff, now, appointment_id)
    return render(request, "hospital/family_cancel.html", context)


@actions.post("/family-doctor/appointments/{appointment_id}/cancel", response_class=Response)
def cancel(
    request: Request,
    appointment_id: int,
    staff: FamilyDoctorStaff,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Step 2 (`confirm=yes`): cancel. Without `confirm` (an older form): 303 to step 1,
    the confirmation page (`cancel_form`)."""
    context = _cancel_context(session, staff, now, appointment_id)
    if confirm != "yes":
        return RedirectResponse(
            f"/family-doctor/appointments/{appointment_id}/cancel", status_code=303
        )
    patient, car = context["patient"], context["car"]
    done = "cancelled"
    if car is not None:
        cancels = car.fate is hospital_trips.CarFate.CANCELLED
        done = "cancelled_ride" if cancels else "cancelled_ride_kept"

    def refused(exc: Exception) -> Response:
        assert isinstance(exc, FamilyDoctorError)
        return render(
            request, "hospital/family_cancel.html", {**context, "error": exc.message},
            status_code=409,
        )

    return commit_or_refuse(
        session,
        lambda: family_doctors.cancel_for(
            session, doctor=staff, appointment_id=appointment_id, now=now
        ),
        refused=FamilyDoctorError,
        show_refusal=refused,
        log_event="family doctor action",
        fields={"action": "family_doctor_cancel", "staff_user_id": staff.id,
                "target": f"appointment:{appointment_id}"},
        done_url=(
            f"/family-doctor?done={done}#patient-{patient.person_id}"
        ),
    )
