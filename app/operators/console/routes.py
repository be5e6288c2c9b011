"""Routes of the operators' panel: the live fragment, picking a caller up, calling back.

A refused action (another operator was faster, the caller hung up, no phone number on the
account, Twilio refused) re-renders the dispatch page with the reason: 409 for a conflict,
400 otherwise. Nothing is changed by a refused action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.phone_service import NOT_SENT
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.core.logging import log_fields
from app.hospital.offers import CLINIC_WORDS, department_names
from app.operators import booking, panel, registration, requests
from app.operators.console.view import panel_context
from app.operators.desk import desk_for
from app.operators.requests import OperatorRequestError
from app.people.age import age_on
from app.people.phones import mask_number
from app.staff.models import StaffUser
from app.taxi import rides
from app.taxi.console.forms import dispatch_router
from app.taxi.console.media import serve_recording

logger = logging.getLogger(__name__)
router = dispatch_router()
actions = dispatch_router(dependencies=[CsrfProtected])
Text = Annotated[str, Form(max_length=200)]
NO_RECORDING = "这位来电者没有录音。"
PANEL_DUPLICATE = (
    "这位来电者已经有 {count} 张没有结束的叫车单：{rides}。没有下新单。"
    "如果确实要再叫一辆车，请勾选“确实要再叫一辆车”后再下单。"
)


@router.get("/dispatch/operators.html", response_class=Response)
def panel_fragment(
    request: Request,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The panel alone; the dispatch page's script swaps it in after each change."""
    return render(request, "operators/_panel.html", panel_context(session, settings, now, staff))


