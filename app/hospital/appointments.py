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

Concurrency: booking reads the patient, the slot and its context in one statement, checks
them, then takes the slot with one conditional `UPDATE ... WHERE status = 'free' AND
version = <as read>`. Of two callers racing for one slot on PostgreSQL, the second's
update waits for the first's commit and then matches nothing: the slot is read again
under its row lock (`FOR UPDATE`), checked again and refused as `slot_taken`. On SQLite a
no-op write takes the database write lock before the read, so nothing changes between
the read and the update. The appointment is inserted with `ON CONFLICT DO NOTHING`: the
partial unique indexes on `appointments` (one live booking per slot; one per patient,
canonical department name and day, across hospitals) are the last line of defence, and a
refused insert gives the slot back and becomes `slot_taken` or `already_booked`, leaving
the caller's transaction usable (no savepoint needed). These statements are SQLAlchemy
Core, built once (docs/performance.md, "Hospital bookings"). ID numbers and phone numbers
are never logged.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, and_, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import texts
from app.core.db import keep_inserted
from app.core.local_time import local_today
from app.db.base import utcnow
from app.hospital import reminders
from app.hospital.bookable import takes_new_bookings_now
from app.hospital.enums import AppointmentStatus, SlotStatus
from app.hospital.errors import BookingError
from app.hospital.fhir.models import FhirLink
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
    session.flush()  # the statements below go to the connection, past the unit of work
    today = local_today(now)
    conn = session.connection()
    locked = conn.dialect.name == "sqlite"
    if locked:
        # SQLite has no row locks; a no-op write takes the database write lock now, so the
        # checks that follow read what no other writer can change before we commit.
        conn.execute(_SQLITE_WRITE_LOCK, {"slot_id": slot_id})
    while True:
        # The patient, the slot and the patient's live bookings that day in one statement.
        read = _read_booking(conn, slot_id=slot_id, patient_id=patient_id, locked=locked)
        if read is None:  # no such patient (refused first), or no such slot
            _check_patient(session, get_patient(session, patient_id), today, booked_by_contact_id)
            raise BookingError("slot_not_found")
        slot, patient, same_day = read
        contact = _check_patient(session, patient, today, booked_by_contact_id)
        rules = BookingRules.from_json(slot.rules)
        if not takes_new_bookings_now(slot.schedule_status, slot.doctor_active):
            raise BookingError("slot_unavailable")  # stopped, or the doctor 停用
        if slot.status != SlotStatus.FREE:
            raise BookingError("slot_taken")
        if slot.reserved_for_onsite:  # kept for walk-ins at the desk, never booked by phone
            raise BookingError("slot_unavailable")
        if slot.reserved_for_family_doctor != (family_doctor_id is not None):
            # The family-doctor share is booked by family doctors only, and only from it.
            raise BookingError("slot_unavailable")
        _check_day(rules, slot.day, now)
        if (
            slot.reserved_for_elderly
            and not rules.elderly_released(slot.day, slot.session, now)
            and not rules.is_elderly(patient_age(patient, today))
        ):  # kept for older callers until the hospital's release moment for the session
            raise BookingError("reserved_for_elderly")
        if any(other.department_name == slot.department_name for other in same_day):
            raise _already_booked(slot.day, slot.department_name)
        _refuse_clash(same_day, slot.start_time)
        # Taken only if nothing changed since it was read (PostgreSQL: a writer racing for
        # it is waited for, then this matches nothing). Else read and check it again, this
        # time under its row lock, which a lost race answers with `slot_taken` above.
        if conn.execute(_TAKE_SLOT, {"slot_id": slot_id, "read_version": slot.version}).rowcount:
            break
        if locked:  # pragma: no cover - nobody can change a locked slot
            raise BookingError("slot_taken")
        locked = True
    _expire_loaded_slot(session, slot_id)
    stamp = utcnow()
    values = {
        "slot_id": slot_id,
        "patient_id": patient.id,
        "department_id": slot.department_id,
        "department_name": slot.department_name,
        "day": slot.day,
        "session": slot.session,
        "booked_by_contact_id": contact.id if contact is not None else None,
        "booked_by_number": booked_by_number,
        "call_id": call_id,
        "booked_by_staff_id": family_doctor_id if family_doctor_id is not None else staff_id,
        "status": AppointmentStatus.BOOKED,
        "cancelled_at": None,
        "cancel_reason": None,
        "checked_in_at": None,
        "created_at": stamp,
        "updated_at": stamp,
    }
    # ON CONFLICT DO NOTHING: a unique index that refuses it (a slot or a patient booked
    # by another transaction meanwhile) leaves the caller's transaction usable (e.g. to
    # look for other offers in the same step); the slot is given back.
    new_id = conn.execute(_NEW_APPOINTMENT[conn.dialect.name], values).scalar()
    if new_id is None:
        conn.execute(_GIVE_BACK_SLOT, {"slot_id": slot_id})
        if conn.execute(_LIVE_ON_SLOT, {"slot_id": slot_id}).first() is not None:
            raise BookingError("slot_taken")
        raise _already_booked(slot.day, slot.department_name)
    appointment = keep_inserted(session, Appointment(id=new_id, **values))
    log.info(
        "appointment %s booked: slot %s, department %s, %s",
        appointment.id, slot_id, slot.department_id, "family" if contact else "self",
    )
    if slot.webhook_url:  # the FHIR push the flush listener writes for other changes
        from app.hospital.fhir.push import enqueue

        enqueue(session, appointment.id)
    # The reminder call the day before (app/hospital/reminders.py), in this transaction.
    reminders.schedule_for(session, appointment, now=now)
    if not notify:
        return appointment
    body = _booked_sms(patient.full_name, _offer(slot, rules))
    if family_doctor_id is not None:
        notify_family(
            session, get_patient(session, patient.id), body, f"appointment:{appointment.id}:booked"
        )
        return appointment
    extra = contact.phone if contact is not None else booked_by_number
    for number in _sms_numbers(patient.mobiles, extra):
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
    return session.get(Appointment, clash.id) if clash is not None else None


