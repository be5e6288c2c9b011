"""A hospital's own schedules: weekly templates, one-off changes, and the sessions they make.

The *plan* of a day is what the hospital set up: for every weekly template of that
weekday a session of its doctor, plus the extra sessions of that day, minus the sessions
of doctors away, and nothing on a day the hospital is closed (`BookingRules.is_closed`:
Sundays, public holidays and the hospital's own closed days, unless made working days).

`apply_plan` makes the sessions (`Schedule` with `Slot` rows) of the booking window
(tomorrow .. today + `booking_window_days`) match the plan:

* a planned session that does not exist is created with `capacity` slots, the first
  `elderly_share_percent` kept for older phone callers, the next `onsite_share_percent`
  for walk-ins at the desk;
* a generated session whose capacity changed gets slots added, or free unused ones removed;
* a generated session the plan no longer has is withdrawn when nobody holds a booking in
  it (deleted; or stopped, if it ever had a booking, and brought back if planned again);
* a session that holds bookings is never changed: it is a *conflict*, listed for a person
  (`conflicts`), who stops it with notification (the desk's 停诊, `desk.stop_session`) or
  keeps it (`keep_session`).

It is idempotent (the sessions are unique per doctor, day and session; running it twice
creates nothing twice) and runs after every change of the admin section, and on the
button 生成号源 (the window moves every day). Sessions loaded otherwise (`source` None,
e.g. demo data) are never changed by it.

Every change is audited (`app.hospital.audit`); refusals raise `AdminError` with a
Chinese message. Keyword-only; one unit of work on a passed `Session`; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.hospital import audit
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus, SlotStatus
from app.hospital.models import (
    Appointment,
    Department,
    Doctor,
    Hospital,
    Schedule,
    ScheduleChange,
    ScheduleTemplate,
    Slot,
)
from app.hospital.rules import (
    SESSION_STARTS,
    SESSION_WORDS,
    WEEKDAYS,
    BookingRules,
    spoken_day,
)

MAX_CAPACITY = 200
# Session start and length in minutes; slot times spread the capacity over it.
SESSION_SPANS: dict[ClinicSession, tuple[time, int]] = {
    ClinicSession.AM: (SESSION_STARTS[ClinicSession.AM.value], 240),
    ClinicSession.PM: (SESSION_STARTS[ClinicSession.PM.value], 210),
}
EXTRA_SESSION = "extra_session"
DOCTOR_AWAY = "doctor_away"
CHANGE_KINDS = {EXTRA_SESSION: "加诊", DOCTOR_AWAY: "医生不在（停诊）"}
WITHDRAWN = "withdrawn"  # `Schedule.source` of a session the plan dropped (restorable)
# `Schedule.source` of a session the HIS defined (app.hospital.fhir.importer): the plan
# never changes, withdraws or lists it, as for loaded ones.
HIS = "his"
UNPLANNED = (None, WITHDRAWN, HIS)

Key = tuple[int, date, ClinicSession]


@dataclass(frozen=True)
class Planned:
    capacity: int
    source: str  # "template" or "extra"


@dataclass(frozen=True)
class Conflict:
    """A session holding bookings that the plan no longer has: a person decides."""

    schedule_id: int
    day: date
    session: ClinicSession
    doctor: str
    department: str
    booked: int
    reason: str

    @property
    def label(self) -> str:
        return spoken_day(self.day, self.session)


@dataclass(frozen=True)
class PlanResult:
    created: int
    resized: int
    withdrawn: int
    conflicts: list[Conflict]


def session_label(value: ClinicSession | str) -> str:
    return SESSION_WORDS.get(str(value), str(value))


def weekday_label(weekday: int) -> str:
    return f"星期{WEEKDAYS[weekday]}"


def hospital_rules(hospital: Hospital) -> BookingRules:
    return BookingRules.from_json(hospital.rules)


def window_days(rules: BookingRules, now: datetime) -> list[date]:
    """Tomorrow .. today + booking window: the days sessions are generated for."""
    today = local_today(now)
    return [today + timedelta(days=n) for n in range(1, rules.booking_window_days + 1)]


# --- lookups within one hospital ---------------------------------------------------------


def hospital_doctor(session: Session, *, hospital_id: int, doctor_id: int) -> Doctor:
    doctor = session.scalar(
        select(Doctor)
        .join(Department, Department.id == Doctor.department_id)
        .where(Doctor.id == doctor_id, Department.hospital_id == hospital_id)
    )
    if doctor is None:
        raise AdminNotFound("找不到这位医生，可能不属于本院。请刷新页面。")
    return doctor


def _refuse_inactive(doctor: Doctor) -> None:
    if not doctor.active:
        raise AdminError(f"{doctor.name}已停用，不能再排班或加诊。要排班请先在“医生”里启用。")


def _template(session: Session, hospital_id: int, template_id: int) -> ScheduleTemplate:
    template = session.get(ScheduleTemplate, template_id)
    if template is None or template.hospital_id != hospital_id or not template.active:
        raise AdminNotFound("找不到这个排班模板，可能已删除或不属于本院。请刷新页面。")
    return template


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise AdminError(f"每次出诊的号源数必须在 1 到 {MAX_CAPACITY} 之间。")


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise AdminError("星期必须是星期一到星期日之一。")


# --- templates ---------------------------------------------------------------------------


def add_template(
    session: Session,
    *,
    hospital_id: int,
    doctor_id: int,
    weekday: int,
    clinic_session: ClinicSession,
    capacity: int,
    actor_id: int | None,
    now: datetime,
) -> ScheduleTemplate:
    """A weekly session of a doctor; refused if the doctor already has one at that time."""
    doctor = hospital_doctor(session, hospital_id=hospital_id, doctor_id=doctor_id)
    _refuse_inactive(doctor)
    _check_weekday(weekday)
    _check_capacity(capacity)
    overlap = session.scalar(
        select(ScheduleTemplate).where(
            ScheduleTemplate.doctor_id == doctor.id,
            ScheduleTemplate.weekday == weekday,
            ScheduleTemplate.session == clinic_session,
            ScheduleTemplate.active.is_(True),
        )
    )
    if overlap is not None:
        raise AdminError(
            f"排班重叠：{doctor.name}{weekday_label(weekday)}{session_label(clinic_session)}"
            f"已有排班模板（每次 {overlap.capacity} 个号）。请修改原模板，不要重复添加。"
        )
    template = ScheduleTemplate(
        hospital_id=hospital_id,
        doctor_id=doctor.id,
        weekday=weekday,
        session=clinic_session,
        capacity=capacity,
        active=True,
    )
    session.add(template)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="template_added",
        target=f"template:{template.id}",
        doctor=doctor.name,
        weekday=weekday_label(weekday),
        session=session_label(clinic_session),
        capacity=capacity,
    )
    apply_plan(session, hospital_id=hospital_id, now=now)
    return template


@dataclass(frozen=True)
class TemplateDays:
    """What a weekly template made of the booking window: the days whose session it
    generated, and the days kept as they were because a session of that doctor already
    existed there (loaded, from the HIS, or stopped): the plan never changes those."""

    made: list[date]
    kept: list[date]

    @property
    def notice(self) -> str:
        """排班模板已保存。已生成号源：12月2日、12月9日。已有出诊，没有改动：12月16日（…）."""
        said = "排班模板已保存。"
        if self.made:
            said += f"已生成号源：{_days_said(self.made)}。"
        if self.kept:
            said += (
                f"这些日子已经有这位医生的出诊，保持原样，没有改动：{_days_said(self.kept)}"
                "（要改号源数，请在“出诊一览”或号源导入里改那一次出诊）。"
            )
        if not self.made and not self.kept:
            said += (
                "预约周期内没有这一天（休息日或不在预约周期里），以后到了预约周期会自动生成号源。"
            )
        return said


def _days_said(days: list[date]) -> str:
    return "、".join(f"{d.month}月{d.day}日" for d in days)


def template_days(
    session: Session, *, hospital_id: int, template_id: int, now: datetime
) -> TemplateDays:
    """The template's days in the booking window, as `apply_plan` left them: a session
    the plan owns (`source` template) was made by it; any other (loaded, HIS, withdrawn
    or stopped) was there before and is kept unchanged. Days closed or the doctor away
    have no session and are in neither list."""
    template = _template(session, hospital_id, template_id)
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise AdminNotFound("找不到这家医院。")
    window = window_days(hospital_rules(hospital), now)
    days = [d for d in window if d.weekday() == template.weekday]
    found = {
        s.day: s
        for s in session.scalars(
            select(Schedule).where(
                Schedule.doctor_id == template.doctor_id,
                Schedule.session == template.session,
                Schedule.day.in_(days),
            )
        )
    }
    made: list[date] = []
    kept: list[date] = []
    for day in days:
        schedule = found.get(day)
        if schedule is None:
            continue
        owned = schedule.source == "template" and schedule.status == ScheduleStatus.ACTIVE
        (made if owned else kept).append(day)
    return TemplateDays(made, kept)


def change_template_capacity(
    session: Session,
    *,
    hospital_id: int,
    template_id: int,
    capacity: int,
    actor_id: int | None,
    now: datetime,
) -> ScheduleTemplate:
    """New capacity for the template and its generated sessions; refused below the
    bookings any of those sessions already holds."""
    template = _template(session, hospital_id, template_id)
    _check_capacity(capacity)
    doctor = hospital_doctor(session, hospital_id=hospital_id, doctor_id=template.doctor_id)
    booked = session.execute(
        select(Schedule.day, func.count(Appointment.id))
        .join(Slot, Slot.schedule_id == Schedule.id)
        .join(Appointment, Appointment.slot_id == Slot.id)
        .where(
            Schedule.doctor_id == template.doctor_id,
            Schedule.session == template.session,
            Schedule.source == "template",
            Schedule.status == ScheduleStatus.ACTIVE,
            Schedule.day > local_today(now),
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .group_by(Schedule.day)
        .order_by(func.count(Appointment.id).desc(), Schedule.day)
    ).all()
    for day, count in booked:
        if day.weekday() == template.weekday and count > capacity:
            raise AdminError(
                f"号源数不能少于已预约人数：{doctor.name} {spoken_day(day, template.session)}"
                f"已有 {count} 人预约，号源数至少要 {count}。"
            )
    before = template.capacity
    template.capacity = capacity
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="template_changed",
        target=f"template:{template.id}",
        doctor=doctor.name,
        capacity_before=before,
        capacity=capacity,
    )
    apply_plan(session, hospital_id=hospital_id, now=now)
    return template


def remove_template(
    session: Session, *, hospital_id: int, template_id: int, actor_id: int | None, now: datetime
) -> PlanResult:
    """Stop the weekly session; its future sessions without bookings go, the others are
    listed as conflicts (returned)."""
    template = _template(session, hospital_id, template_id)
    doctor = hospital_doctor(session, hospital_id=hospital_id, doctor_id=template.doctor_id)
    template.active = False
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="template_removed",
        target=f"template:{template.id}",
        doctor=doctor.name,
        weekday=weekday_label(template.weekday),
        session=session_label(template.session),
        capacity=template.capacity,
    )
    return apply_plan(session, hospital_id=hospital_id, now=now)


def templates(session: Session, *, hospital_id: int) -> list[tuple[ScheduleTemplate, Doctor]]:
    rows = session.execute(
        select(ScheduleTemplate, Doctor)
        .join(Doctor, Doctor.id == ScheduleTemplate.doctor_id)
        .where(ScheduleTemplate.hospital_id == hospital_id, ScheduleTemplate.active.is_(True))
        .order_by(ScheduleTemplate.weekday, ScheduleTemplate.session, Doctor.name)
    ).all()
    return [(t, d) for t, d in rows]


# --- one-off changes ---------------------------------------------------------------------


def add_change(
    session: Session,
    *,
    hospital_id: int,
    kind: str,
    day: date,
    doctor_id: int,
    clinic_session: ClinicSession | None,
    capacity: int | None,
    note: str,
    actor_id: int | None,
    now: datetime,
) -> ScheduleChange:
    """An extra session (加诊) or a doctor away (a session, or the whole day if None)."""
    if kind not in CHANGE_KINDS:
        raise AdminError("请选择调整类型：加诊，或医生不在。")
    doctor = hospital_doctor(session, hospital_id=hospital_id, doctor_id=doctor_id)
    if day <= local_today(now):
        raise AdminError("临时调整只能安排明天及以后的日子；今天的出诊请在工作台停诊。")
    hospital = session.get(Hospital, hospital_id)
    assert hospital is not None
    rules = hospital_rules(hospital)
    if kind == EXTRA_SESSION:
        _refuse_inactive(doctor)
        if clinic_session is None or capacity is None:
            raise AdminError("加诊要选上午或下午，并填写号源数。")
        _check_capacity(capacity)
        if rules.is_closed(day):
            raise AdminError(
                f"{spoken_day(day)}本院休息（周日、节假日或本院设定的休息日），不能加诊；"
                "如要开诊，请先在“休息日和工作日”里把这天设为工作日。"
            )
        if (doctor.id, day, clinic_session) in _plan(session, hospital_id, rules, [day]):
            raise AdminError(
                f"排班重叠：{doctor.name} {spoken_day(day, clinic_session)}已有出诊，不用加诊；"
                "要多放号，请修改排班模板的号源数。"
            )
    else:
        capacity = None
    change = ScheduleChange(
        hospital_id=hospital_id,
        kind=kind,
        day=day,
        doctor_id=doctor.id,
        session=clinic_session,
        capacity=capacity,
        note=" ".join(note.split())[:80],
        active=True,
    )
    session.add(change)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="change_added",
        target=f"change:{change.id}",
        kind=CHANGE_KINDS[kind],
        doctor=doctor.name,
        day=day.isoformat(),
        session=session_label(clinic_session) if clinic_session else "全天",
        capacity=capacity,
        note=change.note,
    )
    apply_plan(session, hospital_id=hospital_id, now=now)
    return change


def remove_change(
    session: Session, *, hospital_id: int, change_id: int, actor_id: int | None, now: datetime
) -> PlanResult:
    change = session.get(ScheduleChange, change_id)
    if change is None or change.hospital_id != hospital_id or not change.active:
        raise AdminNotFound("找不到这个临时调整，可能已撤销或不属于本院。请刷新页面。")
    change.active = False
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="change_removed",
        target=f"change:{change.id}",
        kind=CHANGE_KINDS.get(change.kind, change.kind),
        day=change.day.isoformat(),
    )
    return apply_plan(session, hospital_id=hospital_id, now=now)


def changes(
    session: Session, *, hospital_id: int, since: date
) -> list[tuple[ScheduleChange, Doctor]]:
    rows = session.execute(
        select(ScheduleChange, Doctor)
        .join(Doctor, Doctor.id == ScheduleChange.doctor_id)
        .where(
            ScheduleChange.hospital_id == hospital_id,
            ScheduleChange.active.is_(True),
            ScheduleChange.day >= since,
        )
        .order_by(ScheduleChange.day, ScheduleChange.id)
    ).all()
    return [(c, d) for c, d in rows]


# --- the plan and the generated sessions -------------------------------------------------


def _plan(
    session: Session, hospital_id: int, rules: BookingRules, days: Iterable[date]
) -> dict[Key, Planned]:
    days = list(days)
    if not days:
        return {}
    # An inactive doctor (停用) is in no plan: their sessions without bookings are withdrawn,
    # booked ones stay and are listed to decide.
    inactive = set(
        session.scalars(
            select(Doctor.id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital_id, Doctor.active.is_(False))
        )
    )
    active_templates = [
        t
        for t in session.scalars(
            select(ScheduleTemplate).where(
                ScheduleTemplate.hospital_id == hospital_id, ScheduleTemplate.active.is_(True)
            )
        )
        if t.doctor_id not in inactive
    ]
    day_changes = session.scalars(
        select(ScheduleChange).where(
            ScheduleChange.hospital_id == hospital_id,
            ScheduleChange.active.is_(True),
            ScheduleChange.day.in_(days),
        )
    ).all()
    away: dict[tuple[int, date], set[ClinicSession]] = defaultdict(set)
    for change in day_changes:
        if change.kind == DOCTOR_AWAY:
            away[change.doctor_id, change.day] |= (
                {change.session} if change.session else set(ClinicSession)
            )
    plan: dict[Key, Planned] = {}
    for day in days:
        if rules.is_closed(day):
            continue
        for template in active_templates:
            if template.weekday == day.weekday():
                plan[template.doctor_id, day, template.session] = Planned(
                    template.capacity, "template"
                )
        for change in day_changes:
            if (
                change.kind == EXTRA_SESSION
                and change.day == day
                and change.session
                and change.doctor_id not in inactive
            ):
                plan[change.doctor_id, day, change.session] = Planned(change.capacity or 0, "extra")
        for key in [k for k in plan if k[1] == day and k[2] in away.get((k[0], day), set())]:
            del plan[key]
    return plan


def _hospital_schedules(session: Session, hospital_id: int, days: list[date]) -> list[Schedule]:
    return list(
        session.scalars(
            select(Schedule)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital_id, Schedule.day.in_(days))
            .order_by(Schedule.day, Schedule.id)
        )
    )


def _booked_counts(session: Session, schedule_ids: list[int]) -> dict[int, int]:
    if not schedule_ids:
        return {}
    rows = session.execute(
        select(Slot.schedule_id, func.count(Appointment.id))
        .join(Appointment, Appointment.slot_id == Slot.id)
        .where(Slot.schedule_id.in_(schedule_ids), Appointment.status == AppointmentStatus.BOOKED)
        .group_by(Slot.schedule_id)
    ).all()
    return {schedule_id: count for schedule_id, count in rows}


def slot_time(clinic_session: ClinicSession, index: int, capacity: int) -> time:
    """The start of the `index`-th slot when `capacity` patients share the session."""
    start, minutes = SESSION_SPANS[clinic_session]
    offset = start.hour * 60 + start.minute + (index * minutes) // max(capacity, 1)
    return time(offset // 60, offset % 60)


def _add_slots(
    session: Session, schedule: Schedule, capacity: int, rules: BookingRules, *, pools: bool
) -> None:
    # Shares are rounded to the nearest slot (33% of 6 is 2), together at most `capacity`.
    elderly = (capacity * rules.elderly_share_percent + 50) // 100 if pools else 0
    onsite = (capacity * rules.onsite_share_percent + 50) // 100 if pools else 0
    onsite = min(onsite, capacity - elderly)
    family = (capacity * rules.family_doctor_share_percent + 50) // 100 if pools else 0
    family = min(family, capacity - elderly - onsite)
    have = session.scalar(select(func.count(Slot.id)).where(Slot.schedule_id == schedule.id)) or 0
    for index in range(have, capacity):
        session.add(
            Slot(
                schedule_id=schedule.id,
                start_time=slot_time(schedule.session, index, capacity),
                reserved_for_elderly=index < elderly,
                reserved_for_onsite=elderly <= index < elderly + onsite,
                reserved_for_family_doctor=(
                    elderly + onsite <= index < elderly + onsite + family
                ),
                status=SlotStatus.FREE,
            )
        )


def _unused_slots(session: Session, schedule_id: int) -> list[Slot]:
    """Free slots no appointment ever pointed at, latest first."""
    return list(
        session.scalars(
            select(Slot)
            .where(
                Slot.schedule_id == schedule_id,
                Slot.status == SlotStatus.FREE,
                ~exists().where(Appointment.slot_id == Slot.id),
            )
            .order_by(Slot.start_time.desc(), Slot.id.desc())
        )
    )


def _resize(session: Session, schedule: Schedule, capacity: int, rules: BookingRules) -> bool:
    have = session.scalar(select(func.count(Slot.id)).where(Slot.schedule_id == schedule.id)) or 0
    if have < capacity:
        _add_slots(session, schedule, capacity, rules, pools=False)
        return True
    if have > capacity:
        surplus = _unused_slots(session, schedule.id)[: have - capacity]
        for slot in surplus:
            session.delete(slot)
        return bool(surplus)
    return False


def _withdraw(session: Session, schedule: Schedule) -> None:
    """Take away a session nobody holds a booking in: delete it, or (if it ever had a
    booking, kept for the record) stop it so that it can come back."""
    used = session.scalar(
        select(exists().where(Appointment.slot_id == Slot.id, Slot.schedule_id == schedule.id))
    )
    if not used:
        session.execute(delete(Slot).where(Slot.schedule_id == schedule.id))
        session.delete(schedule)
        return
    schedule.status = ScheduleStatus.STOPPED
    schedule.source = WITHDRAWN
    for slot in session.scalars(select(Slot).where(Slot.schedule_id == schedule.id)):
        slot.status = SlotStatus.BUSY_UNAVAILABLE


def _restore(session: Session, schedule: Schedule, planned: Planned) -> None:
    schedule.status = ScheduleStatus.ACTIVE
    schedule.source = planned.source
    for slot in session.scalars(select(Slot).where(Slot.schedule_id == schedule.id)):
        slot.status = SlotStatus.FREE


def apply_plan(session: Session, *, hospital_id: int, now: datetime) -> PlanResult:
    """Make the booking window's sessions match the plan (see the module doc)."""
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise AdminNotFound("找不到这家医院。")
    rules = hospital_rules(hospital)
    days = window_days(rules, now)
    plan = _plan(session, hospital_id, rules, days)
    existing = {
        (s.doctor_id, s.day, s.session): s for s in _hospital_schedules(session, hospital_id, days)
    }
    booked = _booked_counts(session, [s.id for s in existing.values()])
    created = resized = withdrawn = 0
    for key, planned in sorted(plan.items(), key=lambda item: (item[0][1], item[0][0])):
        schedule = existing.get(key)
        if schedule is None:
            doctor_id, day, clinic_session = key
            schedule = Schedule(
                doctor_id=doctor_id,
                day=day,
                session=clinic_session,
                status=ScheduleStatus.ACTIVE,
                source=planned.source,
                kept=False,
            )
            try:
                with session.begin_nested():  # another run may have just made it
                    session.add(schedule)
                    session.flush()
            except IntegrityError:
                continue
            _add_slots(session, schedule, planned.capacity, rules, pools=True)
            created += 1
        elif schedule.source == WITHDRAWN:
            _restore(session, schedule, planned)
            _resize(session, schedule, planned.capacity, rules)
            resized += 1
        elif schedule.source not in UNPLANNED and schedule.status == ScheduleStatus.ACTIVE:
            schedule.source = planned.source
            resized += _resize(session, schedule, planned.capacity, rules)
    for key, schedule in existing.items():
        if key in plan or schedule.source in UNPLANNED:
            continue
        if schedule.status != ScheduleStatus.ACTIVE or booked.get(schedule.id):
            continue  # stopped already, or holds bookings: a conflict for a person
        _withdraw(session, schedule)
        withdrawn += 1
    session.flush()
    return PlanResult(
        created, resized, withdrawn, conflicts(session, hospital_id=hospital_id, now=now)
    )


