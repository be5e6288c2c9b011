"""Hospital registration by phone (measure 14): offers, booking, cancelling, no-shows.

Every function is one unit of work on a passed `Session` (the caller commits) and takes
keyword-only arguments. Confirmation and cancellation SMS are written to the outbox in
the same transaction as the booking change, so either both are saved or neither is.

Refusals raise `BookingError` with a stable `.code` for the dialog and a Chinese
`.message` the phone flow can read out (codes are listed in docs/appointments.md).

Concurrency: booking takes the slot's row lock (`SELECT ... FOR UPDATE` on PostgreSQL;
on SQLite a no-op write takes the database write lock) and re-reads it, so of two
callers racing for one slot the second sees it busy. The slot's version column and the
partial unique indexes on `appointments` (one live booking per slot; one per patient,
department and day) are the last line of defence: their errors become `slot_taken` or
`already_booked`. ID numbers and phone numbers are never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.adapters.orm import (
    Appointment,
    Department,
    Doctor,
    FamilyContact,
    Hospital,
    Person,
    PersonPhone,
    Schedule,
    Slot,
)
from app.domain.booking_rules import (
    BookingRules,
    DayStatus,
    spoken_day,
    spoken_time,
)
from app.domain.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    OutboxKind,
    PhoneKind,
    ScheduleStatus,
    SlotStatus,
)
from app.domain.local_time import local_today
from app.domain.resident_id import InvalidResidentId, ResidentId, parse_resident_id
from app.domain.rides import age_on
from app.services.outbox import enqueue_message

log = logging.getLogger(__name__)

SESSION_ORDER = {ClinicSession.AM: 0, ClinicSession.PM: 1}
CLINIC_ORDER = {ClinicType.GENERAL: 0, ClinicType.EXPERT: 1}
CLINIC_WORDS = {ClinicType.GENERAL: "普通号", ClinicType.EXPERT: "专家号"}
SELF = "本人"
SMS_PREFIX = "【长者服务热线】"
MOBILE_RE = re.compile(r"\+861\d{10}")

MESSAGES = {
    "patient_not_found": "找不到这位老人的登记信息，请找工作人员帮忙登记。",
    "id_required": "电话挂号要实名，需要先登记身份证号。",
    "id_invalid": "{reason}，请再说一遍。",
    "id_in_use": "这个身份证号已经登记在别人名下了，请找工作人员核对。",
    "id_mismatch": "身份证号里的出生日期和登记的不一样，请再核对一下。",
    "suspended": "因为之前有预约没有去看病，{until}以前不能电话挂号，请到医院现场挂号。",
    "not_allowed": "这个电话号码不能替这位老人挂号，请让老人本人或家属打电话。",
    "slot_not_found": "找不到这个号，请重新选择。",
    "slot_taken": "这个号刚刚被别人挂走了，请换一个时间。",
    "slot_unavailable": "医生这个时段停诊了，请换一个时间。",
    "reserved_for_elderly": "这个号是留给老年人的，请换一个时间。",
    "too_late": "{day}的号现在已经不能在电话里挂了，请换一天，或者到医院现场挂号。",
    "not_yet": "{day}的号还没有放出来，{release}开始可以挂。",
    "closed": "{day}医院不开门诊，请换一天。",
    "already_booked": "这位老人{day}已经挂了{department}的号，同一天同一个科只能挂一个号。",
    "appointment_not_found": "找不到这个预约。",
    "not_cancellable": "这个预约现在不能取消了（{status}）。",
    "cancel_too_late": "取消要在{deadline}以前，已经过了时间，不能在电话里取消了。",
}

STATUS_WORDS = {
    AppointmentStatus.BOOKED: "已预约",
    AppointmentStatus.CANCELLED: "已取消",
    AppointmentStatus.NOSHOW: "已爽约",
    AppointmentStatus.ARRIVED: "已到院",
    AppointmentStatus.CHECKED_IN: "已签到",
    AppointmentStatus.FULFILLED: "已就诊",
}


class BookingError(Exception):
    """A booking refused: `.code` for the dialog, `.message` (Chinese) to say to the caller."""

    def __init__(self, code: str, **details: object) -> None:
        message = MESSAGES[code].format(**details)
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Offer:
    """A free slot the caller may take; enough to read it out and to book it."""

    slot_id: int
    hospital_id: int
    hospital: str  # short name, as people say it: 市一院
    department: str
    doctor_name: str
    doctor_title: str
    clinic_type: ClinicType
    fee_yuan: int
    day: date
    session: ClinicSession
    start_time: time
    reserved_for_elderly: bool
    cancel_deadline: datetime  # local time; booking after it means no cancelling by phone

    @property
    def spoken(self) -> str:
        """市一院 心血管内科，12月3日 星期四 上午 8点20分，李医生，主治医师，普通号10元."""
        return (
            f"{self.hospital} {self.department}，{spoken_day(self.day, self.session)} "
            f"{spoken_time(self.start_time)}，{self.doctor_name}，{self.doctor_title}，"
            f"{CLINIC_WORDS[self.clinic_type]}{self.fee_yuan}元"
        )


@dataclass(frozen=True)
class UpcomingAppointment:
    """A live booking, for the phone flow to read out and offer to cancel."""

    appointment_id: int
    hospital: str
    department: str
    doctor_name: str
    day: date
    session: ClinicSession
    start_time: time
    cancel_deadline: datetime  # local time
    can_cancel: bool

    @property
    def spoken(self) -> str:
        return (
            f"{spoken_day(self.day, self.session)} {spoken_time(self.start_time)}，"
            f"{self.hospital} {self.department}，{self.doctor_name}"
        )


class CallerPatient(NamedTuple):
    """Someone the caller may book for: themself (relation 本人) or a relative."""

    person: Person
    relation: str
    contact_id: int | None  # the FamilyContact to pass as booked_by_contact_id


# --- who may be booked ------------------------------------------------------------------


def patients_for_caller(session: Session, *, number: str) -> list[CallerPatient]:
    """The person registered with this phone (本人) first, then the people who list this
    number as a family contact allowed to act for them (family booking, measure 14)."""
    result: list[CallerPatient] = []
    own = session.scalar(select(Person).join(PersonPhone).where(PersonPhone.number == number))
    if own is not None:
        result.append(CallerPatient(own, SELF, None))
    contacts = session.execute(
        select(FamilyContact, Person)
        .join(Person, FamilyContact.person_id == Person.id)
        .where(FamilyContact.phone == number, FamilyContact.may_act_for.is_(True))
        .order_by(FamilyContact.id)
    ).all()
    seen = {own.id} if own is not None else set()
    for contact, person in contacts:
        if person.id not in seen:
            seen.add(person.id)
            result.append(CallerPatient(person, contact.relation, contact.id))
    return result


def set_id_number(
    session: Session, *, person_id: int, raw: str, today: date | None = None
) -> str:
    """Validate and store a resident ID typed on the keypad; returns it masked.

    Refuses an invalid number (`id_invalid`), one registered to another person
    (`id_in_use`) and one whose birth date contradicts the registered one
    (`id_mismatch`). Fills in a missing birth date and gender from the number.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise BookingError("patient_not_found")
    try:
        resident = parse_resident_id(raw, today=today)
    except InvalidResidentId as exc:
        raise BookingError("id_invalid", reason=str(exc)) from None
    other = session.scalar(
        select(Person.id).where(Person.id_number == resident.number, Person.id != person.id)
    )
    if other is not None:
        raise BookingError("id_in_use")
    if person.birth_date is not None and person.birth_date != resident.birth_date:
        raise BookingError("id_mismatch")
    person.id_number = resident.number
    person.birth_date = person.birth_date or resident.birth_date
    person.gender = person.gender or resident.gender
    try:
        session.flush()
    except IntegrityError:  # another person took the number at the same moment
        raise BookingError("id_in_use") from None
    return resident.masked


