"""A hospital's own departments, doctors, booking rules and calendar (the admin section).

Departments come from the canonical catalogue the understanding layer matches callers'
words against (`app.understanding.department.catalogue`), so a caller who says 心内科 finds
the hospital's 心血管内科 whatever the hospital calls it on its own signs
(`Department.display_name`). Weekly templates, one-off changes and the generated sessions
are in `app.hospital.schedules`.

Every change is audited (`app.hospital.audit`) and re-applies the plan
(`schedules.apply_plan`) when it can change sessions. Refusals raise `AdminError` with a
Chinese message. Keyword-only; one unit of work on a passed `Session`; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital import audit, schedules
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.enums import ClinicType
from app.hospital.models import Department, Doctor, Hospital
from app.hospital.rules import BookingRules, spoken_day
from app.understanding.department import catalogue

TITLES = ("主任医师", "副主任医师", "主治医师", "住院医师")
CLINIC_LABELS = {ClinicType.GENERAL: "普通", ClinicType.EXPERT: "专家"}
MAX_FEE = 1000
CALENDAR_KINDS = {"closed": "休息", "working": "上班", "none": "按国家日历"}
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_PENALTY_RE = re.compile(r"^\s*(\d{1,2})\s*[:：]\s*(\d{1,3})\s*$")


def _hospital(session: Session, hospital_id: int) -> Hospital:
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise AdminNotFound("找不到这家医院。")
    return hospital


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


# --- departments -------------------------------------------------------------------------


def add_department(
    session: Session,
    *,
    hospital_id: int,
    name: str,
    display_name: str,
    actor_id: int | None,
    now: datetime,
) -> Department:
    """A department from the canonical catalogue, with the hospital's own name if any."""
    _hospital(session, hospital_id)
    if name not in catalogue():
        raise AdminError("科室要从标准科室目录里选择（电话里老人说的科室按这个目录识别）。")
    if session.scalar(
        select(Department.id).where(Department.hospital_id == hospital_id, Department.name == name)
    ):
        raise AdminError(f"本院已有{name}，不用重复添加。")
    own = _clean(display_name, 50) or None
    department = Department(hospital_id=hospital_id, name=name, display_name=own)
    session.add(department)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="department_added",
        target=f"department:{department.id}",
        name=name,
        display_name=own,
    )
    return department


def rename_department(
    session: Session,
    *,
    hospital_id: int,
    department_id: int,
    display_name: str,
    actor_id: int | None,
    now: datetime,
) -> Department:
    """The hospital's own name for a department (empty: the canonical name)."""
    department = hospital_department(session, hospital_id=hospital_id, department_id=department_id)
    before = department.display_name
    department.display_name = _clean(display_name, 50) or None
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="department_renamed",
        target=f"department:{department.id}",
        name=department.name,
        before={"display_name": before},
        after={"display_name": department.display_name},
    )
    return department


