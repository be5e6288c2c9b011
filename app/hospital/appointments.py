"""Hospital registration by phone (measure 14): booking and cancelling.

Every function is one unit of work on a passed `Session` (the caller commits) and takes
keyword-only arguments. Confirmation and cancellation SMS are written to the outbox in
the same transaction as the booking change, so either both are saved or neither is.
Offers are found by `app.hospital.offers`, who may be booked is decided by
`app.hospital.patients`, and a patient's live bookings are read with
`app.hospital.upcoming`.

Refusals raise `BookingError` (`app.hospital.errors`) with a stable `.code` for
the dialog and a Chinese `.message` the phone flow can read out (codes are listed in
docs/appointments.md).

Concurrency: booking takes the slot's row lock (`SELECT ... FOR UPDATE` on PostgreSQL;
on SQLite a no-op write takes the database write lock) and re-reads it, so of two
callers racing for one slot the second sees it busy. The slot's version column and the
partial unique indexes on `appointments` (one live booking per slot; one per patient,
canonical department name and day, across hospitals) are the last line of defence:
their errors become `slot_taken` or `already_booked`. ID numbers and phone numbers are never logged.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import texts
from app.core.local_time import local_today
from app.hospital import reminders
from app.hospital.bookable import session_takes_new_bookings
from app.hospital.enums import AppointmentStatus, SlotStatus
from app.hospital.errors import BookingError
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.offers import CLINIC_WORDS, Offer, offer_for_slot
from app.hospital.patients import check_not_suspended, get_patient, patient_age
from app.hospital.rules import (
    BookingRules,
    DayStatus,
    spoken_clock,
    spoken_day,
    spoken_time,
    times_clash,
)
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.enums import PhoneKind
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.resident_id import InvalidResidentId, ResidentId, parse_resident_id

log = logging.getLogger(__name__)

MOBILE_RE = re.compile(r"\+861\d{10}")

STATUS_WORDS = {
    AppointmentStatus.BOOKED: "已预约",
    AppointmentStatus.CANCELLED: "已取消",
    AppointmentStatus.NOSHOW: "已爽约",
    AppointmentStatus.ARRIVED: "已到院",
    AppointmentStatus.CHECKED_IN: "已签到",
    AppointmentStatus.FULFILLED: "已就诊",
}


# --- booking ----------------------------------------------------------------------------


def book(
    session: Session,
    *,
    slot_id: int,
    patient_id: int,
    now: datetime,
    booked_by_number: str | None,
    booked_by_contact_id: int | None = None,
    call_id: str | None = None,
    family_doctor_id: int | None = None,
    staff_id: int | None = None,
    notify: bool = True,
) -> Appointment:
    """Book the slot for the patient and text the confirmation; see the module doc.

    `staff_id`: the staff account (a dispatch operator) that booked it for the caller on
    the line; recorded as `booked_by_staff_id` like a family doctor's. A family doctor's
    booking is told apart by its slot (`reserved_for_family_doctor`), not by this column.

    `family_doctor_id`: a family doctor books for a signed patient (checked by
    app.hospital.family_doctors): only slots of the family-doctor share, which nobody
    else may book; the patient and their family contacts are told (`notify_family`).
    `notify=False` leaves the messages to the caller (a move sends one message).

    Checks, in order: the patient exists and has a valid ID number (real-name booking),
    is not suspended, the booking contact may act for them, the slot exists, is free and
    its session is running, the day is bookable under the hospital's rules, an elderly
    slot goes to an elderly patient, and the patient has no other booking in the
    department (by its canonical name, at any hospital) that day.
    """
    patient = get_patient(session, patient_id, with_phones=notify)
    today = local_today(now)
    _resident(patient, today)
    check_not_suspended(patient, today)
    contact = _contact(session, patient, booked_by_contact_id)
    slot = _locked_slot(session, slot_id)
    schedule, doctor, department, hospital = _slot_context(session, slot)
    rules = BookingRules.from_json(hospital.rules)
    if not session_takes_new_bookings(schedule, doctor):  # stopped, or the doctor 停用
        raise BookingError("slot_unavailable")
    if slot.status != SlotStatus.FREE:
        raise BookingError("slot_taken")
    if slot.reserved_for_onsite:  # kept for walk-ins at the desk, never booked by phone
        raise BookingError("slot_unavailable")
    if slot.reserved_for_family_doctor != (family_doctor_id is not None):
        # The family-doctor share is booked by family doctors only, and only from it.
        raise BookingError("slot_unavailable")
    _check_day(rules, schedule.day, now)
    if (
        slot.reserved_for_elderly
        and not rules.elderly_released(schedule.day, schedule.session, now)
        and not rules.is_elderly(patient_age(patient, today))
    ):  # kept for older callers until the hospital's release moment for the session
        raise BookingError("reserved_for_elderly")
    # One read of the patient's live bookings that day for both checks below.
    same_day = _live_bookings_on(session, patient_id=patient.id, day=schedule.day)
    if any(other.department_name == department.name for other, _ in same_day):
        raise _already_booked(schedule.day, department.name)
    _refuse_clash(same_day, slot.start_time)
    appointment = Appointment(
        slot_id=slot.id,
        patient_id=patient.id,
        department_id=department.id,
        department_name=department.name,
        day=schedule.day,
        session=schedule.session,
        booked_by_contact_id=contact.id if contact is not None else None,
        booked_by_number=booked_by_number,
        call_id=call_id,
        booked_by_staff_id=family_doctor_id if family_doctor_id is not None else staff_id,
        status=AppointmentStatus.BOOKED,
    )
    try:
        # A savepoint: after a lost race the caller's transaction stays usable (e.g. to
        # look for other offers in the same step).
        with session.begin_nested():
            session.add(appointment)
            slot.status = SlotStatus.BUSY
            session.flush()
    except StaleDataError:
        raise BookingError("slot_taken") from None
    except IntegrityError as exc:
        if _is_slot_conflict(exc):
            raise BookingError("slot_taken") from None
        raise _already_booked(schedule.day, department.name) from None
    log.info(
        "appointment %s booked: slot %s, department %s, %s",
        appointment.id, slot.id, department.id, "family" if contact else "self",
    )
    # The reminder call the day before (app/hospital/reminders.py), in this transaction.
    reminders.schedule_for(session, appointment, now=now)
    if not notify:
        return appointment
    offer = offer_for_slot(slot, schedule, doctor, department, hospital, rules)
    body = _booked_sms(patient, offer)
    if family_doctor_id is not None:
        notify_family(session, patient, body, f"appointment:{appointment.id}:booked")
        return appointment
    extra = contact.phone if contact is not None else booked_by_number
    for number in _sms_numbers(patient, extra):
        _sms(session, number, body, f"appointment:{appointment.id}:booked:sms:{number}")
    return appointment


def moved_message(
    session: Session, old: Appointment, new: Appointment, *, sms: str = "appointment_moved"
) -> str:
    """One text for a booking moved to another session: the old time and the new booking
    (`sms`: appointment_moved by a family doctor, appointment_moved_by_phone by a caller)."""
    old_slot = session.get(Slot, old.slot_id)
    slot = session.get(Slot, new.slot_id)
    assert old_slot is not None and slot is not None
    schedule, doctor, department, hospital = _slot_context(session, slot)
    offer = offer_for_slot(
        slot, schedule, doctor, department, hospital, BookingRules.from_json(hospital.rules)
    )
    deadline = offer.cancel_deadline
    return texts.sms(
        sms,
        patient=get_patient(session, new.patient_id).full_name,
        old_when=f"{spoken_day(old.day, old.session)} {old_slot.start_time:%H:%M}",
        hospital=offer.hospital,
        department=offer.department,
        when=f"{spoken_day(offer.day, offer.session)} {offer.start_time:%H:%M}",
        doctor=offer.doctor_name,
        title=offer.doctor_title,
        clinic=CLINIC_WORDS[offer.clinic_type],
        fee=offer.fee_yuan,
        deadline=f"{deadline.month}月{deadline.day}日{spoken_time(deadline.time())}",
    )


def cancelled_message(session: Session, appointment: Appointment) -> str:
    """The text telling the patient (and whoever booked) that a booking was cancelled."""
    slot = session.get(Slot, appointment.slot_id)
    assert slot is not None
    _, doctor, department, hospital = _slot_context(session, slot)
    return texts.sms(
        "appointment_cancelled",
        patient=get_patient(session, appointment.patient_id).full_name,
        hospital=hospital.short_name,
        department=department.name,
        when=f"{spoken_day(appointment.day, appointment.session)} {slot.start_time:%H:%M}",
        doctor=doctor.name,
    )


def notify_family(
    session: Session, patient: Person, body: str, key: str, *, extra_number: str | None = None
) -> int:
    """Tell the patient and their family contacts, as for bookings a family doctor made.

    The patient's mobiles get an SMS; a patient with only landlines gets a call on the
    first one, reading the same text. Family contacts who asked to be told (`notify`) get
    an SMS on a Chinese mobile, and so does `extra_number` (the caller who changed the
    booking by phone) when it is one not told yet. Keys `{key}:sms:{number}` /
    `{key}:call:{number}`.
    """
    phones = list(
        session.scalars(
            select(PersonPhone).where(PersonPhone.person_id == patient.id).order_by(PersonPhone.id)
        )
    )
    mobiles = [p.number for p in phones if p.kind == PhoneKind.MOBILE]
    sent = 0
    for number in mobiles:
        _sms(session, number, body, f"{key}:sms:{number}")
        sent += 1
    if not mobiles and phones:
        number = phones[0].number
        enqueue_message(
            session, kind=OutboxKind.CALL, to_number=number, body=body,
            idempotency_key=f"{key}:call:{number}",
        )
        sent += 1
    told = {p.number for p in phones}
    contacts = session.scalars(
        select(FamilyContact)
        .where(FamilyContact.person_id == patient.id, FamilyContact.notify.is_(True))
        .order_by(FamilyContact.id)
    )
    for contact in contacts:
        if contact.phone in told or not MOBILE_RE.fullmatch(contact.phone):
            continue
        told.add(contact.phone)
        _sms(session, contact.phone, body, f"{key}:sms:{contact.phone}")
        sent += 1
    if extra_number and extra_number not in told and MOBILE_RE.fullmatch(extra_number):
        _sms(session, extra_number, body, f"{key}:sms:{extra_number}")
        sent += 1
    return sent


def clashing_booking(
    session: Session, *, patient_id: int, day: date, start_time: time
) -> Appointment | None:
    """The patient's live booking (any department, any hospital) at the same hour that day.

    Visits closer than `rules.CLASH_MINUTES` clash: nobody is seen in two clinics within
    the hour.
    """
    clash = _clash(_live_bookings_on(session, patient_id=patient_id, day=day), start_time)
    return clash[0] if clash is not None else None


def check_no_clash(session: Session, *, patient_id: int, day: date, start_time: time) -> None:
    """Refuse a booking within the hour of another live booking of the same patient
    (`time_clash`); used by phone booking and the desk's walk-in booking alike."""
    _refuse_clash(_live_bookings_on(session, patient_id=patient_id, day=day), start_time)