# --- offers -----------------------------------------------------------------------------


def find_offers(
    session: Session,
    *,
    department: str,
    patient_id: int | None,
    now: datetime,
    day: date | None = None,
    clinic_session: ClinicSession | None = None,
    hospital_id: int | None = None,
    clinic_type: ClinicType | None = None,
    limit: int = 3,
) -> list[Offer]:
    """The earliest free slots in `department` (canonical name) the patient may book now.

    Each hospital's rules decide the bookable days. Slots kept for older people are only
    offered to elderly patients, and to them first within a session; an unknown patient
    (or unknown age) counts as elderly. Order: day, session, elderly slots first (for the
    elderly), start time, then 普通号 before 专家号 unless `clinic_type` asks for one.
    Days on which the patient already has a booking in the department are left out.
    Raises BookingError `suspended` for a suspended patient.
    """
    patient = _patient(session, patient_id) if patient_id is not None else None
    today = local_today(now)
    if patient is not None:
        _check_not_suspended(patient, today)
    hospital_query = select(Hospital).join(Department).where(Department.name == department)
    if hospital_id is not None:
        hospital_query = hospital_query.where(Hospital.id == hospital_id)
    hospitals = session.scalars(hospital_query.order_by(Hospital.id)).all()
    days_by_hospital: dict[int, set[date]] = {}
    rules_by_hospital: dict[int, BookingRules] = {}
    elderly_by_hospital: dict[int, bool] = {}
    for hospital in hospitals:
        rules = BookingRules.from_json(hospital.rules)
        days = set(rules.bookable_days(now))
        if day is not None:
            days &= {day}
        days_by_hospital[hospital.id] = days
        rules_by_hospital[hospital.id] = rules
        elderly_by_hospital[hospital.id] = rules.is_elderly(_age(patient, today))
    all_days = set().union(*days_by_hospital.values()) if days_by_hospital else set()
    if not all_days:
        return []
    if patient is not None:
        taken = session.execute(
            select(Appointment.day, Department.hospital_id)
            .join(Department, Appointment.department_id == Department.id)
            .where(
                Appointment.patient_id == patient.id,
                Appointment.status == AppointmentStatus.BOOKED,
                Department.name == department,
            )
        ).all()
        for taken_day, taken_hospital in taken:
            days_by_hospital.get(taken_hospital, set()).discard(taken_day)
    query = (
        select(Slot, Schedule, Doctor, Department, Hospital)
        .join(Schedule, Slot.schedule_id == Schedule.id)
        .join(Doctor, Schedule.doctor_id == Doctor.id)
        .join(Department, Doctor.department_id == Department.id)
        .join(Hospital, Department.hospital_id == Hospital.id)
        .where(
            Department.name == department,
            Hospital.id.in_(list(days_by_hospital)),
            Schedule.day.in_(sorted(all_days)),
            Schedule.status == ScheduleStatus.ACTIVE,
            Slot.status == SlotStatus.FREE,
        )
    )
    if clinic_session is not None:
        query = query.where(Schedule.session == clinic_session)
    if clinic_type is not None:
        query = query.where(Doctor.clinic_type == clinic_type)
    offers: list[tuple[tuple[object, ...], Offer]] = []
    for slot, schedule, doctor, dept, hospital in session.execute(query).all():
        elderly = elderly_by_hospital[hospital.id]
        if schedule.day not in days_by_hospital[hospital.id]:
            continue
        if slot.reserved_for_elderly and not elderly:
            continue
        key = (
            schedule.day,
            SESSION_ORDER[schedule.session],
            not (elderly and slot.reserved_for_elderly),
            slot.start_time,
            CLINIC_ORDER[doctor.clinic_type],
            hospital.id,
            slot.id,
        )
        rules = rules_by_hospital[hospital.id]
        offers.append((key, _offer(slot, schedule, doctor, dept, hospital, rules)))
    offers.sort(key=lambda pair: pair[0])
    return [offer for _, offer in offers[:limit]]