def hospital_department(session: Session, *, hospital_id: int, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None or department.hospital_id != hospital_id:
        raise AdminNotFound("找不到这个科室，可能不属于本院。请刷新页面。")
    return department


def departments(session: Session, *, hospital_id: int) -> list[Department]:
    return list(
        session.scalars(
            select(Department).where(Department.hospital_id == hospital_id).order_by(Department.id)
        )
    )


# --- doctors -----------------------------------------------------------------------------


def _doctor_fields(
    name: str, title: str, clinic_type: str, fee_yuan: int
) -> tuple[str, ClinicType]:
    if not _clean(name, 50):
        raise AdminError("请填写医生姓名。")
    if title not in TITLES:
        raise AdminError("职称请从列表里选择：" + "、".join(TITLES) + "。")
    try:
        clinic = ClinicType(clinic_type)
    except ValueError:
        raise AdminError("号别请选择普通或专家。") from None
    if not 0 <= fee_yuan <= MAX_FEE:
        raise AdminError(f"挂号费要在 0 到 {MAX_FEE} 元之间。")
    return _clean(name, 50), clinic


def _refuse_duplicate(
    session: Session, *, department: Department, name: str, doctor_id: int | None = None
) -> None:
    """Two active doctors of the same name in the same department of a hospital cannot be
    told apart in any list (nor by a caller), so the second one is refused."""
    query = select(Doctor.id).where(
        Doctor.department_id == department.id, Doctor.name == name, Doctor.active.is_(True)
    )
    if doctor_id is not None:
        query = query.where(Doctor.id != doctor_id)
    if session.scalar(query.limit(1)) is not None:
        raise AdminError(
            f"{department.display_name or department.name}已经有一位在用的{name}，不能重复添加。"
            "同名的两位医生请在姓名里加以区分（例如“钱医生（男）”）；"
            "加错了的医生可以改名或停用。"
        )


def add_doctor(
    session: Session,
    *,
    hospital_id: int,
    department_id: int,
    name: str,
    title: str,
    clinic_type: str,
    fee_yuan: int,
    actor_id: int | None,
    now: datetime,
) -> Doctor:
    department = hospital_department(session, hospital_id=hospital_id, department_id=department_id)
    clean_name, clinic = _doctor_fields(name, title, clinic_type, fee_yuan)
    _refuse_duplicate(session, department=department, name=clean_name)
    doctor = Doctor(
        department_id=department.id,
        name=clean_name,
        title=title,
        clinic_type=clinic,
        fee_yuan=fee_yuan,
    )
    session.add(doctor)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="doctor_added",
        target=f"doctor:{doctor.id}",
        name=clean_name,
        department=department.name,
        title=title,
        clinic=CLINIC_LABELS[clinic],
        fee_yuan=fee_yuan,
    )
    return doctor


def change_doctor(
    session: Session,
    *,
    hospital_id: int,
    doctor_id: int,
    title: str,
    clinic_type: str,
    fee_yuan: int,
    actor_id: int | None,
    now: datetime,
    name: str | None = None,
) -> Doctor:
    """Name (None keeps it), title, clinic type and fee; booked patients keep what their
    confirmation said."""
    doctor = schedules.hospital_doctor(session, hospital_id=hospital_id, doctor_id=doctor_id)
    clean_name, clinic = _doctor_fields(
        doctor.name if name is None else name, title, clinic_type, fee_yuan
    )
    if clean_name != doctor.name and doctor.active:
        department = session.get(Department, doctor.department_id)
        assert department is not None
        _refuse_duplicate(session, department=department, name=clean_name, doctor_id=doctor.id)
    before = {
        "name": doctor.name,
        "title": doctor.title,
        "clinic": CLINIC_LABELS[doctor.clinic_type],
        "fee_yuan": doctor.fee_yuan,
    }
    doctor.name, doctor.title, doctor.clinic_type, doctor.fee_yuan = (
        clean_name, title, clinic, fee_yuan
    )
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="doctor_changed",
        target=f"doctor:{doctor.id}",
        name=doctor.name,
        before=before,
        after={"name": clean_name, "title": title, "clinic": CLINIC_LABELS[clinic],
               "fee_yuan": fee_yuan},
    )
    return doctor


def set_doctor_active(
    session: Session,
    *,
    hospital_id: int,
    doctor_id: int,
    active: bool,
    actor_id: int | None,
    now: datetime,
) -> Doctor:
    """停用 / 启用. An inactive doctor gets no new weekly template or extra session, and the
    plan makes no more sessions for them; sessions with bookings stay (listed to decide)."""
    doctor = schedules.hospital_doctor(session, hospital_id=hospital_id, doctor_id=doctor_id)
    if doctor.active == active:
        return doctor
    if active:
        department = session.get(Department, doctor.department_id)
        assert department is not None
        _refuse_duplicate(session, department=department, name=doctor.name, doctor_id=doctor.id)
    doctor.active = active
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="doctor_enabled" if active else "doctor_disabled",
        target=f"doctor:{doctor.id}",
        name=doctor.name,
    )
    session.flush()
    schedules.apply_plan(session, hospital_id=hospital_id, now=now)
    return doctor


def doctors(session: Session, *, hospital_id: int) -> list[tuple[Doctor, Department]]:
    rows = session.execute(
        select(Doctor, Department)
        .join(Department, Department.id == Doctor.department_id)
        .where(Department.hospital_id == hospital_id)
        .order_by(Department.id, Doctor.id)
    ).all()
    return [(d, dep) for d, dep in rows]


