"""Family doctors (家庭签约医生, measure 17): signed patients and bookings from their share.

A family doctor is a staff user (role `family_doctor`) bound to one hospital (a community
health centre is modelled as a hospital). People sign with one family doctor at a time
(`FamilyDoctorPatient`, from `started_on`; ending a link keeps the row). The hospital's
admin records and ends the links (`sign`, `end`): signing is a contract between the
resident and the doctor's institution, which is the one that knows its doctors; community
staff register people but do not sign them to another institution's doctor.

Each generated session keeps `family_doctor_share_percent` of its slots for family doctors
(`Slot.reserved_for_family_doctor`, after the elderly and the on-site share): nobody else
books them, and a family doctor books only from them, for their own signed patients, at
their own hospital, through `appointments.book` (the phone's rules: window, release time,
real-name ID, suspension, one booking per department and day). `move` rebooks a booking
the family doctor made into another session in one savepoint (cancel, then book; any
refusal leaves the old booking as it was) and sends one message; `cancel_for` cancels
before the hospital's cancel deadline. The patient and their family contacts are told
(`appointments.notify_family`: SMS, or a call to a patient with only a landline).

Keyword-only, one unit of work on a passed `Session` (the caller commits). Refusals are
`FamilyDoctorError` with a Chinese `.message`; `.not_found` marks ids that are not this
doctor's or this hospital's (404 in the console). ID numbers and phones are never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.core.local_time import local_now, local_today
from app.hospital import appointments, audit, moves
from app.hospital.bookable import session_takes_new_bookings, takes_new_bookings
from app.hospital.day_list import mask_id_number
from app.hospital.desk import SESSION_LABELS, STATUS_LABELS, STOP_REASON_PREFIX
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus, SlotStatus
from app.hospital.errors import BookingError
from app.hospital.models import (
    Appointment,
    Department,
    Doctor,
    FamilyDoctorPatient,
    Hospital,
    Schedule,
    Slot,
)
from app.hospital.rules import BookingRules, spoken_day, spoken_time
from app.people.age import age_on
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.phones import mask_number
from app.people.resident_id import InvalidResidentId, parse_resident_id
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

log = logging.getLogger(__name__)

NOT_SIGNED = "这位老人没有和您签约，不能替他预约。"
SESSION_NOT_OURS = "这个出诊不属于本院，请从列表里选择。"
BOOKING_NOT_OURS = "找不到这个预约，或它不是您为签约老人代约的。"
POOL_FULL = "这个出诊的家庭医生预留号已经约满了，请选别的出诊。"
CANCEL_REASON = "家庭医生取消"
MOVE_REASON = "家庭医生改约"
CLINIC_LABELS = {"general": "普通号", "expert": "专家号"}


class FamilyDoctorError(Exception):
    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found


@dataclass(frozen=True)
class FamilyBooking:
    appointment_id: int
    day: date
    session: ClinicSession
    start_time: time
    department: str
    department_name: str  # canonical (心血管内科): the sessions to move to
    doctor: str
    status: AppointmentStatus
    by_family_doctor: bool  # made from the family-doctor share: this doctor may change it
    cancel_deadline: datetime
    # Cancelled by the hospital (停诊): shown as 已停诊 with the day and the reason.
    stopped_at: datetime | None = None
    stop_reason: str = ""

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    @property
    def stopped_label(self) -> str:
        """医院 11月30日 停诊：医生生病 (the day the hospital stopped the session)."""
        if self.stopped_at is None:
            return ""
        day = local_now(self.stopped_at)
        reason = f"：{self.stop_reason}" if self.stop_reason else ""
        return f"医院于{day.month}月{day.day}日停诊{reason}"

    @property
    def when(self) -> str:
        return f"{spoken_day(self.day, self.session)} {self.start_time:%H:%M}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, str(self.status))

    @property
    def deadline_label(self) -> str:
        d = self.cancel_deadline
        return f"{d.month}月{d.day}日{spoken_time(d.time())}"


@dataclass(frozen=True)
class SignedPatient:
    link_id: int
    person_id: int
    name: str
    age: int | None
    id_masked: str
    phone_masked: str
    started_on: date
    bookings: list[FamilyBooking] = field(default_factory=list)


@dataclass(frozen=True)
class FamilySession:
    """A session of the doctor's hospital with family-doctor slots left."""

    schedule_id: int
    day: date
    session: ClinicSession
    department: str
    department_name: str
    doctor: str
    doctor_title: str
    clinic: str
    fee_yuan: int
    left: int
    total: int

    @property
    def label(self) -> str:
        return (
            f"{spoken_day(self.day, self.session)} · {self.department} · {self.doctor}"
            f"（{self.doctor_title}，{self.clinic}{self.fee_yuan}元）"
        )

    @property
    def session_label(self) -> str:
        return SESSION_LABELS[self.session]


