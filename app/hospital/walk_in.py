"""Older walk-ins booked at the registration desk into the on-site share (绿色通道).

Each generated session keeps `onsite_share_percent` of its slots for older people who
come to the hospital in person (`Slot.reserved_for_onsite`; never offered or booked by
phone). Desk staff book a walk-in into one of today's sessions by the patient's ID card
(read by a card reader, which types the number into the field, or typed by hand; the
check digit is checked) and print a slip with the visit number (就诊序号: the slot's
place in the session, in the order patients are seen).

The booking rules that apply at the desk are the phone's, except the day: a walk-in is
for today only. The patient must be at least the hospital's `elderly_age` (the share is
for older people), not suspended for no-shows, and hold no other live booking in the
same (canonical) department that day. Someone the hotline does not know yet is
registered with the name given and the ID card shown (consent basis `in_person`).

Keyword-only; one unit of work on a passed `Session`; the caller commits. Refusals are
`DeskError`s (app.hospital.desk) with a Chinese message for desk staff. ID numbers are
never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.local_time import local_today
from app.hospital.appointments import check_no_clash
from app.hospital.bookable import session_takes_new_bookings, takes_new_bookings
from app.hospital.day_list import mask_id_number
from app.hospital.desk import (
    LIVE,
    SCHEDULE_NOT_FOUND,
    SESSION_LABELS,
    DeskConflict,
    DeskError,
    DeskNotFound,
)
from app.hospital.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    ScheduleStatus,
    SlotStatus,
)
from app.hospital.errors import BookingError
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.patients import check_not_suspended, patient_age
from app.hospital.rules import BookingRules, spoken_day
from app.people.enums import ConsentBasis
from app.people.models import Person
from app.people.registration import RegistrationError, register_person
from app.people.resident_id import InvalidResidentId, parse_resident_id

log = logging.getLogger(__name__)

CLINIC_LABELS = {ClinicType.GENERAL: "普通号", ClinicType.EXPERT: "专家号"}
SLIP_NOT_FOUND = "找不到这条挂号记录，可能不属于本院。请刷新页面。"


@dataclass(frozen=True)
class OnsiteSession:
    """One of today's sessions with its on-site share."""

    schedule_id: int
    session: ClinicSession
    department: str
    doctor: str
    doctor_title: str
    onsite_total: int
    onsite_left: int

    @property
    def session_label(self) -> str:
        return SESSION_LABELS[self.session]


@dataclass(frozen=True)
class WalkInSlip:
    appointment_id: int
    hospital: str
    department: str
    doctor: str
    doctor_title: str
    clinic: str
    fee_yuan: int
    day: date
    session: ClinicSession
    start_time: time
    visit_number: int
    patient_name: str
    id_masked: str

    @property
    def when(self) -> str:
        return f"{spoken_day(self.day, self.session)} {self.start_time:%H:%M}"


def onsite_sessions(session: Session, *, hospital_id: int, day: date) -> list[OnsiteSession]:
    """The day's running sessions that keep an on-site share, with how much is left."""
    free = func.sum(case((Slot.status == SlotStatus.FREE, 1), else_=0))
    rows = session.execute(
        select(
            Schedule.id,
            Schedule.session,
            Department.name,
            Department.display_name,
            Doctor.name,
            Doctor.title,
            func.count(Slot.id),
            free,
        )
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Slot, Slot.schedule_id == Schedule.id)
        .where(
            Department.hospital_id == hospital_id,
            Schedule.day == day,
            takes_new_bookings(),  # running, and the doctor not 停用
            Slot.reserved_for_onsite.is_(True),
        )
        .group_by(
            Schedule.id,
            Schedule.session,
            Department.id,
            Department.name,
            Department.display_name,
            Doctor.name,
            Doctor.title,
        )
        .order_by(Schedule.session, Department.id, Doctor.name)
    ).all()
    return [
        OnsiteSession(sid, clinic_session, own or name, doctor, title, total, int(left or 0))
        for sid, clinic_session, name, own, doctor, title, total, left in rows
    ]


def _walk_in_patient(
    session: Session,
    *,
    id_number: str,
    full_name: str,
    hospital: Hospital,
    today: date,
    now: datetime,
) -> Person:
    try:
        resident = parse_resident_id(id_number, today=today)
    except InvalidResidentId as exc:
        raise DeskError(f"{exc}，请核对后重新读卡或输入。") from None
    person = session.scalar(select(Person).where(Person.id_number == resident.number))
    if person is not None:
        return person
    if not full_name.strip():
        raise DeskError("这位老人还没有登记过：请填写姓名（与身份证一致）。")
    try:
        return register_person(
            session,
            full_name=full_name,
            registered_by=f"{hospital.short_name}挂号窗口",
            consent_basis=ConsentBasis.IN_PERSON,
            id_number=resident.number,
            now=now,
        )
    except RegistrationError as exc:
        raise DeskError(str(exc)) from None