def generate(
    session: Session, *, hospital_id: int, actor_id: int | None, now: datetime
) -> PlanResult:
    """The button 生成号源: `apply_plan`, audited with what it did."""
    result = apply_plan(session, hospital_id=hospital_id, now=now)
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="sessions_generated",
        target=f"hospital:{hospital_id}",
        created=result.created,
        resized=result.resized,
        withdrawn=result.withdrawn,
        conflicts=len(result.conflicts),
    )
    return result


def conflicts(session: Session, *, hospital_id: int, now: datetime) -> list[Conflict]:
    """Sessions of the booking window that hold bookings but that the plan no longer has
    (or on a day the hospital is closed, or of a 停用 doctor, whoever made them: they take
    no new bookings), unless a person chose to keep them."""
    hospital = session.get(Hospital, hospital_id)
    assert hospital is not None
    rules = hospital_rules(hospital)
    days = window_days(rules, now)
    plan = _plan(session, hospital_id, rules, days)
    inactive = set(
        session.scalars(
            select(Doctor.id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital_id, Doctor.active.is_(False))
        )
    )
    candidates = [
        s
        for s in _hospital_schedules(session, hospital_id, days)
        if s.status == ScheduleStatus.ACTIVE
        and not s.kept
        and (
            rules.is_closed(s.day)
            or s.doctor_id in inactive
            or (s.source not in (None, HIS) and (s.doctor_id, s.day, s.session) not in plan)
        )
    ]
    booked = _booked_counts(session, [s.id for s in candidates])
    found: list[Conflict] = []
    for schedule in candidates:
        if not booked.get(schedule.id):
            continue
        doctor = session.get(Doctor, schedule.doctor_id)
        assert doctor is not None
        department = session.get(Department, doctor.department_id)
        assert department is not None
        reason = (
            "本院这天休息" if rules.is_closed(schedule.day)
            else "医生已停用" if not doctor.active
            else "排班已取消或医生不在"
        )
        found.append(
            Conflict(
                schedule.id,
                schedule.day,
                schedule.session,
                doctor.name,
                department.display_name or department.name,
                booked[schedule.id],
                reason,
            )
        )
    return found


