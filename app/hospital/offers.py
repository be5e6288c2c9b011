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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital.bookable import takes_new_bookings
from app.hospital.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    SlotStatus,
)
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.patients import check_not_suspended, get_patient, patient_age
from app.hospital.rules import (
    SESSION_WORDS,
    BookingRules,
    DayStatus,
    spoken_clock,
    spoken_day,
    spoken_time,
    spoken_visit_day,
    times_clash,
)

SESSION_ORDER = {ClinicSession.AM: 0, ClinicSession.PM: 1}
CLINIC_ORDER = {ClinicType.GENERAL: 0, ClinicType.EXPERT: 1}
CLINIC_WORDS = {ClinicType.GENERAL: "普通号", ClinicType.EXPERT: "专家号"}


@dataclass(frozen=True)
class Offer:
    """A free slot the caller may take; enough to read it out and to book it."""

    slot_id: int
    hospital_id: int
    hospital: str  # short name, as people say it: 市一院
    hospital_name: str  # full name, said in the offer: 春城第一人民医院
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

    def spoken_short(self, today: date) -> str:
        """明天星期二上午8点，春城第一人民医院，心血管内科李医生: what the phone offer says.

        Day, session and time, the hospital's full name, department and doctor; the fee,
        title and clinic type are in the confirmation SMS only (short offers for callers
        who hear one sentence at a time)."""
        return (
            f"{spoken_visit_day(self.day, today)}{SESSION_WORDS[self.session]}"
            f"{spoken_clock(self.start_time)}，{self.hospital_name}，"
            f"{self.department}{self.doctor_name}"
        )

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
    after: tuple[date, ClinicSession] | None = None,
    moving: int | None = None,
    limit: int = 3,
) -> list[Offer]:
    """The earliest free slots in `department` (canonical name) the patient may book now.

    Each hospital's rules decide the bookable days. Slots kept for older people are only
    offered to elderly patients, and to them first within a session, until the hospital's
    `elderly_release` moment for the session (then they are ordinary slots); an unknown patient
    (or unknown age) counts as elderly. Order: day, session, elderly slots first (for the
    elderly), start time, then 普通号 before 专家号 unless `clinic_type` asks for one.
    Days on which the patient already has a booking in the department (at any hospital)
    are left out.
    `after` (day, session) keeps only offers of a later session: "a later one" is the
    next session with a free slot, the same afternoon or another day.
    `moving` (an appointment of the patient's being moved): that booking neither takes its
    day nor clashes, and its own session is left out (a move goes to another session).
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
        if after is not None:
            days = {d for d in days if d >= after[0]}
        days_by_hospital[hospital.id] = days
        rules_by_hospital[hospital.id] = rules
        elderly_by_hospital[hospital.id] = rules.is_elderly(patient_age(patient, today))
    all_days = set().union(*days_by_hospital.values()) if days_by_hospital else set()
    if not all_days:
        return []
    own_times: list[tuple[date, time]] = []
    moved = session.get(Appointment, moving) if moving is not None else None
    if patient is not None:  # one booking per department and day, at any hospital
        taken = set(
            session.scalars(
                select(Appointment.day).where(
                    Appointment.patient_id == patient.id,
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.department_name == department,
                    Appointment.id != (moving or 0),
                )
            )
        )
        for days in days_by_hospital.values():
            days -= taken
        # Slots within the hour of another booking of the patient (any department) clash.
        own_times = [
            (row[0], row[1])
            for row in session.execute(
                select(Appointment.day, Slot.start_time)
                .join(Slot, Slot.id == Appointment.slot_id)
                .where(
                    Appointment.patient_id == patient.id,
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.id != (moving or 0),
                )
            )
        ]
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
            takes_new_bookings(),  # running, and the doctor not 停用
            Slot.status == SlotStatus.FREE,
            Slot.reserved_for_onsite.is_(False),  # the on-site share is booked at the desk
            Slot.reserved_for_family_doctor.is_(False),  # booked by family doctors only
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
        rules = rules_by_hospital[hospital.id]
        # The unused elderly share is everyone's after the hospital's release moment.
        released = rules.elderly_released(schedule.day, schedule.session, now)
        kept = slot.reserved_for_elderly and not released
        if kept and not elderly:
            continue
        if any(d == schedule.day and times_clash(t, slot.start_time) for d, t in own_times):
            continue
        if moved is not None and (schedule.day, schedule.session) == (moved.day, moved.session):
            continue
        if after is not None and (schedule.day, SESSION_ORDER[schedule.session]) <= (
            after[0],
            SESSION_ORDER[after[1]],
        ):
            continue
        key = (
            schedule.day,
            SESSION_ORDER[schedule.session],
            not (elderly and kept),
            slot.start_time,
            CLINIC_ORDER[doctor.clinic_type],
            hospital.id,
            slot.id,
        )
        offers.append(
            (key, offer_for_slot(slot, schedule, doctor, dept, hospital, rules, released=released))
        )
    offers.sort(key=lambda pair: pair[0])
    return [offer for _, offer in offers[:limit]]


def offer_for_slot(
    slot: Slot,
    schedule: Schedule,
    doctor: Doctor,
    department: Department,
    hospital: Hospital,
    rules: BookingRules,
    *,
    released: bool = False,
) -> Offer:
    """The offer for this slot under the hospital's rules (also used when booking it).
    `released`: the session's elderly share is released, so the slot is an ordinary one."""
    return Offer(
        slot_id=slot.id,
        hospital_id=hospital.id,
        hospital=hospital.short_name,
        hospital_name=hospital.name,
        department=department.name,
        doctor_name=doctor.name,
        doctor_title=doctor.title,
        clinic_type=doctor.clinic_type,
        fee_yuan=doctor.fee_yuan,
        day=schedule.day,
        session=schedule.session,
        start_time=slot.start_time,
        reserved_for_elderly=slot.reserved_for_elderly and not released,
        cancel_deadline=rules.cancel_deadline(schedule.day),
    )


