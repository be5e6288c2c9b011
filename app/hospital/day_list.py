"""The hospital console's day list: what staff see of one day's phone bookings.

`day_list` and `day_schedules` read one day of a hospital (bookings with masked ID and
phone numbers, and the doctors' sessions with how many are booked); `get_row` and
`get_schedule` read one of them for a confirmation page; `reveal_contact` gives the full
numbers of one booking (the console logs who asked). It only reads: every change goes
through `app.hospital.desk`, whose labels and errors it shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.hospital import reminders
from app.hospital.desk import (
    NOT_FOUND,
    SCHEDULE_NOT_FOUND,
    SESSION_LABELS,
    STATUS_LABELS,
    DeskNotFound,
    load_appointment,
    patient_phones,
)
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import BookingRules
from app.hospital.schedules import WITHDRAWN
from app.people.age import age_on
from app.people.models import Person, PersonPhone
from app.people.phones import local_number, mask_number
from app.people.resident_id import ResidentId


@dataclass(frozen=True)
class DeskRow:
    """One booking in the day list. Numbers are masked; see `reveal_contact`."""

    appointment_id: int
    schedule_id: int
    start_time: time
    session: ClinicSession
    department: str
    doctor: str
    doctor_title: str
    patient_name: str
    age: int | None
    id_masked: str
    phone_masked: str
    booked_by_family: bool
    booked_by_masked: str
    status: AppointmentStatus
    checked_in_at: datetime | None
    cancel_reason: str | None
    schedule_stopped: bool
    elderly: bool  # green channel (老年人优先): the hospital's elderly age; unknown counts
    onsite: bool = False  # booked at the desk into the on-site share (app.hospital.walk_in)
    family_doctor: bool = False  # booked by a family doctor (app.hospital.family_doctors)
    by_operator: bool = False  # booked by a dispatch operator for the caller (app.operators)
    visit_number: int = 0  # 就诊序号: the slot's place in its session, the order of seeing
    # The reminder call the day before (app.hospital.reminders): what came of it so far.
    reminder_label: str = ""
    reminder_kind: str = ""  # confirmed, cancelled, unreached, calling, waiting
    day: date | None = None  # the visit day (search results span several days)

    @property
    def session_label(self) -> str:
        return SESSION_LABELS[self.session]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, str(self.status))

    @property
    def booked_via(self) -> str:
        if self.onsite:
            return "现场挂号"
        if self.family_doctor:
            return "家庭医生代约"
        if self.by_operator:
            return "调度员代约"
        return "家属代约" if self.booked_by_family else "本人电话预约"

    @property
    def can_check_in(self) -> bool:
        return self.status is AppointmentStatus.BOOKED

    @property
    def can_mark_no_show(self) -> bool:
        return self.status is AppointmentStatus.BOOKED


@dataclass(frozen=True)
class DeskSchedule:
    """A doctor's session on the day, for the 停诊 action."""

    schedule_id: int
    day: date
    session: ClinicSession
    department: str
    doctor: str
    doctor_title: str
    stopped: bool
    booked: int
    # The share kept for older phone callers: its slots, the free ones, and when the
    # unused ones become ordinary slots (None: never; `day_schedules` with `now` only).
    elderly_total: int = 0
    elderly_free: int = 0
    elderly_release_at: datetime | None = None
    elderly_released: bool = False
    # Stopped at the desk (not taken away by the weekly plan): 撤销停诊 is offered.
    stopped_at_desk: bool = False
    # The doctor is 停用: the session takes no new bookings (marked as in 出诊一览).
    doctor_active: bool = True

    @property
    def session_label(self) -> str:
        return SESSION_LABELS[self.session]

    @property
    def elderly_release_label(self) -> str:
        """12月1日 17:00, when the unused elderly share is released ("" if never)."""
        moment = self.elderly_release_at
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}" if moment else ""


@dataclass(frozen=True)
class RevealedContact:
    id_number: str
    patient_phones: list[str]
    booked_by_number: str | None


