"""Hospital staff actions on phone bookings: the only code that changes appointments for a hospital.

Used by the hospital staff console (/hospital). Every function takes keyword-only arguments
and is one unit of work on a passed `Session` (the caller commits). Notifications go to the
outbox in the same transaction as the change that causes them, with one idempotency key
per appointment and recipient, so a retried or double-clicked action never texts twice.

Functions that take `hospital_id` refuse (as "not found") an appointment or schedule of
another hospital, so the console cannot be used across hospitals even with a forged id.
What the console shows (the day list, `reveal_contact`) is in `app.hospital.day_list`.

- `check_in`: booked -> arrived (FHIR Appointment.status), `checked_in_at` set; only on
  the visit day (a booking for another day is refused with `DeskConflict`).
- `mark_no_show`: booked -> noshow, and the no-show penalty of the hospital's rules
  (`BookingRules.suspension_days`), with an SMS to the patient explaining it.
- `stop_session`: the doctor stops a session; the schedule is stopped, its slots are
  busy-unavailable, every booked appointment is cancelled and each patient (and the family
  number that booked) is told by SMS, or by a call when the patient only has a landline.
  Audited (`session_stopped`: who, the session, the reason, how many bookings and cars).
- `reopen_session`: undo a 停诊 while its day is not past: the session takes new bookings
  again; the bookings the stop cancelled stay cancelled (their patients were told), and a
  slot the HIS withdrew (`Slot.his_withdrawn`) stays withdrawn. Audited (`session_reopened`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import texts
from app.core.local_time import local_today
from app.hospital import audit
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import BookingRules
from app.hospital.schedules import WITHDRAWN
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.enums import PhoneKind
from app.people.models import FamilyContact, Person, PersonPhone

MAX_REASON = 80
# The cancel reason of bookings a 停诊 cancelled (the family-doctor list shows them as 已停诊),
# and of the hospital trips cancelled with them (the dispatch console shows them as 因停诊取消).
STOP_REASON_PREFIX = "医生停诊："

SESSION_LABELS: dict[ClinicSession, str] = {ClinicSession.AM: "上午", ClinicSession.PM: "下午"}
STATUS_LABELS: dict[AppointmentStatus, str] = {
    AppointmentStatus.PROPOSED: "待确认",
    AppointmentStatus.PENDING: "待确认",
    AppointmentStatus.BOOKED: "已预约",
    AppointmentStatus.ARRIVED: "已签到",
    AppointmentStatus.CHECKED_IN: "已签到",
    AppointmentStatus.FULFILLED: "已就诊",
    AppointmentStatus.CANCELLED: "已取消",
    AppointmentStatus.NOSHOW: "爽约",
    AppointmentStatus.ENTERED_IN_ERROR: "录入错误",
    AppointmentStatus.WAITLIST: "候补",
}
CHECKED_IN = (AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN)
# Bookings that hold their slot: a reopened session gives every other slot back.
LIVE = (AppointmentStatus.BOOKED, *CHECKED_IN)

NOT_FOUND = "找不到这条预约，可能不属于本院。请刷新页面。"
SCHEDULE_NOT_FOUND = "找不到这个出诊安排，可能不属于本院。请刷新页面。"


class DeskError(Exception):
    """A refused action; `message` is Chinese, for hospital staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DeskNotFound(DeskError):
    pass


class DeskConflict(DeskError):
    """The appointment is no longer in a state that allows the action."""


@dataclass(frozen=True)
class NoShowResult:
    noshows_in_last_year: int
    suspension_days: int
    suspended_until: date | None


@dataclass(frozen=True)
class StopResult:
    cancelled: int
    messages: int
    rides_cancelled: int = 0  # hospital trips linked to the cancelled appointments


# --- shared with the day list (app.hospital.day_list) ------------------------------