def _live_bookings_on(
    session: Session, *, patient_id: int, day: date
) -> list[tuple[Appointment, time]]:
    """The patient's live bookings that day (any department, any hospital), earliest
    first, each with its start time."""
    rows = session.execute(
        select(Appointment, Slot.start_time)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.day == day,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Slot.start_time)
    )
    return [(appointment, start) for appointment, start in rows]


def _clash(
    same_day: list[tuple[Appointment, time]], start_time: time
) -> tuple[Appointment, time] | None:
    return next((row for row in same_day if times_clash(row[1], start_time)), None)


def _refuse_clash(same_day: list[tuple[Appointment, time]], start_time: time) -> None:
    clash = _clash(same_day, start_time)
    if clash is not None:
        other, at = clash
        raise BookingError(
            "time_clash",
            day=other.day,
            time=f"{'下午' if at.hour >= 12 else '上午'}{spoken_clock(at)}",
            department=other.department_name,
        )


def _booked_sms(patient: Person, offer: Offer) -> str:
    deadline = offer.cancel_deadline
    return texts.sms(
        "appointment_booked",
        patient=patient.full_name,
        hospital=offer.hospital,
        department=offer.department,
        when=f"{spoken_day(offer.day, offer.session)} {offer.start_time:%H:%M}",
        doctor=offer.doctor_name,
        title=offer.doctor_title,
        clinic=CLINIC_WORDS[offer.clinic_type],
        fee=offer.fee_yuan,
        deadline=f"{deadline.month}月{deadline.day}日{spoken_time(deadline.time())}",
    )