def mask_id_number(number: str | None) -> str:
    """530102********0029; an ID that fails validation is masked the same way."""
    if not number:
        return "未登记"
    if len(number) < 10:
        return "*" * len(number)
    return ResidentId(number, date.min, "").masked


def _booked_by_family(appointment: Appointment, phones: list[PersonPhone]) -> bool:
    if appointment.booked_by_contact_id is not None:
        return True
    own = {p.number for p in phones}
    return appointment.booked_by_number is not None and appointment.booked_by_number not in own


def day_list(session: Session, *, hospital_id: int, day: date) -> list[DeskRow]:
    """Every appointment of the hospital on `day`, by session, department, time, doctor."""
    return days_list(session, hospital_id=hospital_id, days=[day])


def days_list(session: Session, *, hospital_id: int, days: Sequence[date]) -> list[DeskRow]:
    """`day_list` of several days in one read, day by day."""
    rows = session.execute(
        select(Appointment, Slot, Schedule, Doctor, Department, Person)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Person, Person.id == Appointment.patient_id)
        .where(Department.hospital_id == hospital_id, Schedule.day.in_(days))
        .order_by(
            Schedule.day, Schedule.session, Department.id, Slot.start_time, Doctor.id,
            Appointment.id,
        )
    ).all()
    phones = patient_phones(session, {person.id for *_, person in rows})
    numbers = visit_numbers(session, {schedule.id for _, _, schedule, *_ in rows})
    reminded = reminders.outcomes(session, {appointment.id for appointment, *_ in rows})
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    result = []
    for appointment, slot, schedule, doctor, department, person in rows:
        own = phones.get(person.id, [])
        family = _booked_by_family(appointment, own)
        outcome = reminded.get(appointment.id)
        result.append(
            DeskRow(
                appointment_id=appointment.id,
                schedule_id=schedule.id,
                start_time=slot.start_time,
                session=schedule.session,
                department=department.name,
                doctor=doctor.name,
                doctor_title=doctor.title,
                patient_name=person.full_name,
                age=age_on(person.birth_date, schedule.day),
                id_masked=mask_id_number(person.id_number),
                phone_masked=mask_number(own[0].number) or "无号码" if own else "无号码",
                booked_by_family=family,
                booked_by_masked=mask_number(appointment.booked_by_number) if family else "",
                status=appointment.status,
                checked_in_at=appointment.checked_in_at,
                cancel_reason=appointment.cancel_reason,
                schedule_stopped=schedule.status is ScheduleStatus.STOPPED,
                elderly=rules.is_elderly(age_on(person.birth_date, schedule.day)),
                onsite=slot.reserved_for_onsite,
                family_doctor=slot.reserved_for_family_doctor,
                by_operator=(
                    appointment.booked_by_staff_id is not None
                    and not slot.reserved_for_family_doctor
                ),
                visit_number=numbers.get(slot.id, 0),
                reminder_label=outcome.label if outcome else "",
                reminder_kind=outcome.kind if outcome else "",
                day=schedule.day,
            )
        )
    return result


def visit_numbers(session: Session, schedule_ids: set[int]) -> dict[int, int]:
    """就诊序号 of every slot of these sessions: its place in the session by start time (then
    id), the order patients are seen; the same number the walk-in slip prints."""
    if not schedule_ids:
        return {}
    result: dict[int, int] = {}
    current, position = None, 0
    for slot_id, schedule_id in session.execute(
        select(Slot.id, Slot.schedule_id)
        .where(Slot.schedule_id.in_(schedule_ids))
        .order_by(Slot.schedule_id, Slot.start_time, Slot.id)
    ):
        if schedule_id != current:
            current, position = schedule_id, 0
        position += 1
        result[slot_id] = position
    return result


LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN)