def check_no_clash(session: Session, *, patient_id: int, day: date, start_time: time) -> None:
    """Refuse a booking within the hour of another live booking of the same patient
    (`time_clash`); used by phone booking and the desk's walk-in booking alike."""
    _refuse_clash(_live_bookings_on(session, patient_id=patient_id, day=day), start_time)


class _Booked(NamedTuple):
    """A live booking of the patient that day, as the checks need it."""

    id: int
    department_name: str
    day: date
    start_time: time


class _Patient(NamedTuple):
    """What a booking needs of the patient."""

    id: int
    full_name: str
    id_number: str | None
    birth_date: date | None
    booking_suspended_until: date | None
    mobiles: list[str]  # in the order they were saved


def _read_booking(
    conn: Connection, *, slot_id: int, patient_id: int, locked: bool
) -> tuple[Any, _Patient, list[_Booked]] | None:
    """The slot's row (the `_BOOKING` columns), the patient and their live bookings that
    day, earliest first; None when the slot or the patient does not exist."""
    rows = conn.execute(
        _BOOKING_LOCKED if locked else _BOOKING, {"slot_id": slot_id, "patient_id": patient_id}
    ).all()
    if not rows:
        return None
    slot = rows[0]
    mobiles = {row.phone_id: row.phone_number for row in rows if row.phone_id is not None}
    others = {
        row.other_id: _Booked(
            row.other_id, row.other_department_name, slot.day, row.other_start_time
        )
        for row in rows
        if row.other_id is not None
    }
    patient = _Patient(
        slot.patient_id, slot.full_name, slot.id_number, slot.birth_date,
        slot.booking_suspended_until, [mobiles[key] for key in sorted(mobiles)],
    )
    return slot, patient, sorted(others.values(), key=lambda other: other.start_time)


def _live_bookings_on(session: Session, *, patient_id: int, day: date) -> list[_Booked]:
    """The patient's live bookings that day (any department, any hospital), earliest
    first, each with its start time."""
    rows = session.execute(_SAME_DAY, {"patient_id": patient_id, "day": day})
    return [_Booked(*row) for row in rows]


def _clash(same_day: list[_Booked], start_time: time) -> _Booked | None:
    return next((row for row in same_day if times_clash(row.start_time, start_time)), None)


def _refuse_clash(same_day: list[_Booked], start_time: time) -> None:
    clash = _clash(same_day, start_time)
    if clash is not None:
        at = clash.start_time
        raise BookingError(
            "time_clash",
            day=clash.day,
            time=f"{'下午' if at.hour >= 12 else '上午'}{spoken_clock(at)}",
            department=clash.department_name,
        )


def _booked_sms(patient_name: str, offer: Offer) -> str:
    deadline = offer.cancel_deadline
    return texts.sms(
        "appointment_booked",
        patient=patient_name,
        hospital=offer.hospital,
        department=offer.department,
        when=f"{spoken_day(offer.day, offer.session)} {offer.start_time:%H:%M}",
        doctor=offer.doctor_name,
        title=offer.doctor_title,
        clinic=CLINIC_WORDS[offer.clinic_type],
        fee=offer.fee_yuan,
        deadline=f"{deadline.month}月{deadline.day}日{spoken_time(deadline.time())}",
    )


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
    for number in _sms_numbers(_mobiles(patient), extra):
        _sms(session, number, body, f"appointment:{appointment.id}:cancelled:sms:{number}")
    return appointment