@dataclass(frozen=True)
class HospitalLink:
    """A signing as the hospital admin sees it (masked numbers)."""

    link_id: int
    doctor_id: int
    doctor_name: str
    patient_name: str
    id_masked: str
    started_on: date
    ended_on: date | None


# --- the hospital admin: who is signed with whom ---------------------------------------


def family_doctors(session: Session, *, hospital_id: int) -> list[StaffUser]:
    """The hospital's active family doctors."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.role == StaffRole.FAMILY_DOCTOR,
                StaffUser.hospital_id == hospital_id,
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.display_name, StaffUser.id)
        )
    )


def hospital_links(session: Session, *, hospital_id: int) -> list[HospitalLink]:
    """Every signing of the hospital's family doctors, current ones first."""
    rows = session.execute(
        select(FamilyDoctorPatient, StaffUser, Person)
        .join(StaffUser, StaffUser.id == FamilyDoctorPatient.doctor_id)
        .join(Person, Person.id == FamilyDoctorPatient.person_id)
        .where(FamilyDoctorPatient.hospital_id == hospital_id)
        .order_by(
            FamilyDoctorPatient.ended_on.is_not(None),
            StaffUser.display_name,
            Person.full_name,
            FamilyDoctorPatient.id,
        )
    ).all()
    return [
        HospitalLink(
            link_id=link.id,
            doctor_id=doctor.id,
            doctor_name=doctor.display_name,
            patient_name=person.full_name,
            id_masked=mask_id_number(person.id_number),
            started_on=link.started_on,
            ended_on=link.ended_on,
        )
        for link, doctor, person in rows
    ]


def sign(
    session: Session,
    *,
    hospital_id: int,
    doctor_id: int,
    id_number: str,
    started_on: date,
    actor_id: int | None,
    now: datetime,
) -> FamilyDoctorPatient:
    """Sign the person holding this ID number with the hospital's family doctor."""
    doctor = session.get(StaffUser, doctor_id)
    if (
        doctor is None
        or doctor.role is not StaffRole.FAMILY_DOCTOR
        or doctor.hospital_id != hospital_id
        or not doctor.active
    ):
        raise FamilyDoctorError("这位家庭医生不属于本院。", not_found=True)
    today = local_today(now)
    try:
        resident = parse_resident_id(id_number, today=today)
    except InvalidResidentId as exc:
        raise FamilyDoctorError(f"身份证号不对：{exc}。") from None
    person = session.scalar(
        select(Person).where(Person.id_number == resident.number, Person.active.is_(True))
    )
    if person is None:
        raise FamilyDoctorError("热线还没有登记这位老人，请先到社区登记（带身份证）。")
    if started_on > today:
        raise FamilyDoctorError("签约日期不能晚于今天。")
    current = session.scalar(
        select(FamilyDoctorPatient).where(
            FamilyDoctorPatient.person_id == person.id, FamilyDoctorPatient.ended_on.is_(None)
        )
    )
    if current is not None:
        if current.doctor_id == doctor.id:
            raise FamilyDoctorError(f"{person.full_name}已经和{doctor.display_name}签约了。")
        raise FamilyDoctorError(
            f"{person.full_name}已经和另一位家庭医生签约，一个人只能签一位家庭医生；"
            "请先解约原来的签约。"
        )
    link = FamilyDoctorPatient(
        doctor_id=doctor.id,
        person_id=person.id,
        hospital_id=hospital_id,
        started_on=started_on,
        signed_by_id=actor_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError:
        raise FamilyDoctorError("这位老人刚刚被签约了，请刷新页面。") from None
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="family_doctor_sign",
        target=f"family_doctor_patient:{link.id}",
        doctor_id=doctor.id,
        started_on=started_on.isoformat(),
    )
    return link


def end(
    session: Session, *, hospital_id: int, link_id: int, actor_id: int | None, now: datetime
) -> FamilyDoctorPatient:
    """End a current signing today (the row stays); bookings already made stay too."""
    link = session.get(FamilyDoctorPatient, link_id)
    if link is None or link.hospital_id != hospital_id:
        raise FamilyDoctorError("找不到这条签约，可能不属于本院。", not_found=True)
    if link.ended_on is None:
        link.ended_on = local_today(now)
        audit.record(
            session,
            hospital_id=hospital_id,
            actor_id=actor_id,
            now=now,
            action="family_doctor_end",
            target=f"family_doctor_patient:{link.id}",
            doctor_id=link.doctor_id,
        )
        session.flush()
    return link


