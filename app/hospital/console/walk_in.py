"""现场挂号: the desk books an older walk-in into today's on-site share and prints a slip.

Hospital staff, hospital admins and admins (`HospitalConsoleStaff`), own hospital only.
The booking is app.hospital.walk_in; a refusal shows the form again with a Chinese
message (409; 404 for another hospital's session or booking). The ID number is never
logged; a refused form keeps what was typed in its field (the desk's own screen, so the
card need not be read again; eighth trial), and is never shown anywhere else.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalConsoleStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.local_time import local_today
from app.core.logging import log_fields
from app.hospital import contacts, walk_in
from app.hospital.console.pages import load_hospital
from app.hospital.console.view import day_title
from app.hospital.desk import DeskError, DeskNotFound
from app.hospital.models import Hospital

logger = logging.getLogger(__name__)
pages = console_router()
actions = console_router(dependencies=[CsrfProtected])


def _context(session: Session, hospital: Hospital, now: Any) -> dict[str, Any]:
    today = local_today(now)
    return {
        "hospital": hospital,
        "day_title": day_title(today),
        "sessions": walk_in.onsite_sessions(session, hospital_id=hospital.id, day=today),
    }


@pages.get("/hospital/{hospital_id}/walk-in", response_class=Response)
def walk_in_form(
    request: Request,
    hospital_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return render(request, "hospital/walk_in.html", _context(session, hospital, now))


@actions.post("/hospital/{hospital_id}/walk-in", response_class=Response)
def book_walk_in(
    request: Request,
    hospital_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
    now: NowDep,
    schedule_id: Annotated[str, Form(max_length=18)] = "",
    id_number: Annotated[str, Form(max_length=30)] = "",
    full_name: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    fields = {"action": "walk_in", "staff_user_id": staff.id, "hospital_id": hospital.id}
    try:
        if not schedule_id.strip().isdigit():
            raise DeskError("请选择出诊。")
        appointment = walk_in.book_walk_in(
            session,
            hospital_id=hospital.id,
            schedule_id=int(schedule_id),
            id_number=id_number,
            full_name=full_name,
            now=now,
        )
        session.commit()
    except DeskError as exc:
        session.rollback()
        logger.info("hospital action refused", extra=log_fields(**fields))
        context = _context(session, hospital, now)
        context.update(
            error=exc.message, full_name=full_name, id_number=id_number, chosen=schedule_id
        )
        status = 404 if isinstance(exc, DeskNotFound) else 409
        return render(request, "hospital/walk_in.html", context, status_code=status)
    logger.info(
        "hospital action", extra=log_fields(**fields, target=f"appointment:{appointment.id}")
    )
    return RedirectResponse(
        f"/hospital/{hospital.id}/appointments/{appointment.id}/slip", status_code=303
    )


@pages.get("/hospital/{hospital_id}/appointments/{appointment_id}/slip", response_class=Response)
def print_slip(
    request: Request,
    hospital_id: int,
    appointment_id: int,
    staff: HospitalConsoleStaff,
    session: SessionDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    try:
        slip = walk_in.slip(session, hospital_id=hospital.id, appointment_id=appointment_id)
    except DeskNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    return render(
        request,
        "hospital/slip.html",
        {"hospital": hospital, "slip": slip, "phones": contacts.shown_phones(hospital)},
    )
