"""Helpers for the hospital console tests: bookings made with the ORM, ids by name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.core.db import Database
from app.hospital.enums import ClinicSession, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.people.models import PersonPhone

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
DAY = date(2026, 11, 30)
FIRST = "春城第一人民医院"
SECOND = "滇池老年病医院"
ZHANG = "+8613800000001"  # 张奶奶 (also a landline)
WANG = "+8613800000002"
DAUGHTER = "+8613900000001"


def hospital_id(db: Database, name: str = FIRST) -> int:
    with db.session() as session:
        return session.scalars(select(Hospital.id).where(Hospital.name == name)).one()


def book(
    db: Database,
    caller: str,
    *,
    hospital: str = FIRST,
    department: str = "心血管内科",
    day: date = DAY,
    clinic_session: ClinicSession = ClinicSession.AM,
    booked_by: str | None = None,
    doctor_index: int = 0,
) -> int:
    """A phone booking for the person owning `caller`, in the first free slot."""
    with db.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == caller)
        ).one()
        schedules = session.scalars(
            select(Schedule)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .where(Hospital.name == hospital, Department.name == department,
                   Schedule.day == day, Schedule.session == clinic_session)
            .order_by(Doctor.id)
        ).all()
        schedule = schedules[doctor_index]
        slot = session.scalars(
            select(Slot).where(Slot.schedule_id == schedule.id, Slot.status == SlotStatus.FREE)
            .order_by(Slot.start_time)
        ).first()
        assert slot is not None
        slot.status = SlotStatus.BUSY
        department_id = session.get(Doctor, schedule.doctor_id).department_id  # type: ignore[union-attr]
        appointment = Appointment(
            slot_id=slot.id, patient_id=person_id, department_id=department_id,
            department_name=department, day=day,
            session=clinic_session, booked_by_number=booked_by or caller,
        )
        session.add(appointment)
        session.flush()
        return appointment.id


def schedule_of(db: Database, appointment_id: int) -> int:
    with db.session() as session:
        return session.scalars(
            select(Slot.schedule_id)
            .join(Appointment, Appointment.slot_id == Slot.id)
            .where(Appointment.id == appointment_id)
        ).one()