def days_with_offers(
    session: Session, *, department: str, patient_id: int | None, now: datetime
) -> list[date]:
    """The days, earliest first, with at least one slot the patient may book now."""
    offers = find_offers(
        session, department=department, patient_id=patient_id, now=now, limit=100_000
    )
    return sorted({offer.day for offer in offers})


def why_no_offers(
    session: Session, *, department: str, patient_id: int | None, day: date, now: datetime
) -> str:
    """Why `day` has nothing to offer in `department`, as a code for the phone flow:
    `past` (today or earlier), `already_booked` (the patient has that department that
    day), `full` (bookable, but every slot is taken), `not_yet` (not released yet),
    `closed` (no clinics: Sunday or holiday) or `phone_closed` (phone booking for the day
    has closed, e.g. tomorrow after the cut-off)."""
    today = local_today(now)
    if day <= today:
        return "past"
    if patient_id is not None and session.scalar(
        select(Appointment.id).where(
            Appointment.patient_id == patient_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.department_name == department,
            Appointment.day == day,
        )
    ):
        return "already_booked"
    hospitals = session.scalars(
        select(Hospital).join(Department).where(Department.name == department)
    ).all()
    statuses = {BookingRules.from_json(h.rules).day_status(day, now) for h in hospitals}
    for status, code in (
        (DayStatus.OPEN, "full"),
        (DayStatus.NOT_YET, "not_yet"),
        (DayStatus.TOO_LATE, "phone_closed"),
        (DayStatus.CLOSED, "closed"),
    ):
        if status in statuses:
            return code
    return "full"


def has_clinic(
    session: Session, *, department: str, day: date, clinic_session: ClinicSession
) -> bool:
    """Whether any hospital holds a `department` clinic in that session of `day` (a
    Saturday often has a morning clinic only: "下午" then has no clinic, it is not full)."""
    return (
        session.scalar(
            select(Schedule.id)
            .join(Doctor, Schedule.doctor_id == Doctor.id)
            .join(Department, Doctor.department_id == Department.id)
            .where(
                Department.name == department,
                Schedule.day == day,
                Schedule.session == clinic_session,
                takes_new_bookings(),
            )
            .limit(1)
        )
        is not None
    )


def release_moment(session: Session, *, department: str, day: date) -> datetime | None:
    """The earliest moment (local time) any hospital with `department` releases `day`."""
    hospitals = session.scalars(
        select(Hospital).join(Department).where(Department.name == department)
    ).all()
    moments = [BookingRules.from_json(h.rules).release_moment(day) for h in hospitals]
    return min(moments) if moments else None


def department_names(session: Session) -> list[str]:
    """Every department any hospital of the hotline has (canonical names), in a stable order."""
    return list(
        session.scalars(
            select(Department.name).group_by(Department.name).order_by(func.min(Department.id))
        )
    )


# A department none of the hotline's hospitals has: the departments that can see such a
# patient first (and refer them on), nearest first. Every one is followed by the general
# departments (GENERAL_DEPARTMENTS), which see an older patient for any complaint; only
# departments some hospital has are offered, at most NEAREST_COUNT (product decision,
# docs/hospital_calls.md).
NEAREST_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "肾内科": ("内分泌科",),
    "泌尿外科": ("肾内科",),
    "风湿免疫科": ("骨科",),
    "康复科": ("骨科", "神经内科"),
    "疼痛科": ("骨科", "神经内科"),
    "普外科": ("消化内科",),
    "肛肠科": ("消化内科",),
    "血液科": ("内分泌科",),
    "心理科": ("神经内科",),
    "精神科": ("神经内科",),
}
GENERAL_DEPARTMENTS = ("老年医学科", "普通内科", "全科")
NEAREST_COUNT = 2


def nearest_departments(session: Session, department: str) -> list[str]:
    """What to offer instead of `department`, which no hospital of the hotline has: its
    nearest departments, then the general ones, that some hospital has (at most two)."""
    offered = set(department_names(session))
    nearest = [*NEAREST_DEPARTMENTS.get(department, ()), *GENERAL_DEPARTMENTS]
    found: list[str] = []
    for name in nearest:
        if name in offered and name != department and name not in found:
            found.append(name)
    return found[:NEAREST_COUNT]