# --- helpers ----------------------------------------------------------------------------


def _resident(patient: Person | _Patient, today: date) -> ResidentId:
    if not patient.id_number:
        raise BookingError("id_required")
    try:
        return parse_resident_id(patient.id_number, today=today)
    except InvalidResidentId:
        raise BookingError("id_required") from None


def _check_patient(
    session: Session, patient: Person | _Patient, today: date, contact_id: int | None
) -> FamilyContact | None:
    """The patient's checks, in order: a valid ID number, not suspended, and a booking
    contact who may act for them (returned)."""
    _resident(patient, today)
    check_not_suspended(patient, today)
    return _contact(session, patient, contact_id)


def _contact(
    session: Session, patient: Person | _Patient, contact_id: int | None
) -> FamilyContact | None:
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


def _mobiles(patient: Person) -> list[str]:
    """The patient's mobiles (landlines get no SMS) in the order they were saved."""
    return [
        phone.number
        for phone in sorted(patient.phones, key=lambda phone: phone.id)
        if phone.kind == PhoneKind.MOBILE
    ]


def _sms_numbers(mobiles: list[str], extra: str | None) -> list[str]:
    """The patient's mobiles, then the booker's number if new."""
    numbers = list(mobiles)
    if extra and extra not in numbers and MOBILE_RE.fullmatch(extra):
        numbers.append(extra)
    return numbers


def _sms(session: Session, number: str, body: str, key: str) -> None:
    enqueue_message(session, kind=OutboxKind.SMS, to_number=number, body=body, idempotency_key=key)


# --- the booking's statements ------------------------------------------------------------
# Core statements built once: a booking runs them on the session's connection, without
# the ORM's statement construction, loading and unit of work (docs/performance.md).

_SLOTS = cast(Table, Slot.__table__)
_SCHEDULES = cast(Table, Schedule.__table__)
_DOCTORS = cast(Table, Doctor.__table__)
_DEPARTMENTS = cast(Table, Department.__table__)
_HOSPITALS = cast(Table, Hospital.__table__)
_APPOINTMENTS = cast(Table, Appointment.__table__)
_LINKS = cast(Table, FhirLink.__table__)

_PEOPLE = cast(Table, Person.__table__)
_PHONES = cast(Table, PersonPhone.__table__)
_OTHER_SLOTS = _SLOTS.alias("other_slots")
_OTHERS = _APPOINTMENTS.alias("others")

# What a booking reads, in one statement: the slot, its session, doctor, department and
# hospital (its rules), the hospital's FHIR webhook (None: no push to write), the patient
# with their mobiles, and the patient's live bookings that day (any department, any
# hospital). One row per mobile and booking that day (one row for most patients); no row
# when the slot or the patient does not exist.
_BOOKING = (
    select(
        _SLOTS.c.id,
        _SLOTS.c.start_time,
        _SLOTS.c.status,
        _SLOTS.c.version,
        _SLOTS.c.reserved_for_elderly,
        _SLOTS.c.reserved_for_onsite,
        _SLOTS.c.reserved_for_family_doctor,
        _SCHEDULES.c.day,
        _SCHEDULES.c.session,
        _SCHEDULES.c.status.label("schedule_status"),
        _DOCTORS.c.name.label("doctor_name"),
        _DOCTORS.c.title.label("doctor_title"),
        _DOCTORS.c.clinic_type,
        _DOCTORS.c.fee_yuan,
        _DOCTORS.c.active.label("doctor_active"),
        _DEPARTMENTS.c.id.label("department_id"),
        _DEPARTMENTS.c.name.label("department_name"),
        _HOSPITALS.c.id.label("hospital_id"),
        _HOSPITALS.c.short_name.label("hospital"),
        _HOSPITALS.c.name.label("hospital_name"),
        _HOSPITALS.c.rules,
        _LINKS.c.webhook_url,
        _PEOPLE.c.id.label("patient_id"),
        _PEOPLE.c.full_name,
        _PEOPLE.c.id_number,
        _PEOPLE.c.birth_date,
        _PEOPLE.c.booking_suspended_until,
        _PHONES.c.id.label("phone_id"),
        _PHONES.c.number.label("phone_number"),
        _OTHERS.c.id.label("other_id"),
        _OTHERS.c.department_name.label("other_department_name"),
        _OTHER_SLOTS.c.start_time.label("other_start_time"),
    )
    .select_from(
        _SLOTS.join(_SCHEDULES, _SCHEDULES.c.id == _SLOTS.c.schedule_id)
        .join(_DOCTORS, _DOCTORS.c.id == _SCHEDULES.c.doctor_id)
        .join(_DEPARTMENTS, _DEPARTMENTS.c.id == _DOCTORS.c.department_id)
        .join(_HOSPITALS, _HOSPITALS.c.id == _DEPARTMENTS.c.hospital_id)
        .outerjoin(_LINKS, _LINKS.c.hospital_id == _HOSPITALS.c.id)
        .join(_PEOPLE, _PEOPLE.c.id == bindparam("patient_id"))
        .outerjoin(
            _PHONES,
            and_(_PHONES.c.person_id == _PEOPLE.c.id, _PHONES.c.kind == PhoneKind.MOBILE),
        )
        .outerjoin(
            _OTHERS,
            and_(
                _OTHERS.c.patient_id == _PEOPLE.c.id,
                _OTHERS.c.day == _SCHEDULES.c.day,
                _OTHERS.c.status == AppointmentStatus.BOOKED,
            ),
        )
        .outerjoin(_OTHER_SLOTS, _OTHER_SLOTS.c.id == _OTHERS.c.slot_id)
    )
    .where(_SLOTS.c.id == bindparam("slot_id"))
)
_BOOKING_LOCKED = _BOOKING.with_for_update(of=_SLOTS)
_SQLITE_WRITE_LOCK = text("UPDATE slots SET version = version WHERE id = :slot_id")

