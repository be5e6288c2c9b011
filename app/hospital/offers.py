"""Offers: the free slots a caller may book now, in the order the phone flow reads them out.

`find_offers` applies each hospital's booking rules (bookable days, slots kept for older
people, one booking per patient, department and day) and returns `Offer`s that carry
everything needed to read a slot out and to book it, including the cancel deadline.
`offer_for_slot` builds the same `Offer` for a slot being booked (for the confirmation
SMS). It only reads; booking itself is in `app.hospital.appointments`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    ScheduleStatus,
    SlotStatus,
)
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.patients import check_not_suspended, get_patient, patient_age
from app.hospital.rules import BookingRules, spoken_day, spoken_time

SESSION_ORDER = {ClinicSession.AM: 0, ClinicSession.PM: 1}
CLINIC_ORDER = {ClinicType.GENERAL: 0, ClinicType.EXPERT: 1}
CLINIC_WORDS = {ClinicType.GENERAL: "普通号", ClinicType.EXPERT: "专家号"}


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
    Days on which the patient already has a booking in the department (at any hospital)
    are left out.
    Raises BookingError `suspended` for a suspended patient.
    """
    patient = get_patient(session, patient_id) if patient_id is not None else None
    today = local_today(now)
    if patient is not None:
        check_not_suspended(patient, today)
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
        elderly_by_hospital[hospital.id] = rules.is_elderly(patient_age(patient, today))
    all_days = set().union(*days_by_hospital.values()) if days_by_hospital else set()
    if not all_days:
        return []
    if patient is not None:  # one booking per department and day, at any hospital
        taken = set(
            session.scalars(
                select(Appointment.day).where(
                    Appointment.patient_id == patient.id,
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.department_name == department,
                )
            )
        )
        for days in days_by_hospital.values():
            days -= taken
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
        offers.append((key, offer_for_slot(slot, schedule, doctor, dept, hospital, rules)))
    offers.sort(key=lambda pair: pair[0])
    return [offer for _, offer in offers[:limit]]


def offer_for_slot(
    slot: Slot,
    schedule: Schedule,
    doctor: Doctor,
    department: Department,
    hospital: Hospital,
    rules: BookingRules,
) -> Offer:
    """The offer for this slot under the hospital's rules (also used when booking it)."""
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