@router.get("/dispatch/operators/{request_id}/recording", response_class=Response)
def recording(
    request_id: int, staff: DispatchStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    """The waiting caller's last recorded words (never those of a sensitive question)."""
    url = panel.last_recording(session, request_id)
    if url is None:
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    session.close()  # do not hold a database connection while streaming audio
    return serve_recording(url, settings)


def _act(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    staff: StaffUser,
    action: str,
    work: Callable[[], object],
    fields: dict[str, object],
) -> Response:
    session.close()  # the desk uses its own transactions around the Twilio request
    try:
        work()
    except OperatorRequestError as exc:
        logger.info("operator action refused", extra=log_fields(action=action, **fields))
        from app.taxi.console.view import page_context  # the dispatch page hosts the panel

        context = page_context(session, settings, now, staff)
        context["error"] = exc.message
        return render(
            request, "dispatch/page.html", context, status_code=409 if exc.conflict else 400
        )
    logger.info(
        "operator action", extra=log_fields(action=action, staff_user_id=staff.id, **fields)
    )
    return RedirectResponse(f"/dispatch?done={action}", status_code=303)


@actions.post("/dispatch/operators/{request_id}/pick-up", response_class=Response)
def pick_up(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        settings,
        now,
        staff,
        "caller_picked_up",
        lambda: desk.pick_up(request_id=request_id, staff_id=staff_id),
        {"request_id": request_id},
    )


@actions.post("/dispatch/operators/{request_id}/call-back", response_class=Response)
def call_back(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        settings,
        now,
        staff,
        "calling_back",
        lambda: desk.call_back(request_id=request_id, staff_id=staff_id),
        {"request_id": request_id},
    )


@actions.post("/dispatch/rides/{ride_id}/call-back", response_class=Response)
def call_back_ride(
    request: Request,
    ride_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """ "回拨来电者": the operator's phone first, then the caller (a call-back task)."""
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        settings,
        now,
        staff,
        "calling_back",
        lambda: desk.call_back_ride(ride_id=ride_id, staff_id=staff_id),
        {"ride_id": ride_id},
    )


@actions.post("/dispatch/operators/{request_id}/order", response_class=Response)
def order_for_caller(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    pickup_address: Text = "",
    destination: Text = "",
    to_hospital: Annotated[bool, Form()] = False,
    duplicate_ok: Annotated[bool, Form()] = False,
) -> Response:
    """后台下单 for the caller on the line: their number and registration come from the
    call, never from the form. A caller with a ride not yet finished is warned about
    first (`duplicate_ok` is the form's "确实要再叫一辆车" box)."""
    staff_id = staff.id

    def order() -> object:
        with desk_for(request.app.state).db.session() as work:
            caller = requests.caller_of(work, request_id=request_id)
            try:
                return rides.queue(
                    work,
                    now=now,
                    created_by_staff_id=staff_id,
                    person_id=caller.person_id,
                    caller_number=caller.number,
                    pickup_address=pickup_address,
                    destination=destination,
                    to_hospital=to_hospital,
                    duplicate_ok=duplicate_ok,
                )
            except rides.DuplicateOrder as exc:
                raise OperatorRequestError(
                    PANEL_DUPLICATE.format(
                        count=len(exc.open_rides),
                        rides="、".join(
                            f"#{r.ride_id}（{r.status_label}）" for r in exc.open_rides
                        ),
                    ),
                    conflict=False,
                ) from exc
            except rides.RideError as exc:
                raise OperatorRequestError(exc.message, conflict=False) from exc

    return _act(
        request, session, settings, now, staff, "ordered", order, {"request_id": request_id}
    )


@actions.post("/dispatch/operators/{request_id}/register", response_class=Response)
def register_caller(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    full_name: Annotated[str, Form(max_length=50)] = "",
    call_name: Annotated[str, Form(max_length=20)] = "",
    home_address: Annotated[str, Form(max_length=200)] = "",
    id_number: Annotated[str, Form(max_length=18)] = "",
    consented: Annotated[bool, Form()] = False,
) -> Response:
    """登记为老人: the caller on the line becomes a registered person, with the number
    from the call (app/operators/registration.py)."""
    db = desk_for(request.app.state).db

    def register() -> None:
        with db.session() as work:
            operator = work.get(StaffUser, staff.id)
            assert operator is not None
            person = registration.register_caller(
                work, request_id=request_id, staff=operator, full_name=full_name,
                call_name=call_name, home_address=home_address, id_number=id_number,
                consented=consented, now=now,
            )
            fields["person_id"] = person.id

    fields: dict[str, object] = {"request_id": request_id}
    return _act(request, session, settings, now, staff, "registered", register, fields)


def _booking_page(
    request: Request, session: SessionDep, settings: Settings, staff: StaffUser,
    request_id: int, now: datetime, *, department: str, error: str | None = None,
    booked: int | None = None, status_code: int = 200,
) -> Response:
    """为来电者挂号: the caller's bookings still to come, the department list and, once one
    is chosen, its offers; after a booking (`booked`), what was booked, to read back."""
    try:
        number, person = booking.patient_on_line(session, request_id=request_id, staff=staff)
        offers = (
            booking.offers_for(session, request_id=request_id, staff=staff,
                               department=department, now=now)
            if department else []
        )
    except OperatorRequestError as exc:
        raise HTTPException(status_code=409 if exc.conflict else 400, detail=exc.message) from None
    today = local_today(now)
    live = booking.live_bookings(session, person_id=person.id, today=today)
    done = next((b for b in live if b.appointment_id == booked), None)
    return render(
        request,
        "operators/booking.html",
        {
            "request_id": request_id, "number": number, "mask_number": mask_number,
            "patient_name": person.call_name or person.full_name,
            "age": age_on(person.birth_date, today), "today": today,
            "departments": department_names(session), "department": department,
            "offers": offers, "clinic_words": CLINIC_WORDS, "error": error,
            "has_id": bool(person.id_number), "live": live,
            "same_department": [b for b in live if b.department == department],
            "booked": done,
            "sms_not_sent": NOT_SENT if not settings.notifications_configured else None,
        },
        status_code=status_code,
    )


@router.get("/dispatch/operators/{request_id}/booking", response_class=Response)
def booking_page(
    request: Request, request_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep,
    department: Annotated[str, Query(max_length=50)] = "",
    booked: Annotated[int | None, Query(ge=1, lt=2**31)] = None,
) -> Response:
    return _booking_page(request, session, settings, staff, request_id, now,
                         department=department, booked=booked)


@actions.post("/dispatch/operators/{request_id}/booking", response_class=Response)
def book_for_caller(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    department: Annotated[str, Form(max_length=50)] = "",
    slot_id: Annotated[str, Form(max_length=20)] = "",
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """挂号 for the caller on the line, through the booking service (app/operators/booking.py)."""
    chosen = int(slot_id) if slot_id.strip().isdigit() and len(slot_id.strip()) < 19 else None
    try:
        appointment = booking.book_for_caller(
            session, request_id=request_id, staff=staff, slot_id=chosen, confirmed=confirmed,
            now=now,
        )
        session.commit()
    except OperatorRequestError as exc:
        session.rollback()
        logger.info("operator action refused", extra=log_fields(action="booked",
                                                                request_id=request_id))
        return _booking_page(
            request, session, settings, staff, request_id, now, department=department,
            error=exc.message,
            status_code=409 if exc.conflict else 400,
        )
    logger.info("operator action", extra=log_fields(
        action="booked", staff_user_id=staff.id, request_id=request_id,
        appointment_id=appointment.id,
    ))
    return RedirectResponse(
        f"/dispatch/operators/{request_id}/booking?booked={appointment.id}", status_code=303
    )


@actions.post("/dispatch/operators/{request_id}/note", response_class=Response)
def note(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A note about the caller, kept with the call (empty clears it)."""
    db = desk_for(request.app.state).db

    def write() -> None:
        with db.session() as work:
            author = work.get(StaffUser, staff.id)
            assert author is not None
            requests.write_note(work, request_id=request_id, text=text, staff=author)

    return _act(request, session, settings, now, staff, "noted", write, {"request_id": request_id})


router.include_router(actions)