def _offer(
    slot: Slot,
    schedule: Schedule,
    doctor: Doctor,
    department: Department,
    hospital: Hospital,
    rules: BookingRules,
) -> Offer:
    return Offer(
        slot_id=slot.id,
        hospital_id=hospital.id,
        hospital=hospital.short_name,
        department=department.name,
        doctor_name=doctor.name,
        doctor_title=doctor.title,
        clinic_type=doctor.clinic_type,
        fee_yuan=doctor.fee_yuan,
        day=schedule.day,
        session=schedule.session,
        start_time=slot.start_time,
        reserved_for_elderly=slot.reserved_for_elderly,
        cancel_deadline=rules.cancel_deadline(schedule.day),
    )


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
) -> Appointment:
    """Book the slot for the patient and text the confirmation; see the module doc.

    Checks, in order: the patient exists and has a valid ID number (real-name booking),
    is not suspended, the booking contact may act for them, the slot exists, is free and
    its session is running, the day is bookable under the hospital's rules, an elderly
    slot goes to an elderly patient, and the patient has no other booking in the
    department that day.
    """
    patient = _patient(session, patient_id)
    today = local_today(now)
    _resident(patient, today)
    _check_not_suspended(patient, today)
    contact = _contact(session, patient, booked_by_contact_id)
    slot = _locked_slot(session, slot_id)
    schedule, doctor, department, hospital = _slot_context(session, slot)
    rules = BookingRules.from_json(hospital.rules)
    if schedule.status != ScheduleStatus.ACTIVE:
        raise BookingError("slot_unavailable")
    if slot.status != SlotStatus.FREE:
        raise BookingError("slot_taken")
    _check_day(rules, schedule.day, now)
    if slot.reserved_for_elderly and not rules.is_elderly(_age(patient, today)):
        raise BookingError("reserved_for_elderly")
    existing = session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.patient_id == patient.id,
            Appointment.department_id == department.id,
            Appointment.day == schedule.day,
            Appointment.status == AppointmentStatus.BOOKED,
        )
    )
    if existing:
        raise _already_booked(schedule.day, department.name)
    appointment = Appointment(
        slot_id=slot.id,
        patient_id=patient.id,
        department_id=department.id,
        day=schedule.day,
        session=schedule.session,
        booked_by_contact_id=contact.id if contact is not None else None,
        booked_by_number=booked_by_number,
        call_id=call_id,
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
    offer = _offer(slot, schedule, doctor, department, hospital, rules)
    extra = contact.phone if contact is not None else booked_by_number
    body = _booked_sms(patient, offer)
    for number in _sms_numbers(session, patient, extra):
        _sms(session, number, body, f"appointment:{appointment.id}:booked:sms:{number}")
    return appointment


def _booked_sms(patient: Person, offer: Offer) -> str:
    deadline = offer.cancel_deadline
    return (
        f"{SMS_PREFIX}挂号成功：{patient.full_name}，{offer.hospital} {offer.department}，"
        f"{spoken_day(offer.day, offer.session)} {offer.start_time:%H:%M}，"
        f"{offer.doctor_name}（{offer.doctor_title}，{CLINIC_WORDS[offer.clinic_type]}"
        f"{offer.fee_yuan}元）。请带身份证，提前30分钟到。"
        f"如需取消，请在{deadline.month}月{deadline.day}日{spoken_time(deadline.time())}前"
        "拨打热线。"
    )


def _is_slot_conflict(exc: IntegrityError) -> bool:
    """Which partial unique index fired: PostgreSQL names it, SQLite names the columns."""
    detail = str(exc.orig)
    if "uq_appointments_live_slot" in detail:
        return True
    return "appointments.slot_id" in detail and "patient_id" not in detail


def _already_booked(day: date, department: str) -> BookingError:
    return BookingError("already_booked", day=spoken_day(day), department=department)


def _check_day(rules: BookingRules, day: date, now: datetime) -> None:
    status = rules.day_status(day, now)
    if status == DayStatus.OPEN:
        return
    if status == DayStatus.NOT_YET:
        release = rules.release_moment(day)
        raise BookingError(
            "not_yet",
            day=spoken_day(day),
            release=f"{release.month}月{release.day}日{spoken_time(release.time())}",
        )
    raise BookingError(status.value, day=spoken_day(day))


# --- cancelling -------------------------------------------------------------------------


def cancel(
    session: Session,
    *,
    appointment_id: int,
    now: datetime,
    reason: str,
    enforce_deadline: bool = True,
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
            "cancel_too_late",
            deadline=f"{spoken_day(deadline.date())}{spoken_time(deadline.time())}",
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
    patient = _patient(session, appointment.patient_id)
    body = (
        f"{SMS_PREFIX}已取消挂号：{patient.full_name}，{hospital.short_name} {department.name}，"
        f"{spoken_day(appointment.day, appointment.session)} {slot.start_time:%H:%M}，"
        f"{doctor.name}。如还需要看病，请再拨打热线。"
    )
    extra = appointment.booked_by_number
    if appointment.booked_by_contact_id is not None:
        contact = session.get(FamilyContact, appointment.booked_by_contact_id)
        extra = contact.phone if contact is not None else extra
    for number in _sms_numbers(session, patient, extra):
        _sms(session, number, body, f"appointment:{appointment.id}:cancelled:sms:{number}")
    return appointment


# --- reading ----------------------------------------------------------------------------


def upcoming(session: Session, *, patient_id: int, now: datetime) -> list[UpcomingAppointment]:
    """The patient's live bookings from today on, earliest first."""
    today = local_today(now)
    rows = session.execute(
        select(Appointment, Slot, Doctor, Department, Hospital)
        .join(Slot, Appointment.slot_id == Slot.id)
        .join(Schedule, Slot.schedule_id == Schedule.id)
        .join(Doctor, Schedule.doctor_id == Doctor.id)
        .join(Department, Appointment.department_id == Department.id)
        .join(Hospital, Department.hospital_id == Hospital.id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.day >= today,
        )
    ).all()
    result = []
    for appointment, slot, doctor, department, hospital in rows:
        rules = BookingRules.from_json(hospital.rules)
        result.append(
            UpcomingAppointment(
                appointment_id=appointment.id,
                hospital=hospital.short_name,
                department=department.name,
                doctor_name=doctor.name,
                day=appointment.day,
                session=appointment.session,
                start_time=slot.start_time,
                cancel_deadline=rules.cancel_deadline(appointment.day),
                can_cancel=rules.can_cancel(appointment.day, now),
            )
        )
    result.sort(key=lambda a: (a.day, SESSION_ORDER[a.session], a.start_time, a.appointment_id))
    return result


# --- helpers ----------------------------------------------------------------------------


def _patient(session: Session, patient_id: int) -> Person:
    patient = session.get(Person, patient_id)
    if patient is None:
        raise BookingError("patient_not_found")
    return patient


def _resident(patient: Person, today: date) -> ResidentId:
    if not patient.id_number:
        raise BookingError("id_required")
    try:
        return parse_resident_id(patient.id_number, today=today)
    except InvalidResidentId:
        raise BookingError("id_required") from None


def _age(patient: Person | None, today: date) -> int | None:
    """Age from the registered birth date, else from the ID number; None if unknown."""
    if patient is None:
        return None
    born = patient.birth_date
    if born is None and patient.id_number:
        try:
            born = parse_resident_id(patient.id_number, today=today).birth_date
        except InvalidResidentId:
            born = None
    return age_on(born, today)


def _check_not_suspended(patient: Person, today: date) -> None:
    until = patient.booking_suspended_until
    if until is not None and today < until:
        raise BookingError("suspended", until=f"{until.year}年{until.month}月{until.day}日")


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


def _sms_numbers(session: Session, patient: Person, extra: str | None) -> list[str]:
    """The patient's mobiles (landlines get no SMS), then the booker's number if new."""
    numbers = list(
        session.scalars(
            select(PersonPhone.number)
            .where(PersonPhone.person_id == patient.id, PersonPhone.kind == PhoneKind.MOBILE)
            .order_by(PersonPhone.id)
        )
    )
    if extra and extra not in numbers and MOBILE_RE.fullmatch(extra):
        numbers.append(extra)
    return numbers


def _sms(session: Session, number: str, body: str, key: str) -> None:
    enqueue_message(session, kind=OutboxKind.SMS, to_number=number, body=body, idempotency_key=key)