class SearchError(ValueError):
    """A search the desk cannot run; `.message` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_NUMBER_SEPARATORS = str.maketrans("", "", " -－—()（）")
MIN_NUMBER_DIGITS = 4


def number_query(text: str) -> str | None:
    """A typed phone or ID number as the desk search compares it, or None if it is a name.

    Spaces, hyphens and brackets go; `+86`/`0086` (and a bare `86` before an 11-digit
    mobile) is dropped, so `+86 138 0000 0001` is `13800000001`; an ID's X is upper case.
    Raises `SearchError` for something that is neither a name nor a usable number."""
    compact = text.translate(_NUMBER_SEPARATORS).upper()
    if not any(ch.isdigit() for ch in compact):
        return None
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    elif compact.startswith("86") and len(compact) == 13 and compact[2] == "1":
        compact = compact[2:]
    body = compact[:-1] if compact.endswith("X") else compact
    if not body.isdigit():
        raise SearchError(
            "请输入姓名，或电话号码、身份证号（完整号码或后4位以上都可以；身份证号最后一位可以是X）。"
        )
    if len(compact) < MIN_NUMBER_DIGITS:
        raise SearchError("号码至少输入后4位（也可以输入完整的电话号码或身份证号）。")
    return compact


def search_days(session: Session, *, hospital_id: int, day: date, today: date) -> list[date]:
    """The days a desk search reads: today and the coming days of the booking window
    (patients at the desk often do not know their date), and the day shown if outside."""
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    days = {today + timedelta(days=n) for n in range(rules.booking_window_days + 1)}
    return sorted(days | {day})


def search(
    session: Session,
    *,
    hospital_id: int,
    day: date,
    query: str,
    days: list[date] | None = None,
) -> list[DeskRow]:
    """The bookings of `days` (default: `day` only), by day, matching a name (part of
    it), or a phone or ID number: the whole number or its last 4 or more digits (see
    `number_query`); X allowed as an ID's last."""
    text = "".join(query.split())
    if not text:
        raise SearchError("请输入姓名，或电话号码、身份证号（完整号码或后4位）。")
    number = number_query(text)
    rows = days_list(session, hospital_id=hospital_id, days=days or [day])
    if number is None:
        return [row for row in rows if text in row.patient_name]
    ids = {
        row.appointment_id: (person_id, id_number)
        for row, person_id, id_number in _patients_of(session, rows)
    }
    phones = patient_phones(session, {person_id for person_id, _ in ids.values()})
    found = []
    for row in rows:
        person_id, id_number = ids[row.appointment_id]
        own = [local_number(p.number) for p in phones.get(person_id, [])]
        if (id_number or "").upper().endswith(number) or any(n.endswith(number) for n in own):
            found.append(row)
    return found


def _patients_of(
    session: Session, rows: list[DeskRow]
) -> list[tuple[DeskRow, int, str | None]]:
    by_id = {row.appointment_id: row for row in rows}
    if not by_id:
        return []
    result = session.execute(
        select(Appointment.id, Person.id, Person.id_number)
        .join(Person, Person.id == Appointment.patient_id)
        .where(Appointment.id.in_(list(by_id)))
    ).all()
    return [(by_id[aid], pid, number) for aid, pid, number in result]


@dataclass
class PrintGroup:
    """One doctor's session on the printed day list, patients in the order they are seen."""

    schedule_id: int
    session: ClinicSession
    department: str
    doctor: str
    doctor_title: str
    rows: list[DeskRow]

    @property
    def session_label(self) -> str:
        return SESSION_LABELS[self.session]


def print_list(
    session: Session, *, hospital_id: int, day: date, schedule_id: int | None = None
) -> list[PrintGroup]:
    """The day's live bookings per department and session (each doctor's session on its
    own), ordered by visit number; `schedule_id` keeps one session (404 if not ours)."""
    if schedule_id is not None:
        get_schedule(session, hospital_id=hospital_id, schedule_id=schedule_id)
    groups: dict[int, PrintGroup] = {}
    for row in day_list(session, hospital_id=hospital_id, day=day):
        if row.status not in LIVE_STATUSES:
            continue
        if schedule_id is not None and row.schedule_id != schedule_id:
            continue
        group = groups.get(row.schedule_id)
        if group is None:
            group = groups[row.schedule_id] = PrintGroup(
                row.schedule_id, row.session, row.department, row.doctor, row.doctor_title, []
            )
        group.rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda r: (r.visit_number, r.appointment_id))
    return list(groups.values())


