"""POST routes of the hospital console; every change goes through app.hospital.desk.

Each form carries the CSRF token. The no-show asks first: the day page links (GET) to a
confirmation page with its own form, so no JavaScript is needed and nothing is sent twice.
Revealing a patient's full ID and phone numbers is a POST too, answered (like every
action) with a redirect (303) to the day page, which shows them once and logs the staff id
and appointment id (never a number).
A refused change re-renders the day with a Chinese message and HTTP 409; nothing is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalConsoleStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.flash import redirect_with_flash
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.paging import page_number
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.local_time import local_today
from app.hospital import day_list as hospital_day
from app.hospital import desk as hospital_desk
from app.hospital.console.pages import load_hospital, render_reopen_form, render_stop_form
from app.hospital.console.view import day_context
from app.hospital.models import Hospital
from app.staff.models import StaffUser

logger = logging.getLogger(__name__)
router = console_router(dependencies=[CsrfProtected])

DayField = Annotated[str, Form(max_length=10)]


def _day_or_today(raw: str, fallback: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else fallback
    except ValueError:
        return fallback


def _run(
    request: Request,
    session: Session,
    staff: StaffUser,
    hospital: Hospital,
    now: NowDep,
    *,
    action: str,
    target: str,
    day: date,
    change: Callable[[], object],
    back: dict[str, str] | None = None,
) -> Response:
    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, hospital_desk.DeskError)
        context = day_context(session, hospital, day, now)
        context["error"] = exc.message
        status = 404 if isinstance(exc, hospital_desk.DeskNotFound) else 409
        return render(request, "hospital/day.html", context, status_code=status)

    return commit_or_refuse(
        session, change, refused=hospital_desk.DeskError, show_refusal=show_refusal,
        log_event="hospital action",
        fields={"action": action, "target": target, "staff_user_id": staff.id,
                "hospital_id": hospital.id},
        done_url=(
            f"/hospital/{hospital.id}?"
            + urlencode({"day": day.isoformat(), "done": action, **(back or {})})
        ),
    )


@router.post("/hospital/{hospital_id}/appointments/{appointment_id}/check-in",
             response_class=Response)
def check_in(
    request: Request, hospital_id: int, appointment_id: int, staff: HospitalConsoleStaff,
    session: SessionDep, now: NowDep, day: DayField = "",
    q: Annotated[str, Form(max_length=30)] = "",
    page: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """签到: back to the day (or the search results it came from), naming the patient."""
    hospital = load_hospital(session, staff, hospital_id)
    back = {"checked": str(appointment_id)}
    if q.strip():
        back.update(q=q.strip(), page=str(page_number(page)))
    return _run(
        request, session, staff, hospital, now, action="checked_in",
        target=f"appointment:{appointment_id}", back=back,
        day=_day_or_today(day, local_today(now)),
        change=lambda: hospital_desk.check_in(
            session, appointment_id=appointment_id, now=now, hospital_id=hospital.id
        ),
    )


@router.post("/hospital/{hospital_id}/appointments/{appointment_id}/no-show",
             response_class=Response)
def no_show(
    request: Request, hospital_id: int, appointment_id: int, staff: HospitalConsoleStaff,
    session: SessionDep, now: NowDep, day: DayField = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Step two (`confirm=yes`): mark it. Without `confirm` (an older form): 303 to step
    one, the confirmation page (`pages.no_show_form`)."""
    hospital = load_hospital(session, staff, hospital_id)
    shown_day = _day_or_today(day, local_today(now))
    if confirm != "yes":
        return RedirectResponse(
            f"/hospital/{hospital.id}/appointments/{appointment_id}/no-show"
            f"?day={shown_day.isoformat()}",
            status_code=303,
        )
    return _run(
        request, session, staff, hospital, now, action="noshow",
        target=f"appointment:{appointment_id}", day=shown_day,
        change=lambda: hospital_desk.mark_no_show(
            session, appointment_id=appointment_id, now=now, hospital_id=hospital.id
        ),
    )


@router.post("/hospital/{hospital_id}/schedules/{schedule_id}/stop", response_class=Response)
def stop_session(
    request: Request, hospital_id: int, schedule_id: int, staff: HospitalConsoleStaff,
    session: SessionDep, now: NowDep, day: DayField = "",
    reason: Annotated[str, Form(max_length=80)] = "",
    other_reason: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    text = other_reason.strip() or reason.strip()
    if not text:
        # Nothing is chosen for staff in advance: a stop without a reason is refused here
        # (and by the desk), on the 停诊 page itself.
        return render_stop_form(
            request, session, hospital, schedule_id,
            error="请选择或填写停诊原因，再确认停诊。原因会写进发给患者的短信。",
        )
    return _run(
        request, session, staff, hospital, now, action="stopped",
        target=f"schedule:{schedule_id}",
        day=_day_or_today(day, local_today(now)),
        change=lambda: hospital_desk.stop_session(
            session, schedule_id=schedule_id, now=now, reason=text, hospital_id=hospital.id,
            actor_id=staff.id,
        ),
    )


@router.post("/hospital/{hospital_id}/schedules/{schedule_id}/reopen", response_class=Response)
def reopen_session(
    request: Request, hospital_id: int, schedule_id: int, staff: HospitalConsoleStaff,
    session: SessionDep, now: NowDep, confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """撤销停诊, step two (`confirm=yes`); without it: 303 to step one. A refusal shows
    the 撤销停诊 page again with why (409), nothing changed."""
    hospital = load_hospital(session, staff, hospital_id)
    if confirm != "yes":
        return RedirectResponse(
            f"/hospital/{hospital.id}/schedules/{schedule_id}/reopen", status_code=303
        )
    try:
        schedule = hospital_day.get_schedule(
            session, hospital_id=hospital.id, schedule_id=schedule_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    return commit_or_refuse(
        session,
        lambda: hospital_desk.reopen_session(
            session, schedule_id=schedule_id, hospital_id=hospital.id, actor_id=staff.id,
            now=now,
        ),
        refused=hospital_desk.DeskError,
        show_refusal=lambda exc: render_reopen_form(
            request, session, hospital, schedule_id, now,
            error=exc.message if isinstance(exc, hospital_desk.DeskError) else str(exc),
        ),
        log_event="hospital action",
        fields={"action": "reopened", "target": f"schedule:{schedule_id}",
                "staff_user_id": staff.id, "hospital_id": hospital.id},
        done_url=(
            f"/hospital/{hospital.id}?"
            + urlencode({"day": schedule.day.isoformat(), "done": "reopened"})
            + f"#schedule-{schedule_id}"
        ),
    )


@router.post("/hospital/{hospital_id}/appointments/{appointment_id}/reveal",
             response_class=Response)
def reveal(
    request: Request, hospital_id: int, appointment_id: int, staff: HospitalConsoleStaff,
    session: SessionDep, now: NowDep, day: DayField = "",
    q: Annotated[str, Form(max_length=30)] = "",
    page: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """显示完整号码: 303 to the day page (or the search results it came from), which shows
    this booking's full ID and phone numbers once (the booking id in the flash cookie)."""
    hospital = load_hospital(session, staff, hospital_id)
    try:
        hospital_day.reveal_contact(
            session, hospital_id=hospital.id, appointment_id=appointment_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    shown_day = _day_or_today(day, local_today(now))
    query = {"day": shown_day.isoformat()}
    if q.strip():
        query.update(q=q.strip(), page=str(page_number(page)))
    return redirect_with_flash(
        request,
        f"/hospital/{hospital.id}?{urlencode(query)}#appt-{appointment_id}",
        {"reveal": appointment_id},
    )
