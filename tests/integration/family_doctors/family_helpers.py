"""Helpers for the family-doctor tests: the demo set (from Monday 2026-11-30), whose first
hospital keeps one family-doctor slot per session and whose family doctor `familydoc1` has
张秀英, 李桂芳 and 杨树林 signed with them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from app.core.db import Database
from app.hospital.enums import ClinicSession
from app.hospital.models import Department, Doctor, Hospital, Schedule
from app.hospital.rules import LOCAL_TZ
from app.people.models import PersonPhone
from app.staff.models import StaffUser

TODAY = date(2026, 11, 30)  # Monday
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)
CARDIO = "心血管内科"
ZHANG = "+8613800000001"  # 张秀英: signed; mobile + landline; contacts 李梅, 李强
ZHANG_LANDLINE = "+868715550101"
DAUGHTER = "+8613900000001"
SON = "+8613900000002"
WANG = "+8613800000002"  # 王建国: not signed
LI = "+8613800000003"  # 李桂芳: signed


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


NOW = at(TODAY, 10)


def person_id(db: Database, number: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()


def staff_id(db: Database, username: str) -> int:
    with db.session() as session:
        return session.scalars(select(StaffUser.id).where(StaffUser.username == username)).one()


def hospital_ids(db: Database) -> tuple[int, int]:
    """(the family doctor's hospital, the other demo hospital)."""
    with db.session() as session:
        ids = list(session.scalars(select(Hospital.id).order_by(Hospital.id)))
        return ids[0], ids[1]


def schedule_id(
    db: Database,
    hospital_id: int,
    day: date,
    clinic_session: ClinicSession = ClinicSession.AM,
    department: str = CARDIO,
    nth: int = 0,
) -> int:
    """The nth doctor's session of a department of a hospital on a day."""
    with db.session() as session:
        return list(
            session.scalars(
                select(Schedule.id)
                .join(Doctor, Doctor.id == Schedule.doctor_id)
                .join(Department, Department.id == Doctor.department_id)
                .where(
                    Department.hospital_id == hospital_id,
                    Department.name == department,
                    Schedule.day == day,
                    Schedule.session == clinic_session,
                )
                .order_by(Doctor.id)
            )
        )[nth]