# --- rules -------------------------------------------------------------------------------


def _int_field(form: Mapping[str, str], key: str, label: str, low: int, high: int) -> int:
    raw = (form.get(key) or "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise AdminError(f"{label}要填整数（{low} 到 {high}）。", field=key) from None
    if not low <= value <= high:
        raise AdminError(f"{label}要在 {low} 到 {high} 之间，现在是 {value}。", field=key)
    return value


def _time_field(
    form: Mapping[str, str], key: str, label: str, *, optional: bool = False
) -> str | None:
    raw = (form.get(key) or "").strip().replace("：", ":")
    if not raw and optional:
        return None
    match = _TIME_RE.match(raw)
    if match is None:
        raise AdminError(f"{label}要写成 时:分，例如 15:00。", field=key)
    return f"{int(match[1]):02d}:{match[2]}"


def _penalties(raw: str) -> list[list[int]]:
    pairs: list[list[int]] = []
    for part in re.split(r"[,，;；\s]+", raw.strip()):
        if not part:
            continue
        match = _PENALTY_RE.match(part)
        if match is None:
            raise AdminError(
                "爽约处罚要写成 次数:停约天数，用逗号分开，例如 1:30, 2:60, 3:90。",
                field="noshow_penalties",
            )
        pairs.append([int(match[1]), int(match[2])])
    return sorted(pairs)


def rules_form(rules: BookingRules, raw: Mapping[str, Any]) -> dict[str, str]:
    """The rules as the form shows them."""
    deadline = "working" if rules.cancel_deadline_working_day else "calendar"
    return {
        "booking_window_days": str(rules.booking_window_days),
        "release_time": f"{rules.release_time:%H:%M}",
        "next_day_close_time": (
            f"{rules.next_day_close_time:%H:%M}" if rules.next_day_close_time else ""
        ),
        "cancel_deadline_time": f"{rules.cancel_deadline_time:%H:%M}",
        "cancel_deadline_day": deadline,
        "noshow_penalties": ", ".join(f"{n}:{d}" for n, d in rules.noshow_penalties),
        "elderly_share_percent": str(rules.elderly_share_percent),
        "onsite_share_percent": str(rules.onsite_share_percent),
        "family_doctor_share_percent": str(rules.family_doctor_share_percent),
        "elderly_release": (
            "days" if rules.elderly_release_days is not None
            else "hours" if rules.elderly_release_hours is not None
            else "never"
        ),
        "elderly_release_days": str(rules.elderly_release_days or 1),
        "elderly_release_time": f"{rules.elderly_release_time:%H:%M}",
        "elderly_release_hours": str(rules.elderly_release_hours or 4),
    }


RELEASE_KINDS = ("never", "days", "hours")


def _elderly_release(form: Mapping[str, str], window: int, current: Any) -> str | None:
    """The `elderly_release` rule from the form: never, N days before at a time, or N
    hours before the session. A form without the field keeps the current rule."""
    kind = (form.get("elderly_release") or "").strip()
    if not kind:
        return current if isinstance(current, str) or current is None else None
    if kind not in RELEASE_KINDS:
        raise AdminError(
            "长者号放开方式请选择：不放开、就诊前几天的某个时间，或开诊前几小时。",
            field="elderly_release",
        )
    if kind == "never":
        return None
    if kind == "days":
        days = _int_field(form, "elderly_release_days", "长者号放开：就诊前几天", 1, window)
        at = _time_field(form, "elderly_release_time", "长者号放开时间")
        return f"{at} the day before" if days == 1 else f"{at} {days} days before"
    hours = _int_field(form, "elderly_release_hours", "长者号放开：开诊前几小时", 1, 24 * window)
    return f"{hours} hours before"


def update_rules(
    session: Session,
    *,
    hospital_id: int,
    form: Mapping[str, str],
    actor_id: int | None,
    now: datetime,
) -> BookingRules:
    """The booking rules from the form; every field is checked, with a Chinese message."""
    hospital = _hospital(session, hospital_id)
    window = _int_field(form, "booking_window_days", "预约周期（天）", 1, 90)
    release = _time_field(form, "release_time", "放号时间")
    close = _time_field(form, "next_day_close_time", "次日号截止时间", optional=True)
    cancel_time = _time_field(form, "cancel_deadline_time", "取消截止时间")
    day_kind = form.get("cancel_deadline_day") or "working"
    if day_kind not in ("working", "calendar"):
        raise AdminError("取消截止日请选择“前一个工作日”或“前一天”。", field="cancel_deadline_day")
    elderly = _int_field(form, "elderly_share_percent", "长者电话预留比例（%）", 0, 100)
    onsite = _int_field(form, "onsite_share_percent", "现场长者预留比例（%）", 0, 100)
    if (form.get("family_doctor_share_percent") or "").strip():
        family = _int_field(form, "family_doctor_share_percent", "家庭医生预留比例（%）", 0, 100)
    else:  # a form without the field keeps the current share
        family = BookingRules.from_json(hospital.rules).family_doctor_share_percent
    if elderly + onsite > 100:
        raise AdminError(
            f"长者电话预留和现场预留加起来不能超过 100%，现在是 {elderly}% + {onsite}% = "
            f"{elderly + onsite}%。",
            field="onsite_share_percent",
        )
    if elderly + onsite + family > 100:
        raise AdminError(
            f"长者电话预留、现场预留和家庭医生预留加起来不能超过 100%，现在是 {elderly}% + "
            f"{onsite}% + {family}% = {elderly + onsite + family}%。",
            field="family_doctor_share_percent",
        )
    penalties = _penalties(form.get("noshow_penalties") or "")
    release_rule = _elderly_release(form, window, (hospital.rules or {}).get("elderly_release"))
    before = dict(hospital.rules or {})
    after = dict(before)
    after.update(
        booking_window_days=window,
        release_time=release,
        next_day_close_time=close,
        cancel_deadline=(
            f"{cancel_time} the working day before"
            if day_kind == "working"
            else f"{cancel_time} the day before"
        ),
        noshow_penalties=penalties,
        elderly_share_percent=elderly,
        onsite_share_percent=onsite,
        family_doctor_share_percent=family,
        elderly_release=release_rule,
    )
    rules = BookingRules.from_json(after)  # the same reader the booking path uses
    hospital.rules = after
    changed = {
        k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v
    }
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="rules_changed",
        target=f"hospital:{hospital_id}",
        changed=changed,
    )
    schedules.apply_plan(session, hospital_id=hospital_id, now=now)
    return rules


