"""Which sessions take new bookings: the one rule every booking channel applies.

A session takes new bookings when it is running (not 停诊) and its doctor is not 停用
(`Doctor.active`). Phone callers (`offers.find_offers`, `offers.has_clinic`), the desk's
walk-ins (`walk_in`), family doctors (`family_doctors`) and dispatch operators (through
`offers.find_offers`) choose sessions with `takes_new_bookings()`, and every booking is
checked again with `session_takes_new_bookings` (`walk_in.book_walk_in`) or, on the
values read, `takes_new_bookings_now` (`appointments.book`). Bookings already made in a
停用 doctor's session stay; the admin page lists those sessions to handle
(`schedules.conflicts`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from app.hospital.enums import ScheduleStatus
from app.hospital.models import Doctor, Schedule


def takes_new_bookings() -> ColumnElement[bool]:
    """The SQL condition, for a query that joins `Schedule` and its `Doctor`."""
    return and_(Schedule.status == ScheduleStatus.ACTIVE, Doctor.active.is_(True))


def session_takes_new_bookings(schedule: Schedule, doctor: Doctor) -> bool:
    """The same rule for a loaded session and its doctor."""
    return takes_new_bookings_now(schedule.status, doctor.active)


def takes_new_bookings_now(schedule_status: ScheduleStatus, doctor_active: bool) -> bool:
    """The same rule for the session's status and its doctor's `active`, as read."""
    return schedule_status == ScheduleStatus.ACTIVE and bool(doctor_active)