# --- the family doctor: own signed patients ---------------------------------------------


def _hospital_of(doctor: StaffUser) -> int:
    if doctor.role is not StaffRole.FAMILY_DOCTOR or doctor.hospital_id is None:
        raise FamilyDoctorError("您的账号不是家庭医生。", not_found=True)
    return doctor.hospital_id


def _current_link(session: Session, doctor: StaffUser, person_id: int) -> FamilyDoctorPatient:
    hospital_id = _hospital_of(doctor)
    link = session.scalar(
        select(FamilyDoctorPatient).where(
            FamilyDoctorPatient.person_id == person_id,
            FamilyDoctorPatient.doctor_id == doctor.id,
            FamilyDoctorPatient.hospital_id == hospital_id,
            FamilyDoctorPatient.ended_on.is_(None),
        )
    )
    if link is None:
        raise FamilyDoctorError(NOT_SIGNED, not_found=True)
    return link


def _bookings(
    session: Session, person_ids: list[int], hospital_id: int, today: date
) -> dict[int, list[FamilyBooking]]:
    if not person_ids:
        return {}
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    rows = session.execute(
        select(Appointment, Slot, Doctor, Department)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(
            Appointment.patient_id.in_(person_ids),
            Department.hospital_id == hospital_id,
            Appointment.day >= today,
            or_(
                Appointment.status == AppointmentStatus.BOOKED,
                and_(  # cancelled by a 停诊: it must not vanish from the doctor's list
                    Appointment.status == AppointmentStatus.CANCELLED,
                    Appointment.cancel_reason.startswith(STOP_REASON_PREFIX, autoescape=True),
                ),
            ),
        )
        .order_by(Appointment.day, Appointment.session, Slot.start_time, Appointment.id)
    ).all()
    result: dict[int, list[FamilyBooking]] = {}
    for appointment, slot, doctor, department in rows:
        result.setdefault(appointment.patient_id, []).append(
            FamilyBooking(
                appointment_id=appointment.id,
                day=appointment.day,
                session=appointment.session,
                start_time=slot.start_time,
                department=department.display_name or department.name,
                department_name=department.name,
                doctor=doctor.name,
                status=appointment.status,
                by_family_doctor=slot.reserved_for_family_doctor,
                cancel_deadline=rules.cancel_deadline(appointment.day),
                **_stop_fields(appointment),
            )
        )
    return result


def _stop_fields(appointment: Appointment) -> dict[str, Any]:
    if appointment.status != AppointmentStatus.CANCELLED:
        return {}
    reason = (appointment.cancel_reason or "").removeprefix(STOP_REASON_PREFIX)
    return {"stopped_at": appointment.cancelled_at or appointment.updated_at,
            "stop_reason": reason}


def signed_patients(session: Session, *, doctor: StaffUser, now: datetime) -> list[SignedPatient]:
    """The doctor's current signed patients, with their live bookings at the hospital and
    the coming ones a 停诊 cancelled (shown as 已停诊, with the day of the stop)."""
    hospital_id = _hospital_of(doctor)
    today = local_today(now)
    rows = session.execute(
        select(FamilyDoctorPatient, Person)
        .join(Person, Person.id == FamilyDoctorPatient.person_id)
        .where(
            FamilyDoctorPatient.doctor_id == doctor.id,
            FamilyDoctorPatient.hospital_id == hospital_id,
            FamilyDoctorPatient.ended_on.is_(None),
        )
        .order_by(Person.full_name, Person.id)
    ).all()
    ids = [person.id for _, person in rows]
    phones: dict[int, str] = {}
    for person_id, number in session.execute(
        select(PersonPhone.person_id, PersonPhone.number)
        .where(PersonPhone.person_id.in_(ids))
        .order_by(PersonPhone.id.desc())
    ):
        phones[person_id] = number  # the first one wins (ordered last to first)
    bookings = _bookings(session, ids, hospital_id, today)
    return [
        SignedPatient(
            link_id=link.id,
            person_id=person.id,
            name=person.full_name,
            age=age_on(person.birth_date, today),
            id_masked=mask_id_number(person.id_number),
            phone_masked=mask_number(phones[person.id]) if person.id in phones else "无号码",
            started_on=link.started_on,
            bookings=bookings.get(person.id, []),
        )
        for link, person in rows
    ]


