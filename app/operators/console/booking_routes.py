"""为来电者挂号 pages of the operators' panel: book for the caller on the line or for a
relative they may book for, then offer a car to that appointment (app/operators/booking.py).

The page is `/dispatch/operators/{request_id}/booking?patient=<person id>`; a refused
booking re-renders it with the reason next to the form and the slot and the 老人已确认 box
as they were (never another slot than the one read to the elder: a slot no longer offered
leaves none chosen); a booking or a car
booked answers 303 to the page with what was done, to read back to the caller.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.phone_service import NOT_SENT
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.core.logging import log_fields
from app.hospital.models import Appointment
from app.hospital.offers import CLINIC_WORDS, department_names
from app.hospital.patients import SELF
from app.operators import booking
from app.operators.requests import OperatorRequestError
from app.people.age import age_on
from app.people.phones import mask_number
from app.staff.models import StaffUser
from app.taxi import ahead, hospital_trips
from app.taxi.console.forms import dispatch_router

logger = logging.getLogger(__name__)
router = dispatch_router()
actions = dispatch_router(dependencies=[CsrfProtected])
PatientQuery = Annotated[int | None, Query(ge=1, lt=2**31)]
PatientForm = Annotated[int | None, Form(ge=1, lt=2**31)]
TRIP_DONE = {
    "booked": "已约好去医院的车：{when}到{place}接老人。请读给老人听；接车前一天晚上会提醒。",
    "joined": "老人已经约了{when}的车，正好去这家医院、赶得上看病：就用这辆车，没有再约。",
}


def _url(request_id: int, patient_id: int, *, booked: int, trip: str | None = None) -> str:
    """The page after a booking (or its car): what was booked, for that patient."""
    url = f"/dispatch/operators/{request_id}/booking?booked={booked}&patient={patient_id}"
    return f"{url}&trip={trip}" if trip else url


def _booking_page(
    request: Request, session: Session, settings: Settings, staff: StaffUser,
    request_id: int, now: datetime, *, department: str, patient_id: int | None,
    error: str | None = None, booked: int | None = None, trip: str | None = None,
    status_code: int = 200, chosen_slot: int | None = None, confirmed: bool = False,
) -> Response:
    """为来电者挂号: whom the caller may book for, the patient's bookings still to come, the
    department list and, once one is chosen, its offers; after a booking (`booked`), what
    was booked, to read back, and the car to that appointment."""
    try:
        number, patients = booking.patients_on_line(session, request_id=request_id, staff=staff)
        _, patient = booking.patient_on_line(
            session, request_id=request_id, staff=staff, patient_id=patient_id
        )
        offers = (
            booking.offers_for(session, request_id=request_id, staff=staff,
                               department=department, now=now, patient_id=patient.person.id)
            if department else []
        )
    except OperatorRequestError as exc:
        raise HTTPException(status_code=409 if exc.conflict else 400, detail=exc.message) from None
    person = patient.person
    today = local_today(now)
    live = booking.live_bookings(session, person_id=person.id, today=today)
    done = next((b for b in live if b.appointment_id == booked), None)
    offer = (
        booking.trip_offer(session, request_id=request_id, staff=staff,
                           appointment_id=done.appointment_id, now=now, settings=settings)
        if done is not None else None
    )
    place = hospital_trips.pickup_place(session, person.id) if offer is not None else None
    when = ahead.spoken_pickup(offer.pickup_at, now) if offer and offer.pickup_at else None
    return render(
        request,
        "operators/booking.html",
        {
            "request_id": request_id, "number": number, "mask_number": mask_number,
            "patients": patients, "patient": patient, "self_relation": SELF,
            "patient_name": person.call_name or person.full_name,
            "age": age_on(person.birth_date, today), "today": today,
            "departments": department_names(session), "department": department,
            "offers": offers, "clinic_words": CLINIC_WORDS, "error": error,
            "has_id": bool(person.id_number), "live": live,
            "same_department": [b for b in live if b.department == department],
            "booked": done, "trip_offer": offer, "trip_when": when,
            "trip_place": place.address if place is not None else None,
            "trip_done": (
                TRIP_DONE[trip].format(when=when, place=place.address if place else "")
                if trip in TRIP_DONE and when else None
            ),
            "sms_not_sent": NOT_SENT if not settings.notifications_configured else None,
            # After a refused booking: the slot read to the elder and the box as ticked.
            "chosen_slot": chosen_slot, "confirmed": confirmed,
        },
        status_code=status_code,
    )


@router.get("/dispatch/operators/{request_id}/booking", response_class=Response)
def booking_page(
    request: Request, request_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep,
    department: Annotated[str, Query(max_length=50)] = "",
    booked: Annotated[int | None, Query(ge=1, lt=2**31)] = None,
    patient: PatientQuery = None,
    trip: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _booking_page(request, session, settings, staff, request_id, now,
                         department=department, patient_id=patient, booked=booked, trip=trip)


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
    patient_id: PatientForm = None,
) -> Response:
    """挂号 for the patient the caller chose, through the booking service."""
    chosen = int(slot_id) if slot_id.strip().isdigit() and len(slot_id.strip()) < 19 else None
    try:
        appointment = booking.book_for_caller(
            session, request_id=request_id, staff=staff, slot_id=chosen, confirmed=confirmed,
            now=now, patient_id=patient_id,
        )
        session.commit()
    except OperatorRequestError as exc:
        session.rollback()
        logger.info("operator action refused", extra=log_fields(action="booked",
                                                                request_id=request_id))
        return _booking_page(
            request, session, settings, staff, request_id, now, department=department,
            patient_id=patient_id, error=exc.message,
            status_code=409 if exc.conflict else 400, chosen_slot=chosen, confirmed=confirmed,
        )
    logger.info("operator action", extra=log_fields(
        action="booked", staff_user_id=staff.id, request_id=request_id,
        appointment_id=appointment.id,
    ))
    return RedirectResponse(
        _url(request_id, appointment.patient_id, booked=appointment.id), status_code=303
    )


@actions.post(
    "/dispatch/operators/{request_id}/booking/{appointment_id}/trip", response_class=Response
)
def book_trip(
    request: Request,
    request_id: int,
    appointment_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    patient_id: PatientForm = None,
) -> Response:
    """约去医院的车 for the appointment just booked, as the phone flow offers it."""
    try:
        trip = booking.book_trip(
            session, request_id=request_id, staff=staff, appointment_id=appointment_id,
            now=now, settings=settings,
        )
        session.commit()
    except OperatorRequestError as exc:
        session.rollback()
        logger.info("operator action refused", extra=log_fields(
            action="trip_booked", request_id=request_id, appointment_id=appointment_id))
        return _booking_page(
            request, session, settings, staff, request_id, now, department="",
            patient_id=patient_id, error=exc.message, booked=appointment_id,
            status_code=409 if exc.conflict else 400,
        )
    logger.info("operator action", extra=log_fields(
        action="trip_booked", staff_user_id=staff.id, request_id=request_id,
        appointment_id=appointment_id, ride_id=trip.ride.id,
    ))
    appointment = session.get(Appointment, appointment_id)
    assert appointment is not None
    outcome = "joined" if trip.joined else "booked"
    return RedirectResponse(
        _url(request_id, appointment.patient_id, booked=appointment_id, trip=outcome),
        status_code=303,
    )


routers = (router, actions)