# Takes the slot if it is free and unchanged since read; the version column is bumped as
# the ORM's version counter would (a stale ORM update of the slot then fails).
_TAKE_SLOT = (
    update(_SLOTS)
    .where(
        _SLOTS.c.id == bindparam("slot_id"),
        _SLOTS.c.status == SlotStatus.FREE,
        _SLOTS.c.version == bindparam("read_version"),
    )
    .values(status=SlotStatus.BUSY, version=_SLOTS.c.version + 1)
)
_GIVE_BACK_SLOT = (
    update(_SLOTS)
    .where(_SLOTS.c.id == bindparam("slot_id"))
    .values(status=SlotStatus.FREE, version=_SLOTS.c.version + 1)
)
_LIVE_ON_SLOT = select(_APPOINTMENTS.c.id).where(
    _APPOINTMENTS.c.slot_id == bindparam("slot_id"),
    _APPOINTMENTS.c.status == AppointmentStatus.BOOKED,
)
_SAME_DAY = (
    select(
        _APPOINTMENTS.c.id, _APPOINTMENTS.c.department_name, _APPOINTMENTS.c.day,
        _SLOTS.c.start_time,
    )
    .select_from(_APPOINTMENTS.join(_SLOTS, _SLOTS.c.id == _APPOINTMENTS.c.slot_id))
    .where(
        _APPOINTMENTS.c.patient_id == bindparam("patient_id"),
        _APPOINTMENTS.c.day == bindparam("day"),
        _APPOINTMENTS.c.status == AppointmentStatus.BOOKED,
    )
    .order_by(_SLOTS.c.start_time)
)
# INSERT ... ON CONFLICT DO NOTHING RETURNING id, on either database: nothing returned
# when a partial unique index already holds a live booking of the slot or of the patient
# in the department that day.
_NEW_APPOINTMENT = {
    "postgresql": postgresql.insert(_APPOINTMENTS).on_conflict_do_nothing()
    .returning(_APPOINTMENTS.c.id),
    "sqlite": sqlite.insert(_APPOINTMENTS).on_conflict_do_nothing()
    .returning(_APPOINTMENTS.c.id),
}


def _expire_loaded_slot(session: Session, slot_id: int) -> None:
    """A Slot the session had loaded is read again when next used (it was just written
    past the ORM)."""
    loaded = session.identity_map.get(session.identity_key(Slot, slot_id))
    if loaded is not None:
        session.expire(loaded)


def _offer(slot: Any, rules: BookingRules) -> Offer:
    """`offers.offer_for_slot` for the booking's row."""
    return Offer(
        slot_id=slot.id,
        hospital_id=slot.hospital_id,
        hospital=slot.hospital,
        hospital_name=slot.hospital_name,
        department=slot.department_name,
        doctor_name=slot.doctor_name,
        doctor_title=slot.doctor_title,
        clinic_type=slot.clinic_type,
        fee_yuan=slot.fee_yuan,
        day=slot.day,
        session=slot.session,
        start_time=slot.start_time,
        reserved_for_elderly=slot.reserved_for_elderly,
        cancel_deadline=rules.cancel_deadline(slot.day),
    )