# --- calendar ----------------------------------------------------------------------------


def set_calendar_day(
    session: Session,
    *,
    hospital_id: int,
    day: date,
    kind: str,
    actor_id: int | None,
    now: datetime,
) -> schedules.PlanResult:
    """A closed day (休息), a working day (上班, e.g. a 调休 weekend) or back to the holiday
    data (`none`). Sessions holding bookings on a newly closed day are listed, not dropped."""
    hospital = _hospital(session, hospital_id)
    if kind not in CALENDAR_KINDS:
        raise AdminError("请选择：休息、上班，或按国家日历。")
    rules = dict(hospital.rules or {})
    closed = {d for d in rules.get("closed_days") or [] if d != day.isoformat()}
    working = {d for d in rules.get("working_days") or [] if d != day.isoformat()}
    if kind == "closed":
        closed.add(day.isoformat())
    elif kind == "working":
        working.add(day.isoformat())
    rules["closed_days"] = sorted(closed)
    rules["working_days"] = sorted(working)
    hospital.rules = rules
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="calendar_changed",
        target=f"day:{day.isoformat()}",
        day=spoken_day(day),
        kind=CALENDAR_KINDS[kind],
    )
    return schedules.apply_plan(session, hospital_id=hospital_id, now=now)


def calendar_entries(rules: BookingRules, since: date) -> list[tuple[date, str]]:
    """The hospital's own closed and working days from `since` on, by date."""
    entries = [(d, "休息") for d in rules.closed_days if d >= since]
    entries += [(d, "上班") for d in rules.working_days if d >= since]
    return sorted(entries)