def signed_patient(
    session: Session, *, doctor: StaffUser, person_id: int, now: datetime
) -> SignedPatient:
    """One of the doctor's signed patients (404-style error for anyone else)."""
    _current_link(session, doctor, person_id)
    for patient in signed_patients(session, doctor=doctor, now=now):
        if patient.person_id == person_id:
            return patient
    raise FamilyDoctorError(NOT_SIGNED, not_found=True)  # pragma: no cover - linked above


def open_sessions(
    session: Session, *, doctor: StaffUser, now: datetime, department: str | None = None
) -> list[FamilySession]:
    """Sessions of the doctor's hospital on days bookable now, with family slots left."""
    hospital_id = _hospital_of(doctor)
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    days = rules.bookable_days(now)
    if not days:
        return []
    free = func.sum(case((Slot.status == SlotStatus.FREE, 1), else_=0))
    query = (
        select(Schedule, Doctor, Department, func.count(Slot.id), free)
        .join(Slot, Slot.schedule_id == Schedule.id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(
            Department.hospital_id == hospital_id,
            Schedule.day.in_(days),
            takes_new_bookings(),  # running, and the doctor not 停用
            Slot.reserved_for_family_doctor.is_(True),
        )
        .group_by(Schedule.id, Doctor.id, Department.id)
        .order_by(Schedule.day, Schedule.session, Department.id, Doctor.id)
    )
    if department:
        query = query.where(Department.name == department)
    return [
        FamilySession(
            schedule_id=schedule.id,
            day=schedule.day,
            session=schedule.session,
            department=dept.display_name or dept.name,
            department_name=dept.name,
            doctor=doc.name,
            doctor_title=doc.title,
            clinic=CLINIC_LABELS.get(str(doc.clinic_type), str(doc.clinic_type)),
            fee_yuan=doc.fee_yuan,
            left=int(left or 0),
            total=int(total),
        )
        for schedule, doc, dept, total, left in session.execute(query).all()
        if int(left or 0) > 0
    ]


def _family_slot(session: Session, hospital_id: int, schedule_id: int) -> Slot:
    """The first free family-doctor slot of a session of this hospital."""
    row = session.execute(
        select(Schedule, Doctor)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(Schedule.id == schedule_id, Department.hospital_id == hospital_id)
    ).first()
    if row is None:
        raise FamilyDoctorError(SESSION_NOT_OURS, not_found=True)
    schedule, doctor = row
    if schedule.status != ScheduleStatus.ACTIVE:
        raise FamilyDoctorError("这个出诊已经停诊，请选别的出诊。")
    if not session_takes_new_bookings(schedule, doctor):
        raise FamilyDoctorError(f"{doctor.name}已停用，这个出诊不再约新号，请选别的出诊。")
    slot = session.scalar(
        select(Slot)
        .where(
            Slot.schedule_id == schedule.id,
            Slot.reserved_for_family_doctor.is_(True),
            Slot.status == SlotStatus.FREE,
        )
        .order_by(Slot.start_time, Slot.id)
        .limit(1)
    )
    if slot is None:
        raise FamilyDoctorError(POOL_FULL)
    return slot


def _refusal(exc: BookingError) -> FamilyDoctorError:
    """The booking rules' refusal, worded for the console where the phone's words do not fit."""
    if exc.code == "cancel_too_late":
        return FamilyDoctorError("已经过了取消截止时间，不能再取消或改约；请让老人直接联系医院。")
    if exc.code == "slot_taken":
        return FamilyDoctorError("这个号刚刚被别人约走了，请再点一次。")
    return FamilyDoctorError(exc.message)


def book_for(
    session: Session, *, doctor: StaffUser, person_id: int, schedule_id: int, now: datetime
) -> Appointment:
    """Book a signed patient into a session of the doctor's hospital, from its family share."""
    hospital_id = _hospital_of(doctor)
    _current_link(session, doctor, person_id)
    slot = _family_slot(session, hospital_id, schedule_id)
    try:
        appointment = appointments.book(
            session,
            slot_id=slot.id,
            patient_id=person_id,
            now=now,
            booked_by_number=None,
            family_doctor_id=doctor.id,
        )
    except BookingError as exc:
        raise _refusal(exc) from None
    log.info("family doctor %s booked appointment %s", doctor.id, appointment.id)
    return appointment


def own_booking(
    session: Session, *, doctor: StaffUser, appointment_id: int, now: datetime
) -> tuple[SignedPatient, FamilyBooking]:
    """A live booking this doctor may change: from the family share, of a signed patient."""
    hospital_id = _hospital_of(doctor)
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.booked_by_staff_id is None:
        raise FamilyDoctorError(BOOKING_NOT_OURS, not_found=True)
    try:
        patient = signed_patient(session, doctor=doctor, person_id=appointment.patient_id, now=now)
    except FamilyDoctorError:
        raise FamilyDoctorError(BOOKING_NOT_OURS, not_found=True) from None
    for booking in patient.bookings:
        if booking.appointment_id == appointment.id and booking.by_family_doctor:
            return patient, booking
    department_hospital = session.scalar(
        select(Department.hospital_id).where(Department.id == appointment.department_id)
    )
    if department_hospital != hospital_id:
        raise FamilyDoctorError(BOOKING_NOT_OURS, not_found=True)
    raise FamilyDoctorError(
        f"这个预约现在不能改了（{STATUS_LABELS.get(appointment.status, appointment.status)}）。"
    )


def _check_deadline(booking: FamilyBooking, now: datetime) -> None:
    if local_now(now) > booking.cancel_deadline:
        raise FamilyDoctorError(
            f"已经过了取消截止时间（{booking.deadline_label}），不能再取消或改约；"
            "请让老人直接联系医院。"
        )


def cancel_for(
    session: Session, *, doctor: StaffUser, appointment_id: int, now: datetime
) -> Appointment:
    """Cancel a booking this doctor made, before the hospital's cancel deadline."""
    _, booking = own_booking(session, doctor=doctor, appointment_id=appointment_id, now=now)
    _check_deadline(booking, now)
    try:
        appointment = appointments.cancel(
            session, appointment_id=appointment_id, now=now, reason=CANCEL_REASON,
            notify=False,
        )
    except BookingError as exc:
        raise _refusal(exc) from None
    # The car to the appointment follows the rule of `hospital_trips.car_fate`: a car booked
    # for it is cancelled, a ride booked before and only joined is kept. One message says
    # both, to the patient and the family, and to whoever booked the car.
    from app.taxi import hospital_trips

    car = hospital_trips.after_cancel(
        session, appointment_id=appointment.id, by=hospital_trips.Canceller.FAMILY_DOCTOR
    )
    body = appointments.cancelled_message(session, appointment)
    if car is not None:
        body += car.sentence(now)
    patient = session.get(Person, appointment.patient_id)
    assert patient is not None
    key = f"appointment:{appointment.id}:cancelled"
    appointments.notify_family(session, patient, body, key)
    if car is not None:
        hospital_trips.tell_car_booker(
            session, car, body=body, key=key, told=_told_numbers(session, patient.id)
        )
    log.info("family doctor %s cancelled appointment %s", doctor.id, appointment.id)
    return appointment


def _told_numbers(session: Session, person_id: int) -> set[str]:
    """The numbers `appointments.notify_family` reaches: the patient's phones and the
    family contacts who asked to be told."""
    own = session.scalars(select(PersonPhone.number).where(PersonPhone.person_id == person_id))
    family = session.scalars(
        select(FamilyContact.phone).where(
            FamilyContact.person_id == person_id, FamilyContact.notify.is_(True)
        )
    )
    return {*own, *family}


def move(
    session: Session,
    *,
    doctor: StaffUser,
    appointment_id: int,
    schedule_id: int,
    now: datetime,
    settings: Settings | None = None,
) -> Appointment:
    """Rebook into another session, atomically: the old booking is cancelled and the new
    one made in one savepoint; any refusal leaves the old booking untouched. One message
    (the old time and the new booking) goes to the patient and their family contacts."""
    hospital_id = _hospital_of(doctor)
    _, booking = own_booking(session, doctor=doctor, appointment_id=appointment_id, now=now)
    _check_deadline(booking, now)
    old = session.get(Appointment, appointment_id)
    assert old is not None
    old_slot = session.get(Slot, old.slot_id)
    if old_slot is not None and old_slot.schedule_id == schedule_id:
        raise FamilyDoctorError("新选的出诊和原来的一样，请选另一个出诊。")
    slot = _family_slot(session, hospital_id, schedule_id)
    try:
        old, new = moves.move(
            session,
            appointment_id=old.id,
            slot_id=slot.id,
            now=now,
            reason=MOVE_REASON,
            booked_by_number=None,
            family_doctor_id=doctor.id,
        )
    except BookingError as exc:
        raise _refusal(exc) from None
    # The hospital trip follows and one message says all (app/hospital/moves.py).
    moves.follow_move(session, old=old, new=new, now=now, settings=settings or get_settings())
    log.info("family doctor %s moved appointment %s to %s", doctor.id, old.id, new.id)
    return new
