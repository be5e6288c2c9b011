"""A patient's live bookings from today on, for the phone flow to read out and cancel.

`upcoming` lists them earliest first as `UpcomingAppointment`s, each saying whether it can
still be cancelled by phone under the hospital's rules and until when. It only reads;
cancelling is `app.hospital.appointments.cancel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital.enums import AppointmentStatus, ClinicSession, ClinicType
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.offers import SESSION_ORDER
from app.hospital.rules import BookingRules, spoken_day, spoken_time


@dataclass(frozen=True)
class UpcomingAppointment:
    """A live booking, for the phone flow to read out and offer to cancel."""

    appointment_id: int
    hospital_id: int
    hospital: str  # short name (市一院)
    hospital_name: str  # full name, said on the phone (春城第一人民医院)
    department: str
    doctor_name: str
    clinic_type: ClinicType
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


def live_rows(
    session: Session, *, patient_id: int, today: date
) -> list[tuple[Appointment, Slot, Doctor, Department, Hospital]]:
    """The patient's live bookings from ``today`` on with their slot, doctor, department and
    hospital, earliest first (the phone flow's `upcoming` and the operators' panel read these)."""
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
    return sorted(
        rows, key=lambda r: (r[0].day, SESSION_ORDER[r[0].session], r[1].start_time, r[0].id)
    )


def upcoming(session: Session, *, patient_id: int, now: datetime) -> list[UpcomingAppointment]:
    """The patient's live bookings from today on, earliest first."""
    rows = live_rows(session, patient_id=patient_id, today=local_today(now))
    result = []
    for appointment, slot, doctor, department, hospital in rows:
        rules = BookingRules.from_json(hospital.rules)
        result.append(
            UpcomingAppointment(
                appointment_id=appointment.id,
                hospital_id=hospital.id,
                hospital=hospital.short_name,
                hospital_name=hospital.name,
                department=department.name,
                doctor_name=doctor.name,
                clinic_type=doctor.clinic_type,
                day=appointment.day,
                session=appointment.session,
                start_time=slot.start_time,
                cancel_deadline=rules.cancel_deadline(appointment.day),
                can_cancel=rules.can_cancel(appointment.day, now),
            )
        )
    return result
