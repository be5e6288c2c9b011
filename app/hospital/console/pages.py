"""GET routes of the hospital console: the hospital chooser (admin) and the day view."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalConsoleStaff, NowDep, ensure_hospital_access, hospital_scope
from app.consoles.flash import forget_flash, take_flash
from app.consoles.http import console_router
from app.consoles.paging import PageNumber
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.db.base import MAX_ID
from app.hospital import day_list as hospital_day
from app.hospital import desk as hospital_desk
from app.hospital.console.view import (
    STOP_REASONS,
    day_context,
    day_title,
    group_rows,
    hospital_notice,
    paginate,
    parse_day,
    search_scope,
)
from app.hospital.models import Hospital
from app.staff.models import StaffUser
from app.taxi import hospital_trips

logger = logging.getLogger(__name__)
router = console_router()


def load_hospital(session: Session, staff: StaffUser, hospital_id: int) -> Hospital:
    """The hospital in the URL, if this user may see it (403 first, then 404)."""
    ensure_hospital_access(staff, hospital_id)
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise HTTPException(status_code=404, detail="找不到这家医院。")
    return hospital


@router.get("/hospital", response_class=Response)
def hospital_home(request: Request, staff: HospitalConsoleStaff, session: SessionDep) -> Response:
    """Hospital staff go straight to their hospital; admins choose one."""
    own = hospital_scope(staff)
    if own is not None:
        return RedirectResponse(f"/hospital/{own}", status_code=303)
    hospitals = session.scalars(select(Hospital).order_by(Hospital.id)).all()
    return render(request, "hospital/choose.html", {"hospitals": hospitals})


@router.get("/hospital/{hospital_id}", response_class=Response)
def day_view(
    request: Request,
    hospital_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    day: str = "",
    done: str = "",
    q: Annotated[str, Query(max_length=30)] = "",
    page: PageNumber = 1,
    checked: Annotated[int | None, Query(ge=1, lt=2**31)] = None,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    chosen = parse_day(day, now)
    revealed = _revealed(request, session, staff, hospital)
    context = day_context(session, hospital, chosen, now, revealed=revealed)
    context["notice"] = hospital_notice(done, settings)
    if done == "checked_in" and checked is not None:
        context["notice"] = _checked_in_notice(session, hospital, checked) or context["notice"]
    if q.strip():
        # 查找: by name, or a phone or ID number (whole or its tail), over today and the
        # coming days of the booking window (and the day shown), each hit with its day;
        # SEARCH_PAGE_SIZE results a page.
        context["query"] = q.strip()
        today = local_today(now)
        days = hospital_day.search_days(
            session, hospital_id=hospital.id, day=chosen, today=today
        )
        context["search_scope"] = search_scope(days, today)
        try:
            found = hospital_day.search(
                session, hospital_id=hospital.id, day=chosen, query=q, days=days
            )
        except hospital_day.SearchError as exc:
            context["error"] = exc.message
            return render(request, "hospital/day.html", context, status_code=400)
        shown, context["page"] = paginate(found, page)
        context["groups"] = group_rows(shown, today=today)
        context["matches"] = len(found)
    response = render(request, "hospital/day.html", context)
    forget_flash(request, response)
    return response


def _checked_in_notice(session: Session, hospital: Hospital, appointment_id: int) -> str | None:
    """"已签到：张桂兰（530102********0029），上午 08:20 心血管内科 李医生。": whom the 签到 was
    for, as the list shows them (numbers masked); None for another hospital's booking."""
    try:
        row = hospital_day.get_row(session, hospital_id=hospital.id, appointment_id=appointment_id)
    except hospital_desk.DeskNotFound:
        return None
    if row.checked_in_at is None:
        return None
    return (
        f"已签到：{row.patient_name}（{row.id_masked}），{row.session_label} "
        f"{row.start_time:%H:%M} {row.department} {row.doctor}。"
    )


def _revealed(
    request: Request, session: Session, staff: StaffUser, hospital: Hospital
) -> dict[int, hospital_day.RevealedContact]:
    """显示完整号码 (after the POST's redirect): the full numbers of the booking in the
    flash cookie, for this one page; logged with ids only."""
    flash = take_flash(request) or {}
    appointment_id = flash.get("reveal")
    if not isinstance(appointment_id, int):
        return {}
    try:
        contact = hospital_day.reveal_contact(
            session, hospital_id=hospital.id, appointment_id=appointment_id
        )
    except hospital_desk.DeskNotFound:
        return {}
    logger.info(
        "patient contact shown",
        extra={"fields": {"staff_user_id": staff.id, "appointment_id": appointment_id}},
    )
    return {appointment_id: contact}