def keep_session(
    session: Session, *, hospital_id: int, schedule_id: int, actor_id: int | None, now: datetime
) -> None:
    """保留: a person decided the session runs although the plan no longer has it."""
    schedule = session.scalar(
        select(Schedule)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(Schedule.id == schedule_id, Department.hospital_id == hospital_id)
    )
    if schedule is None:
        raise AdminNotFound("找不到这个出诊安排，可能不属于本院。请刷新页面。")
    schedule.kept = True
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="session_kept",
        target=f"schedule:{schedule.id}",
        day=schedule.day.isoformat(),
        session=session_label(schedule.session),
    )


def generate_all(session: Session, *, now: datetime) -> list[tuple[Hospital, PlanResult]]:
    """`generate` for every hospital with weekly templates or one-off changes: the daily job
    (`ivr schedules generate`) that moves the booking window on."""
    planned = select(ScheduleTemplate.hospital_id).where(ScheduleTemplate.active.is_(True))
    changed = select(ScheduleChange.hospital_id).where(ScheduleChange.active.is_(True))
    hospitals = session.scalars(
        select(Hospital).where(Hospital.id.in_(planned.union(changed))).order_by(Hospital.id)
    ).all()
    return [
        (hospital, generate(session, hospital_id=hospital.id, actor_id=None, now=now))
        for hospital in hospitals
    ]