def _is_slot_conflict(exc: IntegrityError) -> bool:
    """Which partial unique index fired: PostgreSQL names it, SQLite names the columns."""
    detail = str(exc.orig)
    if "uq_appointments_live_slot" in detail:
        return True
    return "appointments.slot_id" in detail and "patient_id" not in detail


def _already_booked(day: date, department: str) -> BookingError:
    return BookingError("already_booked", day=day, department=department)


def _check_day(rules: BookingRules, day: date, now: datetime) -> None:
    status = rules.day_status(day, now)
    if status == DayStatus.OPEN:
        return
    if status == DayStatus.NOT_YET:
        release = rules.release_moment(day)
        raise BookingError(
            "not_yet", day=day, release=release,
        )
    raise BookingError(status.value, day=day)


# --- cancelling -------------------------------------------------------------------------


def cancel(
    session: Session,
    *,
    appointment_id: int,
    now: datetime,
    reason: str,
    enforce_deadline: bool = True,
    notify: bool = True,
) -> Appointment:
    """Cancel a live booking before the hospital's deadline, free the slot, text the patient
    (and whoever booked it). Cancelling a cancelled booking again returns it unchanged.

    `enforce_deadline=False` is for hospital staff (e.g. the doctor stopped the session).
    """
    appointment = _locked_appointment(session, appointment_id)
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status != AppointmentStatus.BOOKED:
        raise BookingError(
            "not_cancellable", status=STATUS_WORDS.get(appointment.status, appointment.status)
        )
    slot = _locked_slot(session, appointment.slot_id)
    schedule, doctor, department, hospital = _slot_context(session, slot)
    rules = BookingRules.from_json(hospital.rules)
    if enforce_deadline and not rules.can_cancel(appointment.day, now):
        deadline = rules.cancel_deadline(appointment.day)
        raise BookingError(
            "cancel_too_late", deadline=deadline,
        )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = (reason.strip() or "来电取消")[:100]
    if slot.status == SlotStatus.BUSY:
        slot.status = SlotStatus.FREE
    try:
        session.flush()
    except StaleDataError:  # pragma: no cover - the slot is locked above
        raise BookingError("not_cancellable", status="已更新") from None
    log.info("appointment %s cancelled", appointment.id)
    if not notify:
        return appointment
    patient = get_patient(session, appointment.patient_id)
    body = cancelled_message(session, appointment)
    if slot.reserved_for_family_doctor:  # a family doctor's booking
        notify_family(session, patient, body, f"appointment:{appointment.id}:cancelled")
        return appointment
    extra = appointment.booked_by_number
    if appointment.booked_by_contact_id is not None:
        contact = session.get(FamilyContact, appointment.booked_by_contact_id)
        extra = contact.phone if contact is not None else extra
    for number in _sms_numbers(patient, extra):
        _sms(session, number, body, f"appointment:{appointment.id}:cancelled:sms:{number}")
    return appointment


