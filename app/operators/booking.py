"""Booking a hospital appointment for the caller on the line (为来电者挂号).

The operator talking with a registered caller picks a department, sees the offers the
phone flow would read (`app.hospital.offers.find_offers`: the hospitals' rules, the share
kept for older people, one booking per department and day), reads one to the caller and,
once they agree, books it with `app.hospital.appointments.book`, as the phone flow does:
the same checks (real-name ID, no-show suspension, a slot just taken), the confirmation
SMS and the reminder call the day before.

The patient is whom the phone flow would let this number book for
(`app.hospital.patients.patients_for_caller`): the person registered with the number of the
call (本人), or a relative who lists that number as a family contact allowed to act for
them (`may_act_for`); the booking records that contact (`booked_by_contact_id`) as the phone
flow does, and the booking number is the caller's. Any other person is refused.

After a booking the operator can offer a car to that appointment: the hospital trip of the
phone flow (`app.taxi.hospital_trips`: `planned_pickup` says when it would pick the patient
up or why none can be booked, `book` books it, or joins a ride of theirs that already goes
there in time, linked to the appointment).

Only the operator on the line may do it (`requests.held_by`). One unit of work on the given
session; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.hospital import appointments
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.errors import BookingError
from app.hospital.models import Appointment
from app.hospital.offers import Offer, department_names, find_offers
from app.hospital.patients import CallerPatient, patients_for_caller
from app.hospital.rules import spoken_day
from app.hospital.upcoming import live_rows
from app.operators.requests import OperatorRequestError, held_by
from app.staff.models import StaffUser
from app.taxi import hospital_trips
from app.taxi.hospital_trips import Trip, TripRefused

WHAT = "为他挂号"
NOT_REGISTERED = (
    "来电者还没有登记，也不是哪位已登记老人可以代挂号的家属。请先点“登记为老人”，再挂号。"
)
NOT_FAMILY = "这位老人没有把来电号码登记为可以代挂号的家属，不能为他挂号。请从列表里选。"
NOT_THEIRS = "这个号不是来电者或其家属的，或者已经取消了。"
WHAT_TRIP = "为他约去医院的车"
# Why no car can be booked to the appointment (`TripRefused.code`), for the operator.
TRIP_REFUSED = {
    "no_place": "老人没有登记家庭住址或常去地点，不能约车。可以在叫车队列里后台下单。",
    "too_late": "离看病时间太近了，来不及约车。需要车请现在后台下单。",
    "hours": "接人时间不在约车服务时间内，不能约车。",
    "far": "看病的日子还太远，现在约不了车；看病前一天的提醒电话会再问老人要不要车。",
    "overlap": "老人在这个时间前后一小时内已经约了车，不再约第二辆。要改车请在“预约用车”里改。",
}
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


def patients_on_line(
    session: Session, *, request_id: int, staff: StaffUser
) -> tuple[str | None, list[CallerPatient]]:
    """The call's number and whom it may book for (本人 first, then relatives), for the
    operator on the line; OperatorRequestError when nobody."""
    row = held_by(session, request_id=request_id, staff=staff, what=WHAT)
    patients = (
        [p for p in patients_for_caller(session, number=row.caller_number) if p.person.active]
        if row.caller_number
        else []
    )
    if not patients:
        raise OperatorRequestError(NOT_REGISTERED, conflict=False)
    return row.caller_number, patients


def patient_on_line(
    session: Session, *, request_id: int, staff: StaffUser, patient_id: int | None = None
) -> tuple[str | None, CallerPatient]:
    """The call's number and the patient chosen (`patient_id`; the first one when None)."""
    number, patients = patients_on_line(session, request_id=request_id, staff=staff)
    if patient_id is None:
        return number, patients[0]
    chosen = next((p for p in patients if p.person.id == patient_id), None)
    if chosen is None:
        raise OperatorRequestError(NOT_FAMILY, conflict=False)
    return number, chosen


def offers_for(
    session: Session, *, request_id: int, staff: StaffUser, department: str, now: datetime,
    patient_id: int | None = None,
) -> list[Offer]:
    """The earliest offers in the department for the patient, as the phone flow reads them."""
    _, patient = patient_on_line(
        session, request_id=request_id, staff=staff, patient_id=patient_id
    )
    person = patient.person
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
    patient_id: int | None = None,
) -> Appointment:
    """Book the slot the caller agreed to for the patient, through the booking service."""
    number, patient = patient_on_line(
        session, request_id=request_id, staff=staff, patient_id=patient_id
    )
    if slot_id is None:
        raise OperatorRequestError(NO_SLOT, conflict=False)
    if not confirmed:
        raise OperatorRequestError(NOT_CONFIRMED, conflict=False)
    row = held_by(session, request_id=request_id, staff=staff, what=WHAT)
    try:
        return appointments.book(
            session, slot_id=slot_id, patient_id=patient.person.id, now=now,
            booked_by_number=number, booked_by_contact_id=patient.contact_id,
            call_id=row.call_id, staff_id=staff.id,
        )
    except BookingError as exc:
        raise OperatorRequestError(
            f"没有挂号：{exc.message}", conflict=exc.code == "slot_taken"
        ) from exc


# --- a car to the appointment ------------------------------------------------------------


@dataclass(frozen=True)
class TripOffer:
    """What the operator can offer for an appointment: the car linked already (`linked`),
    a new trip's (or a joined ride's) pickup, or why none can be booked (`refused`)."""

    pickup_at: datetime | None
    linked: bool = False
    refused: str | None = None


def _callers_appointment(
    session: Session, *, request_id: int, staff: StaffUser, appointment_id: int
) -> Appointment:
    """A live appointment of the caller or of a relative they may book for."""
    _, patients = patients_on_line(session, request_id=request_id, staff=staff)
    appointment = session.get(Appointment, appointment_id)
    if (
        appointment is None
        or appointment.status != AppointmentStatus.BOOKED
        or appointment.patient_id not in {p.person.id for p in patients}
    ):
        raise OperatorRequestError(NOT_THEIRS, conflict=False)
    return appointment


def trip_offer(
    session: Session, *, request_id: int, staff: StaffUser, appointment_id: int,
    now: datetime, settings: Settings,
) -> TripOffer:
    """The car the phone flow would offer after this booking."""
    _callers_appointment(
        session, request_id=request_id, staff=staff, appointment_id=appointment_id
    )
    linked = hospital_trips.booked_ride_of(session, appointment_id)
    if linked is not None:
        return TripOffer(linked.pickup_at, linked=True)
    try:
        return TripOffer(hospital_trips.planned_pickup(
            session, appointment_id=appointment_id, now=now, settings=settings
        ))
    except TripRefused as refusal:
        return TripOffer(None, refused=TRIP_REFUSED[refusal.code])


def book_trip(
    session: Session, *, request_id: int, staff: StaffUser, appointment_id: int,
    now: datetime, settings: Settings,
) -> Trip:
    """The caller said yes to the car: book it (or join their ride), linked to the
    appointment, with the caller's number for its messages, as by phone."""
    _callers_appointment(
        session, request_id=request_id, staff=staff, appointment_id=appointment_id
    )
    row = held_by(session, request_id=request_id, staff=staff, what=WHAT_TRIP)
    try:
        return hospital_trips.book(
            session, appointment_id=appointment_id, now=now, settings=settings,
            caller_number=row.caller_number, call_id=row.call_id,
        )
    except TripRefused as refusal:
        raise OperatorRequestError(TRIP_REFUSED[refusal.code], conflict=False) from refusal
