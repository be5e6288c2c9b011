"""Booking a hospital appointment for the caller on the line (为来电者挂号).

The operator talking with a registered caller picks a department, sees the offers the
phone flow would read (`app.hospital.offers.find_offers`: the hospitals' rules, the share
kept for older people, one booking per department and day), reads one to the caller and,
once they agree, books it with `app.hospital.appointments.book`, as the phone flow does:
the same checks (real-name ID, no-show suspension, a slot just taken), the confirmation
SMS and the reminder call the day before. The patient is the person registered with the
number of the call; the booking number is the caller's. Booking for a relative stays with
the phone flow (family contacts and their rights) for now.

Only the operator on the line may do it (`requests.held_by`). One unit of work on the given
session; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital import appointments
from app.hospital.enums import ClinicSession
from app.hospital.errors import BookingError
from app.hospital.models import Appointment
from app.hospital.offers import Offer, department_names, find_offers
from app.hospital.rules import spoken_day
from app.hospital.upcoming import live_rows
from app.operators.requests import OperatorRequestError, held_by
from app.people.models import Person, PersonPhone
from app.staff.models import StaffUser

WHAT = "为他挂号"
NOT_REGISTERED = "来电者还没有登记，请先点“登记为老人”，再挂号。"
UNKNOWN_DEPARTMENT = "没有这个科室，请从列表里选。"
NOT_CONFIRMED = "请先把号读给老人听，老人同意后勾选“老人已确认”。没有挂号。"
NO_SLOT = "请选一个号。没有挂号。"
MAX_OFFERS = 8


@dataclass(frozen=True)
class LiveBooking:
    """One of the caller's bookings still to come, as the operator reads it back."""

    appointment_id: int
    hospital: str  # full name, as the phone offer says it
    department: str  # canonical name (the one-per-department-and-day rule is by it)
    doctor: str
    day: date
    session: ClinicSession
    start_time: time

    @property
    def when(self) -> str:
        """12月3日 星期四 上午 8:20"""
        return f"{spoken_day(self.day, self.session)} {self.start_time:%H:%M}"

    @property
    def read_back(self) -> str:
        """春城第一人民医院 心血管内科 李医生，12月3日 星期四 上午 8:20"""
        return f"{self.hospital} {self.department} {self.doctor}，{self.when}"


def live_bookings(session: Session, *, person_id: int, today: date) -> list[LiveBooking]:
    """The person's bookings from today on that are still booked, earliest first."""
    return [
        LiveBooking(
            appointment_id=appointment.id, hospital=hospital.name,
            department=appointment.department_name, doctor=doctor.name,
            day=appointment.day, session=appointment.session, start_time=slot.start_time,
        )
        for appointment, slot, doctor, _department, hospital in live_rows(
            session, patient_id=person_id, today=today
        )
    ]


def patient_on_line(
    session: Session, *, request_id: int, staff: StaffUser
) -> tuple[str | None, Person]:
    """The call's number and the person registered with it, for the operator on the line."""
    row = held_by(session, request_id=request_id, staff=staff, what=WHAT)
    person = None
    if row.caller_number:
        person = session.scalar(
            select(Person)
            .join(PersonPhone)
            .where(PersonPhone.number == row.caller_number, Person.active.is_(True))
            .limit(1)
        )
    if person is None:
        raise OperatorRequestError(NOT_REGISTERED, conflict=False)
    return row.caller_number, person


def offers_for(
    session: Session, *, request_id: int, staff: StaffUser, department: str, now: datetime
) -> list[Offer]:
    """The earliest offers in the department for the caller, as the phone flow reads them."""
    _, person = patient_on_line(session, request_id=request_id, staff=staff)
    if department not in department_names(session):
        raise OperatorRequestError(UNKNOWN_DEPARTMENT, conflict=False)
    try:
        return find_offers(
            session, department=department, patient_id=person.id, now=now, limit=MAX_OFFERS
        )
    except BookingError as exc:
        raise OperatorRequestError(f"不能挂号：{exc.message}", conflict=False) from exc


def book_for_caller(
    session: Session,
    *,
    request_id: int,
    staff: StaffUser,
    slot_id: int | None,
    confirmed: bool,
    now: datetime,
) -> Appointment:
    """Book the slot the caller agreed to, through the booking service."""
    number, person = patient_on_line(session, request_id=request_id, staff=staff)
    if slot_id is None:
        raise OperatorRequestError(NO_SLOT, conflict=False)
    if not confirmed:
        raise OperatorRequestError(NOT_CONFIRMED, conflict=False)
    row = held_by(session, request_id=request_id, staff=staff, what=WHAT)
    try:
        return appointments.book(
            session, slot_id=slot_id, patient_id=person.id, now=now,
            booked_by_number=number, call_id=row.call_id, staff_id=staff.id,
        )
    except BookingError as exc:
        raise OperatorRequestError(
            f"没有挂号：{exc.message}", conflict=exc.code == "slot_taken"
        ) from exc