def book_walk_in(
    session: Session,
    *,
    hospital_id: int,
    schedule_id: int,
    id_number: str,
    full_name: str,
    now: datetime,
) -> Appointment:
    """Book an older walk-in into the first free on-site slot of one of today's sessions."""
    row = session.execute(
        select(Schedule, Doctor, Department, Hospital)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(Schedule.id == schedule_id, Hospital.id == hospital_id)
    ).first()
    if row is None:
        raise DeskNotFound(SCHEDULE_NOT_FOUND)
    schedule, doctor, department, hospital = row
    today = local_today(now)
    if schedule.day != today:
        raise DeskConflict("现场号只能挂今天的出诊。")
    if schedule.status != ScheduleStatus.ACTIVE:
        raise DeskConflict("这个出诊已经停诊，请选别的出诊。")
    if not session_takes_new_bookings(schedule, doctor):
        raise DeskConflict(f"{doctor.name}已停用，这个出诊不再挂新号，请选别的出诊。")
    rules = BookingRules.from_json(hospital.rules)
    patient = _walk_in_patient(
        session,
        id_number=id_number,
        full_name=full_name,
        hospital=hospital,
        today=today,
        now=now,
    )
    age = patient_age(patient, today)
    if not rules.is_elderly(age):
        raise DeskConflict(
            f"现场预留号只给 {rules.elderly_age} 岁及以上的老人，这位患者 {age} 岁。"
        )
    try:
        check_not_suspended(patient, today)
    except BookingError as exc:
        raise DeskConflict(exc.message) from None
    # Two desks booking the same person at once: the second waits here for the first
    # (PostgreSQL row lock), then sees its booking below.
    session.execute(select(Person.id).where(Person.id == patient.id).with_for_update())
    _check_once_a_day(session, patient_id=patient.id, department=department.name, day=today)
    slot = session.scalar(
        select(Slot)
        .where(
            Slot.schedule_id == schedule.id,
            Slot.reserved_for_onsite.is_(True),
            Slot.status == SlotStatus.FREE,
        )
        .order_by(Slot.start_time, Slot.id)
        .limit(1)
        .with_for_update()
    )
    if slot is None:
        raise DeskConflict("这个出诊的现场预留号已经挂完了，请选别的出诊。")
    try:  # the same rule as phone booking: no two visits within the hour
        check_no_clash(session, patient_id=patient.id, day=today, start_time=slot.start_time)
    except BookingError as exc:
        raise DeskConflict(exc.message) from None
    appointment = Appointment(
        slot_id=slot.id,
        patient_id=patient.id,
        department_id=department.id,
        department_name=department.name,
        day=today,
        session=schedule.session,
        status=AppointmentStatus.BOOKED,
    )
    try:
        with session.begin_nested():
            session.add(appointment)
            slot.status = SlotStatus.BUSY
            session.flush()
    except (StaleDataError, IntegrityError):
        # The booking rules' unique index (one live booking per patient, department and
        # day) or the slot's: a race lost to another desk. Which one is said plainly.
        _check_once_a_day(session, patient_id=patient.id, department=department.name, day=today)
        raise DeskConflict("刚好有人挂了这个号，请再点一次。") from None
    log.info("walk-in appointment %s booked: slot %s", appointment.id, slot.id)
    return appointment


def _check_once_a_day(session: Session, *, patient_id: int, department: str, day: date) -> None:
    """The phone's rule at the desk: one booking per patient, department and day. A booking
    already checked in (已签到) still counts: the walk-in is at the hospital already."""
    taken = session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.patient_id == patient_id,
            Appointment.department_name == department,
            Appointment.day == day,
            Appointment.status.in_(LIVE),
        )
    )
    if taken:
        raise DeskConflict(
            f"这位老人今天已经挂了{department}的号（同一个身份证号），同一科室一天只能挂一个，"
            "没有再挂。"
        )


def slip(session: Session, *, hospital_id: int, appointment_id: int) -> WalkInSlip:
    """What the printed slip says; the visit number is the slot's place in its session."""
    row = session.execute(
        select(Appointment, Slot, Schedule, Doctor, Department, Hospital, Person)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .join(Person, Person.id == Appointment.patient_id)
        .where(Appointment.id == appointment_id, Hospital.id == hospital_id)
    ).first()
    if row is None:
        raise DeskNotFound(SLIP_NOT_FOUND)
    appointment, slot, schedule, doctor, department, hospital, person = row
    before = session.scalar(
        select(func.count(Slot.id)).where(
            Slot.schedule_id == schedule.id,
            (Slot.start_time < slot.start_time)
            | ((Slot.start_time == slot.start_time) & (Slot.id < slot.id)),
        )
    )
    return WalkInSlip(
        appointment_id=appointment.id,
        hospital=hospital.name,
        department=department.display_name or department.name,
        doctor=doctor.name,
        doctor_title=doctor.title,
        clinic=CLINIC_LABELS[doctor.clinic_type],
        fee_yuan=doctor.fee_yuan,
        day=schedule.day,
        session=schedule.session,
        start_time=slot.start_time,
        visit_number=(before or 0) + 1,
        patient_name=person.full_name,
        id_masked=mask_id_number(person.id_number),
    )
