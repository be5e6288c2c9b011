"""What the admin page of the hospital console shows (app/hospital/console/admin.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital import administration, contacts, schedules, week_view
from app.hospital import audit as hospital_audit
from app.hospital.enums import ClinicSession, ClinicType, ScheduleStatus
from app.hospital.models import Department, Doctor, Hospital, Schedule
from app.hospital.rules import calendar_gap, spoken_day
from app.understanding.department import catalogue

NOTICES: dict[str, str] = {
    "department": "科室已添加。",
    "department_renamed": "科室的本院叫法已保存。",
    "doctor": "医生已添加。",
    "doctor_changed": "医生信息已修改。",
    "doctor_disabled": (
        "医生已停用：不能再给他排班或加诊；明天起还有预约的出诊列在“需要处理的出诊”里，"
        "今天的出诊在工作台照常签到。"
    ),
    "doctor_enabled": "医生已启用，可以排班了。",
    "template": "排班模板已保存，预约周期内的号源已生成。",
    "template_removed": "排班模板已删除；还有预约的出诊列在“需要处理的出诊”里。",
    "change": "临时调整已保存，号源已更新。",
    "change_removed": "临时调整已撤销，号源已更新。",
    "rules": "预约规则已保存。新的预留比例用于以后生成的号源。",
    "calendar": "休息日/工作日已保存，号源已更新。",
    "generated": "号源已生成：已有的不会重复生成。",
    "kept": "已保留这个出诊，预约照常有效。",
    "phones": "医院电话已保存。",
}


@dataclass(frozen=True)
class WindowSummary:
    first: date
    last: date
    sessions: int

    @property
    def label(self) -> str:
        return f"{spoken_day(self.first)} 至 {spoken_day(self.last)}"


def calendar_warning(first: date, last: date) -> str | None:
    """The warning when the holiday data does not cover the booking window."""
    gap = calendar_gap(first, last)
    if gap is None:
        return None
    return (
        f"节假日数据只到 {gap.year - 1} 年底：从 {spoken_day(gap)} 起，系统不知道法定节假日和调休，"
        "只按周六周日休息处理。预约周期已经到了这些日子：国家公布的放假和调休由系统管理员在"
        "“国家节假日”里录入一次（全部医院共用）；等不及的话，也可以先在“休息日和工作日”里"
        "录入本院的休息日和调休上班日（本院的录入优先）。"
    )


def _window(session: Session, hospital: Hospital, now: datetime) -> WindowSummary:
    days = schedules.window_days(schedules.hospital_rules(hospital), now)
    count = session.scalar(
        select(func.count(Schedule.id))
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(
            Department.hospital_id == hospital.id,
            Schedule.day.in_(days),
            Schedule.status == ScheduleStatus.ACTIVE,
        )
    )
    return WindowSummary(days[0], days[-1], count or 0)


def admin_context(session: Session, hospital: Hospital, now: datetime) -> dict[str, Any]:
    rules = schedules.hospital_rules(hospital)
    today = local_today(now)
    window = _window(session, hospital, now)
    own = administration.departments(session, hospital_id=hospital.id)
    taken = {d.name for d in own}
    return {
        "hospital": hospital,
        "today": today,
        "window": window,
        "calendar_warning": calendar_warning(window.first, window.last),
        "departments": own,
        "catalogue": [name for name in catalogue() if name not in taken],
        "doctors": administration.doctors(session, hospital_id=hospital.id),
        "titles": administration.TITLES,
        "clinic_types": [(c.value, administration.CLINIC_LABELS[c]) for c in ClinicType],
        "clinic_labels": administration.CLINIC_LABELS,
        "week": week_view.week(session, hospital_id=hospital.id, now=now),
        "phones_form": (contacts.shown_phones(hospital) + [""] * contacts.MAX_PHONES)[
            : contacts.MAX_PHONES
        ],
        "templates": schedules.templates(session, hospital_id=hospital.id),
        "weekdays": [(n, schedules.weekday_label(n)) for n in range(7)],
        "sessions": [(s.value, schedules.session_label(s)) for s in ClinicSession],
        "session_label": schedules.session_label,
        "weekday_label": schedules.weekday_label,
        "changes": schedules.changes(session, hospital_id=hospital.id, since=today),
        "change_kinds": schedules.CHANGE_KINDS,
        "rules": administration.rules_form(rules, hospital.rules or {}),
        "calendar": administration.calendar_entries(rules, today),
        "calendar_kinds": administration.CALENDAR_KINDS,
        "conflicts": schedules.conflicts(session, hospital_id=hospital.id, now=now),
        "audit": hospital_audit.recent(session, hospital_id=hospital.id),
        "spoken_day": spoken_day,
    }