def patient_phones(session: Session, person_ids: set[int]) -> dict[int, list[PersonPhone]]:
    """Each person's phones, mobiles first (they can receive SMS)."""
    phones: dict[int, list[PersonPhone]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return phones
    rows = session.scalars(
        select(PersonPhone).where(PersonPhone.person_id.in_(person_ids)).order_by(PersonPhone.id)
    )
    for phone in rows:
        phones[phone.person_id].append(phone)
    for numbers in phones.values():  # mobiles first: they can receive SMS
        numbers.sort(key=lambda p: p.kind is not PhoneKind.MOBILE)
    return phones


def _lock(session: Session, model: type[Appointment] | type[Schedule], row_id: int) -> None:
    """Row lock on PostgreSQL (FOR UPDATE); on SQLite a no-op write takes the write lock."""
    if session.get_bind().dialect.name == "sqlite":
        table = model.__tablename__
        session.execute(text(f"UPDATE {table} SET id = id WHERE id = :id"), {"id": row_id})
    else:
        session.execute(select(model.id).where(model.id == row_id).with_for_update())


def load_appointment(
    session: Session, appointment_id: int, hospital_id: int | None, *, lock: bool = True
) -> tuple[Appointment, Hospital]:
    """The appointment (row-locked unless `lock=False`) and its hospital, if of `hospital_id`."""
    if lock:
        _lock(session, Appointment, appointment_id)
    row = session.execute(
        select(Appointment, Hospital)
        .join(Department, Department.id == Appointment.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(Appointment.id == appointment_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None or (hospital_id is not None and row[1].id != hospital_id):
        raise DeskNotFound(NOT_FOUND)
    return row[0], row[1]


# --- changes ----------------------------------------------------------------------------


def check_in(
    session: Session, *, appointment_id: int, now: datetime, hospital_id: int | None = None
) -> Appointment:
    """The patient has arrived: booked -> arrived. Checking in twice is not an error.

    Check-in is for today's sessions only: a booking for a later (or an earlier) day is
    refused, so a patient cannot be marked arrived for a visit that has not happened.
    """
    appointment, _hospital = load_appointment(session, appointment_id, hospital_id)
    if appointment.status in CHECKED_IN:
        return appointment
    if appointment.status is not AppointmentStatus.BOOKED:
        raise DeskConflict(
            f"这条预约的状态是“{STATUS_LABELS.get(appointment.status, '')}”，不能签到。"
        )
    today = local_today(now)
    if appointment.day != today:
        when = "还没到" if appointment.day > today else "已经过了"
        raise DeskConflict(
            f"这条预约是{_cn_day(appointment.day)}的，就诊日{when}。只能给今天就诊的病人签到。"
        )
    appointment.status = AppointmentStatus.ARRIVED
    appointment.checked_in_at = now
    session.flush()
    return appointment


def _booker_number(session: Session, appointment: Appointment) -> str | None:
    if appointment.booked_by_number:
        return appointment.booked_by_number
    return family_contact_number(session, appointment.booked_by_contact_id)


def _notify(
    session: Session,
    *,
    person_id: int,
    booked_by_number: str | None,
    body: str,
    key_prefix: str,
) -> int:
    """SMS the patient's mobile (or call their landline) and the family number that booked."""
    phones = patient_phones(session, {person_id})[person_id]
    own = {p.number for p in phones}
    sent = 0
    if phones:
        first = phones[0]
        kind = OutboxKind.SMS if first.kind is PhoneKind.MOBILE else OutboxKind.CALL
        enqueue_message(
            session, kind=kind, to_number=first.number, body=body,
            idempotency_key=f"{key_prefix}:patient",
        )
        sent += 1
    if booked_by_number and booked_by_number not in own:
        enqueue_message(
            session, kind=OutboxKind.SMS, to_number=booked_by_number, body=body,
            idempotency_key=f"{key_prefix}:booker",
        )
        sent += 1
    return sent


def _count_noshows(session: Session, person_id: int, today: date, window_days: int) -> int:
    since = today - timedelta(days=window_days)
    return int(
        session.scalar(
            select(func.count(Appointment.id)).where(
                Appointment.patient_id == person_id,
                Appointment.status == AppointmentStatus.NOSHOW,
                Appointment.day > since,
                Appointment.day <= today,
            )
        )
        or 0
    )


def mark_no_show(
    session: Session, *, appointment_id: int, now: datetime, hospital_id: int | None = None
) -> NoShowResult:
    """booked -> noshow on or after the appointment day, and apply the no-show penalty.

    The patient's no-shows within the rules' window (365 days by default; this one
    included) give the suspension from the hospital's rules; `booking_suspended_until`
    only ever moves later. The patient (and a family number that booked) get an SMS
    explaining it. Marking twice is a no-op.
    """
    appointment, hospital = load_appointment(session, appointment_id, hospital_id)
    today = local_today(now)
    person = session.get(Person, appointment.patient_id)
    assert person is not None
    rules = BookingRules.from_json(hospital.rules)
    if appointment.status is AppointmentStatus.NOSHOW:
        count = _count_noshows(session, person.id, today, rules.noshow_window_days)
        return NoShowResult(count, 0, person.booking_suspended_until)
    if appointment.status is not AppointmentStatus.BOOKED:
        raise DeskConflict(
            f"这条预约的状态是“{STATUS_LABELS.get(appointment.status, '')}”，不能标记爽约。"
        )
    if appointment.day > today:
        raise DeskConflict("就诊日还没到，不能标记爽约。")
    appointment.status = AppointmentStatus.NOSHOW
    session.flush()
    count = _count_noshows(session, person.id, today, rules.noshow_window_days)
    days = rules.suspension_days(count)
    until: date | None = None
    if days > 0:
        until = today + timedelta(days=days)
        if person.booking_suspended_until is None or person.booking_suspended_until < until:
            person.booking_suspended_until = until
        until = person.booking_suspended_until
    session.flush()
    body = _noshow_sms(
        hospital=hospital.short_name or hospital.name,
        day=appointment.day,
        session_label=SESSION_LABELS[appointment.session],
        count=count,
        days=days,
        until=until,
        window="一年" if rules.noshow_window_days == 365 else f"{rules.noshow_window_days}天",
    )
    _notify(
        session,
        person_id=person.id,
        booked_by_number=_booker_number(session, appointment),
        body=body,
        key_prefix=f"hospital-noshow:{appointment.id}",
    )
    return NoShowResult(count, days, until)


def _cn_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _noshow_sms(
    *, hospital: str, day: date, session_label: str, count: int, days: int,
    until: date | None, window: str,
) -> str:
    text_ = texts.sms(
        "appointment_noshow",
        day=_cn_day(day),
        session=session_label,
        hospital=hospital,
        window=window,
        count=count,
    )
    if days > 0 and until is not None:
        return text_ + texts.text(
            "sms", "appointment_noshow_suspended", days=days, until=_cn_day(until)
        )
    return text_ + texts.text("sms", "appointment_noshow_warning")


def stop_session(
    session: Session,
    *,
    schedule_id: int,
    now: datetime,
    reason: str,
    hospital_id: int | None = None,
    actor_id: int | None = None,
) -> StopResult:
    """The doctor stops this session: schedule stopped, slots busy-unavailable, every booked
    appointment cancelled with the reason, each patient (and the family booker) told once.
    The stop is audited once, by `actor_id` (the console's staff user; None: the system);
    stopping a session that is already stopped changes nothing and is not audited again."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise DeskError("请填写停诊原因。")
    _lock(session, Schedule, schedule_id)
    row = session.execute(
        select(Schedule, Doctor, Department, Hospital)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(Schedule.id == schedule_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None or (hospital_id is not None and row[3].id != hospital_id):
        raise DeskNotFound(SCHEDULE_NOT_FOUND)
    schedule, doctor, department, hospital = row
    newly_stopped = schedule.status != ScheduleStatus.STOPPED
    schedule.status = ScheduleStatus.STOPPED
    slots = session.scalars(select(Slot).where(Slot.schedule_id == schedule_id)).all()
    for slot in slots:
        slot.status = SlotStatus.BUSY_UNAVAILABLE
    booked = session.scalars(
        select(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Slot.schedule_id == schedule_id, Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.id)
    ).all()
    for appointment in booked:
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancel_reason = f"{STOP_REASON_PREFIX}{reason}"[:100]
    try:
        session.flush()
    except StaleDataError as exc:  # a booking changed a slot at the same moment
        raise DeskConflict("刚好有人在预约这个出诊，请再点一次停诊。") from exc
    # The cars to the appointments follow `hospital_trips.car_fate`: a car booked for the
    # appointment is cancelled, a ride booked before and only joined is kept. Each patient
    # still gets one message, which says both; whoever booked the car gets it too.
    from app.taxi import hospital_trips

    messages = rides_cancelled = 0
    for appointment in booked:
        car = hospital_trips.after_cancel(
            session, appointment_id=appointment.id, by=hospital_trips.Canceller.STOPPED_SESSION,
            reason=f"{STOP_REASON_PREFIX}{reason}"[:100],
        )
        cancelled = car is not None and car.fate is hospital_trips.CarFate.CANCELLED
        rides_cancelled += cancelled
        body = texts.sms(
            "session_stopped_with_ride" if cancelled else "session_stopped",
            hospital=hospital.short_name or hospital.name,
            department=department.name,
            doctor=doctor.name,
            day=_cn_day(schedule.day),
            session=SESSION_LABELS[schedule.session],
            reason=reason,
        )
        if car is not None and not cancelled:
            body += car.sentence(now)
        booker = _booker_number(session, appointment)
        key_prefix = f"hospital-stop:{appointment.id}"
        messages += _notify(
            session,
            person_id=appointment.patient_id,
            booked_by_number=booker,
            body=body,
            key_prefix=key_prefix,
        )
        if car is not None:
            told = {p.number for p in patient_phones(session, {appointment.patient_id})[
                appointment.patient_id]}
            messages += hospital_trips.tell_car_booker(
                session, car, body=body, key=key_prefix, told=told | {booker or ""},
            )
    if newly_stopped:
        audit.record(
            session,
            hospital_id=hospital.id,
            actor_id=actor_id,
            now=now,
            action="session_stopped",
            **_audited_session(schedule, doctor, department),
            reason=reason,
            cancelled=len(booked),
            rides_cancelled=rides_cancelled,
        )
    return StopResult(cancelled=len(booked), messages=messages, rides_cancelled=rides_cancelled)


def _audited_session(
    schedule: Schedule, doctor: Doctor, department: Department
) -> dict[str, str]:
    """What an audit entry of a 停诊 or its undo says of the session (never a patient)."""
    return {
        "target": f"schedule:{schedule.id}",
        "day": schedule.day.isoformat(),
        "session": SESSION_LABELS[schedule.session],
        "doctor": doctor.name,
        "department": department.display_name or department.name,
    }


def _stopped_schedule(
    session: Session, schedule_id: int, hospital_id: int
) -> tuple[Schedule, Doctor, Department]:
    row = session.execute(
        select(Schedule, Doctor, Department)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(Schedule.id == schedule_id, Department.hospital_id == hospital_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise DeskNotFound(SCHEDULE_NOT_FOUND)
    return row[0], row[1], row[2]


def cancelled_by_stop(session: Session, *, schedule_id: int) -> int:
    """How many bookings of the session a 停诊 cancelled (an undo does not bring them back)."""
    return session.scalar(
        select(func.count(Appointment.id))
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(
            Slot.schedule_id == schedule_id,
            Appointment.status == AppointmentStatus.CANCELLED,
            Appointment.cancel_reason.startswith(STOP_REASON_PREFIX),
        )
    ) or 0


def check_reopenable(
    session: Session, *, schedule_id: int, hospital_id: int, now: datetime
) -> tuple[Schedule, Doctor, Department]:
    """The stopped session of this hospital that may be reopened now, or `DeskError`."""
    schedule, doctor, department = _stopped_schedule(session, schedule_id, hospital_id)
    if schedule.status != ScheduleStatus.STOPPED:
        raise DeskConflict("这个出诊没有停诊，不用撤销。")
    if schedule.day < local_today(now):
        raise DeskConflict("这个出诊的日子已经过去，不能撤销停诊。")
    if schedule.source == WITHDRAWN:  # the plan took it away; the plan brings it back
        raise DeskConflict(
            "这个出诊是排班调整后撤下的，不是在这里停诊的；要恢复，请在“医院管理”里恢复排班。"
        )
    if not doctor.active:
        raise DeskConflict(
            f"{doctor.name}已停用，撤销停诊也约不了新号。请先在“医院管理”里启用医生。"
        )
    return schedule, doctor, department


def reopen_session(
    session: Session, *, schedule_id: int, hospital_id: int, actor_id: int | None, now: datetime
) -> int:
    """Undo a 停诊 while its day is not past: the session runs again and every slot no live
    booking holds and the HIS has not withdrawn is free for new bookings. The bookings the
    stop cancelled stay cancelled (the patients were told; the cars too). Audited. Returns
    how many stay cancelled."""
    _lock(session, Schedule, schedule_id)
    schedule, doctor, department = check_reopenable(
        session, schedule_id=schedule_id, hospital_id=hospital_id, now=now
    )
    held = set(
        session.scalars(
            select(Appointment.slot_id)
            .join(Slot, Slot.id == Appointment.slot_id)
            .where(Slot.schedule_id == schedule.id, Appointment.status.in_(LIVE))
        )
    )
    schedule.status = ScheduleStatus.ACTIVE
    for slot in session.scalars(select(Slot).where(Slot.schedule_id == schedule.id)):
        if slot.id in held:
            slot.status = SlotStatus.BUSY
        elif slot.his_withdrawn:  # the HIS took it away, before the stop or during it
            slot.status = SlotStatus.BUSY_UNAVAILABLE
        else:
            slot.status = SlotStatus.FREE
    kept_cancelled = cancelled_by_stop(session, schedule_id=schedule.id)
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="session_reopened",
        **_audited_session(schedule, doctor, department),
        still_cancelled=kept_cancelled,
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise DeskConflict("刚好有人在改这个出诊，请再点一次。") from exc
    return kept_cancelled


def family_contact_number(session: Session, contact_id: int | None) -> str | None:
    """The phone of a family contact (used when a booking has only the contact id)."""
    if contact_id is None:
        return None
    contact = session.get(FamilyContact, contact_id)
    return contact.phone if contact is not None else None