@router.get("/hospital/{hospital_id}/day-list/print", response_class=Response)
def print_day_list(
    request: Request,
    hospital_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    now: NowDep,
    day: str = "",
    schedule_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The printable day list: per department and session, patients in visit order."""
    hospital = load_hospital(session, staff, hospital_id)
    chosen = parse_day(day, now)
    try:
        groups = hospital_day.print_list(
            session, hospital_id=hospital.id, day=chosen, schedule_id=schedule_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    return render(
        request,
        "hospital/print_list.html",
        {"hospital": hospital, "day": chosen, "day_title": day_title(chosen), "groups": groups,
         "schedule_id": schedule_id},
    )


@router.get("/hospital/{hospital_id}/schedules/{schedule_id}/stop", response_class=Response)
def stop_form(
    request: Request,
    hospital_id: int,
    schedule_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
) -> Response:
    """停诊: the confirmation page with the reason field (no reason chosen in advance)."""
    hospital = load_hospital(session, staff, hospital_id)
    return render_stop_form(request, session, hospital, schedule_id)


def render_stop_form(
    request: Request,
    session: Session,
    hospital: Hospital,
    schedule_id: int,
    *,
    error: str | None = None,
    chosen: str = "",
    other_reason: str = "",
) -> Response:
    """The 停诊 page; with `error` (HTTP 409) it keeps what was chosen or typed."""
    try:
        schedule = hospital_day.get_schedule(
            session, hospital_id=hospital.id, schedule_id=schedule_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    # The cars to the appointments a stop cancels too: staff see how many before confirming.
    linked = hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule.schedule_id)
    kept = hospital_trips.rides_a_stop_keeps(session, schedule_id=schedule.schedule_id)
    return render(
        request,
        "hospital/stop.html",
        {"hospital": hospital, "schedule": schedule, "day_title": day_title(schedule.day),
         "reasons": STOP_REASONS, "linked_rides": len(linked), "kept_rides": len(kept),
         "error": error,
         "chosen": chosen, "other_reason": other_reason},
        status_code=409 if error else 200,
    )


@router.get("/hospital/{hospital_id}/schedules/{schedule_id}/reopen", response_class=Response)
def reopen_form(
    request: Request,
    hospital_id: int,
    schedule_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """撤销停诊 step one: what the undo does and does not do (nothing changes here)."""
    hospital = load_hospital(session, staff, hospital_id)
    return render_reopen_form(request, session, hospital, schedule_id, now)


def render_reopen_form(
    request: Request,
    session: Session,
    hospital: Hospital,
    schedule_id: int,
    now: datetime,
    *,
    error: str | None = None,
) -> Response:
    """The 撤销停诊 page; a session that cannot be reopened shows why (409), no button."""
    try:
        schedule = hospital_day.get_schedule(
            session, hospital_id=hospital.id, schedule_id=schedule_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    if error is None:
        try:
            hospital_desk.check_reopenable(
                session, schedule_id=schedule_id, hospital_id=hospital.id, now=now
            )
        except hospital_desk.DeskError as exc:
            error = exc.message
    return render(
        request,
        "hospital/reopen.html",
        {"hospital": hospital, "schedule": schedule, "day_title": day_title(schedule.day),
         "cancelled": hospital_desk.cancelled_by_stop(session, schedule_id=schedule_id),
         "error": error},
        status_code=409 if error else 200,
    )


@router.get("/hospital/{hospital_id}/appointments/{appointment_id}/no-show",
            response_class=Response)
def no_show_form(
    request: Request,
    hospital_id: int,
    appointment_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    now: NowDep,
    day: str = "",
) -> Response:
    """爽约 step one: the confirmation page (nothing changes); its form is step two."""
    hospital = load_hospital(session, staff, hospital_id)
    try:
        row = hospital_day.get_row(session, hospital_id=hospital.id, appointment_id=appointment_id)
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    try:  # the day page to go back to
        shown_day = date.fromisoformat(day) if day else local_today(now)
    except ValueError:
        shown_day = local_today(now)
    return render(
        request,
        "hospital/noshow.html",
        {"hospital": hospital, "row": row, "day": shown_day, "day_title": day_title(shown_day)},
    )
