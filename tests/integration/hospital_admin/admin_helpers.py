"""Helpers for the hospital administration tests: a hospital set up through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import administration, schedules
from app.hospital.enums import ClinicSession
from app.hospital.models import Department, Doctor, Schedule, Slot
from app.people.models import PersonPhone

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
TOMORROW = date(2026, 12, 1)  # Tuesday: bookable by phone at NOW
DERMA = "皮肤科"  # not in the demo hospitals: offers come only from the admin's hospital
ZHANG = "+8613800000001"
WANG = "+8613800000002"


def set_up_clinic(
    db: Database, hospital_id: int, *, weekday: int = 1, capacity: int = 6
) -> tuple[int, int]:
    """皮肤科 with one doctor and a weekly template; returns (doctor id, template id)."""
    with db.session() as session:
        department = administration.add_department(
            session,
            hospital_id=hospital_id,
            name=DERMA,
            display_name="皮肤病门诊",
            actor_id=None,
            now=NOW,
        )
        doctor = administration.add_doctor(
            session,
            hospital_id=hospital_id,
            department_id=department.id,
            name="和医生",
            title="主任医师",
            clinic_type="expert",
            fee_yuan=25,
            actor_id=None,
            now=NOW,
        )
        template = schedules.add_template(
            session,
            hospital_id=hospital_id,
            doctor_id=doctor.id,
            weekday=weekday,
            clinic_session=ClinicSession.AM,
            capacity=capacity,
            actor_id=None,
            now=NOW,
        )
        return doctor.id, template.id


def person_id(db: Database, number: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()


def doctor_schedules(db: Database, doctor_id: int) -> list[tuple[date, str, int]]:
    """(day, status, slot count) of the doctor's sessions."""
    with db.session() as session:
        rows = session.execute(
            select(Schedule.day, Schedule.status, func.count(Slot.id))
            .outerjoin(Slot, Slot.schedule_id == Schedule.id)
            .where(Schedule.doctor_id == doctor_id)
            .group_by(Schedule.id, Schedule.day, Schedule.status)
            .order_by(Schedule.day)
        ).all()
        return [(day, str(status), count) for day, status, count in rows]


def hospital_of_department(db: Database, name: str, hospital_id: int) -> int:
    with db.session() as session:
        return session.scalars(
            select(Department.id).where(
                Department.name == name, Department.hospital_id == hospital_id
            )
        ).one()


def a_doctor_of(db: Database, hospital_id: int) -> int:
    with db.session() as session:
        return (
            session.scalars(
                select(Doctor.id)
                .join(Department, Department.id == Doctor.department_id)
                .where(Department.hospital_id == hospital_id)
                .order_by(Doctor.id)
            ).first()
            or 0
        )
