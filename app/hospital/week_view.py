"""The hospital's week as it exists: every session of today and the booking window, whoever
made it (weekly templates, extra sessions, a HIS or CSV import, loaded data), grouped by
doctor and weekday. Read-only; the admin page shows it above the weekly templates, so a
hospital whose sessions came from its HIS, a CSV file or the initial data sees its
schedule too (the templates only list what the admin typed in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital.enums import ClinicSession, ScheduleStatus
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import SESSION_WORDS, WEEKDAYS, BookingRules

# Where a session came from (`Schedule.source`), as the admin page says it.
SOURCE_LABELS: dict[str | None, str] = {
    "template": "每周排班",
    "extra": "加诊",
    "his": "HIS/CSV导入",
    None: "初始数据",
    "withdrawn": "排班已撤下",
}


@dataclass
class WeekCell:
    """One doctor's sessions on one weekday and session (上午/下午) within the window."""

    session: ClinicSession
    days: list[date] = field(default_factory=list)  # running sessions
    slots: int = 0  # slots of the running sessions together
    stopped: int = 0
    sources: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return SESSION_WORDS[self.session.value]

    @property
    def days_label(self) -> str:
        return "、".join(f"{d.month}/{d.day}" for d in self.days)

    @property
    def sources_label(self) -> str:
        return "、".join(sorted(self.sources))


@dataclass
class WeekRow:
    doctor_id: int
    doctor: str
    title: str
    department: str
    active: bool
    cells: dict[int, list[WeekCell]] = field(default_factory=dict)  # by weekday, 上午 first


@dataclass(frozen=True)
class Week:
    first: date
    last: date
    rows: list[WeekRow]
    weekdays: list[tuple[int, str]]


def week(session: Session, *, hospital_id: int, now: datetime) -> Week:
    """Today .. today + booking window of the hospital, by doctor (department order) and
    weekday; stopped sessions are counted, not listed by day."""
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    first = local_today(now)
    last = first + timedelta(days=rules.booking_window_days)
    rows = session.execute(
        select(Schedule, Doctor, Department, func.count(Slot.id))
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .outerjoin(Slot, Slot.schedule_id == Schedule.id)
        .where(Department.hospital_id == hospital_id, Schedule.day >= first,
               Schedule.day <= last)
        .group_by(Schedule.id, Doctor.id, Department.id)
        .order_by(Department.id, Doctor.name, Doctor.id, Schedule.day, Schedule.session)
    ).all()
    by_doctor: dict[int, WeekRow] = {}
    cells: dict[tuple[int, int, ClinicSession], WeekCell] = {}
    for schedule, doctor, department, slots in rows:
        row = by_doctor.get(doctor.id)
        if row is None:
            row = by_doctor[doctor.id] = WeekRow(
                doctor.id, doctor.name, doctor.title,
                department.display_name or department.name, bool(doctor.active),
            )
        weekday = schedule.day.weekday()
        key = (doctor.id, weekday, schedule.session)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = WeekCell(schedule.session)
            row.cells.setdefault(weekday, []).append(cell)
        if schedule.status == ScheduleStatus.STOPPED:
            cell.stopped += 1
            continue
        cell.days.append(schedule.day)
        cell.slots += int(slots)
        cell.sources.add(SOURCE_LABELS.get(schedule.source, schedule.source or ""))
    order = {ClinicSession.AM: 0, ClinicSession.PM: 1}
    for row in by_doctor.values():
        for day_cells in row.cells.values():
            day_cells.sort(key=lambda c: order[c.session])
    return Week(first, last, list(by_doctor.values()),
                [(n, f"星期{WEEKDAYS[n]}") for n in range(7)])