# --- helpers ----------------------------------------------------------------------------


def _resident(patient: Person, today: date) -> ResidentId:
    if not patient.id_number:
        raise BookingError("id_required")
    try:
        return parse_resident_id(patient.id_number, today=today)
    except InvalidResidentId:
        raise BookingError("id_required") from None


def _contact(session: Session, patient: Person, contact_id: int | None) -> FamilyContact | None:
    if contact_id is None:
        return None
    contact = session.get(FamilyContact, contact_id)
    if contact is None or contact.person_id != patient.id or not contact.may_act_for:
        raise BookingError("not_allowed")
    return contact


def _locked_slot(session: Session, slot_id: int) -> Slot:
    """Load the slot under a row lock (a write lock on SQLite), with fresh values."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a no-op write takes the database write lock now, so the
        # checks that follow read what no other writer can change before we commit.
        session.execute(text("UPDATE slots SET version = version WHERE id = :id"), {"id": slot_id})
    slot = session.get(Slot, slot_id, with_for_update=True, populate_existing=True)
    if slot is None:
        raise BookingError("slot_not_found")
    return slot


def _locked_appointment(session: Session, appointment_id: int) -> Appointment:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("UPDATE appointments SET status = status WHERE id = :id"), {"id": appointment_id}
        )
    appointment = session.get(
        Appointment, appointment_id, with_for_update=True, populate_existing=True
    )
    if appointment is None:
        raise BookingError("appointment_not_found")
    return appointment


def _slot_context(session: Session, slot: Slot) -> tuple[Schedule, Doctor, Department, Hospital]:
    row = session.execute(
        select(Schedule, Doctor, Department, Hospital)
        .join(Doctor, Schedule.doctor_id == Doctor.id)
        .join(Department, Doctor.department_id == Department.id)
        .join(Hospital, Department.hospital_id == Hospital.id)
        .where(Schedule.id == slot.schedule_id)
    ).one()
    return row[0], row[1], row[2], row[3]


def _sms_numbers(patient: Person, extra: str | None) -> list[str]:
    """The patient's mobiles (landlines get no SMS) in the order they were saved, then the
    booker's number if new."""
    numbers = [
        phone.number
        for phone in sorted(patient.phones, key=lambda phone: phone.id)
        if phone.kind == PhoneKind.MOBILE
    ]
    if extra and extra not in numbers and MOBILE_RE.fullmatch(extra):
        numbers.append(extra)
    return numbers


def _sms(session: Session, number: str, body: str, key: str) -> None:
    enqueue_message(session, kind=OutboxKind.SMS, to_number=number, body=body, idempotency_key=key)