def day_schedules(
    session: Session, *, hospital_id: int, day: date, now: datetime | None = None
) -> list[DeskSchedule]:
    """The doctors' sessions of the hospital on `day`, with how many are booked and their
    elderly share (its release moment and whether it has passed, when `now` is given)."""
    booked = (
        select(Slot.schedule_id, func.count(Appointment.id).label("n"))
        .join(Appointment, Appointment.slot_id == Slot.id)
        .where(Appointment.status == AppointmentStatus.BOOKED)
        .group_by(Slot.schedule_id)
        .subquery()
    )
    elderly_slot = and_(
        Slot.reserved_for_elderly.is_(True),
        Slot.reserved_for_onsite.is_(False),
        Slot.reserved_for_family_doctor.is_(False),
    )
    elderly = (
        select(
            Slot.schedule_id,
            func.count(Slot.id).label("total"),
            func.sum(case((Slot.status == SlotStatus.FREE, 1), else_=0)).label("free"),
        )
        .where(elderly_slot)
        .group_by(Slot.schedule_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Schedule, Doctor, Department, func.coalesce(booked.c.n, 0),
            func.coalesce(elderly.c.total, 0), func.coalesce(elderly.c.free, 0),
        )
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .outerjoin(booked, booked.c.schedule_id == Schedule.id)
        .outerjoin(elderly, elderly.c.schedule_id == Schedule.id)
        .where(Department.hospital_id == hospital_id, Schedule.day == day)
        .order_by(Schedule.session, Department.id, Doctor.id)
    ).all()
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    result = []
    for schedule, doctor, department, n, total, free in rows:
        moment = rules.elderly_release_moment(schedule.day, schedule.session) if now else None
        result.append(
            DeskSchedule(
                schedule_id=schedule.id,
                day=schedule.day,
                session=schedule.session,
                department=department.name,
                doctor=doctor.name,
                doctor_title=doctor.title,
                stopped=schedule.status is ScheduleStatus.STOPPED,
                stopped_at_desk=schedule.status is ScheduleStatus.STOPPED
                and schedule.source != WITHDRAWN,
                doctor_active=doctor.active,
                booked=int(n),
                elderly_total=int(total),
                elderly_free=int(free),
                elderly_release_at=moment,
                elderly_released=moment is not None and now is not None
                and rules.elderly_released(schedule.day, schedule.session, now),
            )
        )
    return result


def get_schedule(session: Session, *, hospital_id: int, schedule_id: int) -> DeskSchedule:
    """One schedule of the hospital (for the stop-session confirmation page)."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is None:
        raise DeskNotFound(SCHEDULE_NOT_FOUND)
    for item in day_schedules(session, hospital_id=hospital_id, day=schedule.day):
        if item.schedule_id == schedule_id:
            return item
    raise DeskNotFound(SCHEDULE_NOT_FOUND)


def get_row(session: Session, *, hospital_id: int, appointment_id: int) -> DeskRow:
    """One booking of the hospital as in the day list (for the no-show confirmation)."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise DeskNotFound(NOT_FOUND)
    for row in day_list(session, hospital_id=hospital_id, day=appointment.day):
        if row.appointment_id == appointment_id:
            return row
    raise DeskNotFound(NOT_FOUND)


def reveal_contact(session: Session, *, hospital_id: int, appointment_id: int) -> RevealedContact:
    """Full ID and phone numbers of one booking. The caller must log who asked (not these)."""
    appointment, _hospital = load_appointment(session, appointment_id, hospital_id, lock=False)
    person = session.get(Person, appointment.patient_id)
    assert person is not None
    phones = patient_phones(session, {person.id})[person.id]
    family = _booked_by_family(appointment, phones)
    return RevealedContact(
        id_number=person.id_number or "未登记",
        patient_phones=[local_number(p.number) for p in phones],
        booked_by_number=local_number(appointment.booked_by_number) if family else None,
    )
