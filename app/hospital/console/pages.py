"""GET routes of the hospital console: the hospital chooser (admin) and the day view."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalConsoleStaff, NowDep, ensure_hospital_access, hospital_scope
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.hospital import day_list as hospital_day
from app.hospital import desk as hospital_desk
from app.hospital.console.view import (
    STOP_REASONS,
    day_context,
    day_title,
    hospital_notice,
    parse_day,
)
from app.hospital.models import Hospital
from app.staff.models import StaffUser

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
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    context = day_context(session, hospital, parse_day(day, now), now)
    context["notice"] = hospital_notice(done, settings)
    return render(request, "hospital/day.html", context)


@router.get("/hospital/{hospital_id}/schedules/{schedule_id}/stop", response_class=Response)
def stop_form(
    request: Request,
    hospital_id: int,
    schedule_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
) -> Response:
    """停诊: the confirmation page with the reason field."""
    hospital = load_hospital(session, staff, hospital_id)
    try:
        schedule = hospital_day.get_schedule(
            session, hospital_id=hospital.id, schedule_id=schedule_id
        )
    except hospital_desk.DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    return render(
        request,
        "hospital/stop.html",
        {"hospital": hospital, "schedule": schedule, "day_title": day_title(schedule.day),
         "reasons": STOP_REASONS},
    )
