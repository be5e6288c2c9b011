"""The reminder call the day before an appointment: scheduled, placed, retried, recorded.

    booking (any channel)  -> try 1 scheduled: `remind_appointment:<appointment>:1`, due the
                              day before at IVR_APPOINTMENT_REMINDER_HOUR (local)
    scheduler, when due    -> an outbox `flow_call` to the patient's phone; Twilio fetches
                              /twilio/reminder/answer, which runs dialogs/reminder.yaml
    answering machine      -> Twilio's machine detection (AnsweredBy): a short message,
                              no menu; the try counts as not reached
    Twilio status callback -> /twilio/reminder/status: answered, the try is done; not
                              answered (no-answer, busy, failed, a machine), the next try
                              is scheduled IVR_APPOINTMENT_REMINDER_RETRY_MINUTES later, until
                              IVR_APPOINTMENT_REMINDER_TRIES; after the last, the family
                              contacts are texted (`appointment_reminder_unreached`)

Each try is a row of `appointment_reminders` (its status, the call's final status, the
patient's answer); its job is keyed by appointment and try number, so a retried callback
or a second scheduler never calls twice. A try is not placed when the booking is no longer
live (cancelled meanwhile: `skipped`), and is dropped when missed until `LATEST_HOUR`
(no reminder calls late in the evening). Bookings made after the reminder moment (the
same day, or the day before after the hour) get no call: the caller has just heard it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import texts
from app.core.config import Settings, get_settings
from app.core.db import insert_new
from app.core.local_time import LOCAL_TZ
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.models import Appointment, AppointmentReminder, Department, Hospital, Slot
from app.hospital.rules import spoken_clock
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.enums import PhoneKind
from app.people.models import FamilyContact, Person, PersonPhone
from app.scheduler.enums import JobKind
from app.scheduler.jobs import Handler, Job, schedule

logger = logging.getLogger(__name__)

LATEST_HOUR = 20  # no reminder call placed after 20:00 local: dropped
ANSWER_PATH = "/twilio/reminder/answer"
STATUS_PATH = "/twilio/reminder/status"
MOBILE_PREFIX = "+861"
# Twilio answering machine detection (the Calls API's `MachineDetection`): with
# DetectMessageEnd, Twilio fetches the answer URL once a person speaks (AnsweredBy=human)
# or, for a machine, after its greeting ends (machine_end_beep, machine_end_silence,
# machine_end_other), so a message left then is recorded whole. `unknown` is taken as a
# person: the menu is heard, and silence still reaches a person.
MACHINE_DETECTION = "DetectMessageEnd"
MACHINE_ANSWERS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)


def answered_by_machine(answered_by: str | None) -> bool:
    return (answered_by or "").strip().lower() in MACHINE_ANSWERS


def schedule_for(
    session: Session, appointment: Appointment, *, now: datetime, settings: Settings | None = None
) -> AppointmentReminder | None:
    """Schedule the first try for a booking just made; None when its moment has passed."""
    settings = settings or get_settings()
    day_before = appointment.day - timedelta(days=1)
    due_at = datetime.combine(day_before, time(settings.appointment_reminder_hour), tzinfo=LOCAL_TZ)
    if due_at <= now:
        return None
    return _schedule_try(session, appointment.id, attempt=1, due_at=due_at)


def _schedule_try(
    session: Session, appointment_id: int, *, attempt: int, due_at: datetime
) -> AppointmentReminder:
    reminder = insert_new(
        session, AppointmentReminder,
        appointment_id=appointment_id, attempt=attempt, due_at=due_at, status="pending",
    ) or session.scalars(
        select(AppointmentReminder).where(
            AppointmentReminder.appointment_id == appointment_id,
            AppointmentReminder.attempt == attempt,
        )
    ).one()
    local_day = due_at.astimezone(LOCAL_TZ).date()
    schedule(
        session,
        kind=JobKind.REMIND_APPOINTMENT,
        subject_id=reminder.id,
        due_at=due_at,
        key=f"remind_appointment:{appointment_id}:{attempt}",
        drop_after=datetime.combine(local_day, time(LATEST_HOUR), tzinfo=LOCAL_TZ),
    )
    return reminder


# --- the job: place one try ---------------------------------------------------------------


def place_call(session: Session, job: Job, now: datetime) -> None:
    """Scheduler handler: call the patient (through the outbox), unless the booking is gone."""
    reminder = session.get(AppointmentReminder, job.subject_id, populate_existing=True)
    if reminder is None or reminder.status != "pending":
        return
    appointment = session.get(Appointment, reminder.appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        reminder.status, reminder.finished_at = "skipped", now
        return
    number = patient_number(session, appointment.patient_id)
    if number is None:  # nobody to call: the family is told at once
        reminder.status, reminder.finished_at = "unanswered", now
        tell_family(session, appointment, tries=0, now=now)
        reminder.answer = "family_told"
        return
    enqueue_message(
        session,
        kind=OutboxKind.FLOW_CALL,
        to_number=number,
        body=json.dumps(
            {
                "answer": f"{ANSWER_PATH}?reminder={reminder.id}",
                "status": f"{STATUS_PATH}?reminder={reminder.id}",
                "machine_detection": MACHINE_DETECTION,
            }
        ),
        idempotency_key=f"reminder:{reminder.id}:call",
    )
    reminder.status = "calling"


def patient_number(session: Session, person_id: int) -> str | None:
    """The patient's first phone (a mobile before a landline)."""
    phones = list(
        session.scalars(
            select(PersonPhone).where(PersonPhone.person_id == person_id).order_by(PersonPhone.id)
        )
    )
    phones.sort(key=lambda p: p.kind != PhoneKind.MOBILE)
    return phones[0].number if phones else None


# --- the call -------------------------------------------------------------------------------


def attach_call(session: Session, *, reminder_id: int, call_sid: str) -> AppointmentReminder | None:
    """Twilio fetched the answer URL: the person picked up. The call's sid is kept so the
    flow (and a repeated callback) finds the try."""
    reminder = session.get(AppointmentReminder, reminder_id, populate_existing=True)
    if reminder is None:
        return None
    if reminder.call_sid is None:
        reminder.call_sid = call_sid
    if reminder.status in ("pending", "calling"):
        reminder.status = "answered"
    session.flush()
    return reminder


def machine_answered(
    session: Session, *, reminder_id: int, call_sid: str
) -> AppointmentReminder | None:
    """An answering machine (or fax) took the call: no menu is played, a short message is
    left, and the try counts as not reached (its final status schedules the next try, or
    tells the family after the last)."""
    reminder = session.get(AppointmentReminder, reminder_id, populate_existing=True)
    if reminder is None:
        return None
    if reminder.call_sid is None:
        reminder.call_sid = call_sid
    if reminder.status in ("pending", "calling"):
        reminder.status, reminder.answer = "machine", "machine"
    session.flush()
    return reminder


def reminder_of_call(session: Session, call_sid: str) -> AppointmentReminder | None:
    return session.scalar(
        select(AppointmentReminder).where(AppointmentReminder.call_sid == call_sid)
    )


def record_answer(session: Session, *, reminder_id: int | None, answer: str) -> None:
    """What the patient chose in the call (the latest choice wins; heard never overwrites)."""
    if reminder_id is None:
        return
    reminder = session.get(AppointmentReminder, reminder_id)
    if reminder is None or (answer == "heard" and reminder.answer):
        return
    reminder.answer = answer
    session.flush()


def call_finished(
    session: Session,
    *,
    reminder_id: int,
    call_status: str,
    now: datetime,
    settings: Settings,
) -> str:
    """Twilio's final status of a try. Returns what happened: done (answered or already
    handled), retry (the next try scheduled), family_told (the last try went unanswered)."""
    reminder = session.get(AppointmentReminder, reminder_id, populate_existing=True)
    if reminder is None or reminder.finished_at is not None:
        return "done"
    reminder.call_status = call_status[:20]
    reminder.finished_at = now
    if reminder.status == "answered":
        reminder.answer = reminder.answer or "heard"
        return "done"
    # no-answer, busy, failed, an answering machine (its answer stays "machine"), or ended
    # before our flow
    reminder.status = "unanswered"
    appointment = session.get(Appointment, reminder.appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return "done"
    if reminder.attempt < settings.appointment_reminder_tries:
        due_at = now + timedelta(minutes=settings.appointment_reminder_retry_minutes)
        _schedule_try(session, appointment.id, attempt=reminder.attempt + 1, due_at=due_at)
        return "retry"
    tell_family(session, appointment, tries=reminder.attempt, now=now)
    reminder.answer = "family_told"
    return "family_told"


def tell_family(session: Session, appointment: Appointment, *, tries: int, now: datetime) -> int:
    """Text the family contacts (mobiles) that the patient could not be reached."""
    patient = session.get(Person, appointment.patient_id)
    assert patient is not None
    own = {p.number for p in session.scalars(
        select(PersonPhone).where(PersonPhone.person_id == patient.id)
    )}
    numbers = [
        c.phone
        for c in session.scalars(
            select(FamilyContact)
            .where(FamilyContact.person_id == patient.id, FamilyContact.notify.is_(True))
            .order_by(FamilyContact.id)
        )
    ]
    if appointment.booked_by_number:
        numbers.append(appointment.booked_by_number)
    slot = session.get(Slot, appointment.slot_id)
    hospital = session.scalar(
        select(Hospital).join(Department, Department.hospital_id == Hospital.id)
        .where(Department.id == appointment.department_id)
    )
    assert slot is not None and hospital is not None
    body = texts.sms(
        "appointment_reminder_unreached",
        patient=patient.full_name,
        when=f"{'上午' if appointment.session == ClinicSession.AM else '下午'}"
        f"{spoken_clock(slot.start_time)}",
        hospital=hospital.name,
        department=appointment.department_name,
        tries=max(tries, 1),
    )
    sent: set[str] = set()
    for number in numbers:
        if number in own or number in sent or not number.startswith(MOBILE_PREFIX):
            continue
        enqueue_message(
            session, kind=OutboxKind.SMS, to_number=number, body=body,
            idempotency_key=f"reminder:{appointment.id}:unreached:sms:{number}",
        )
        sent.add(number)
    logger.info("reminder: patient not reached, %d family message(s)", len(sent))
    return len(sent)


# --- what staff see --------------------------------------------------------------------

# The patient's answer in the call, as the hospital's day list says it.
ANSWER_LABELS = {
    "heard": "已接听",
    "kept": "已接听，不取消",
    "has_ride": "已接听，已约车",
    "ride_booked": "已接听，约了车",
    "ride_joined": "已接听，约好的车送去",
    "cancelled": "已在电话里取消",
    "cancelled_both": "已在电话里取消，车也取消",
    "person": "已接听，转人工",
    "machine": "答录机接听，未接通",
    "family_told": "多次没有接通，已短信告诉家属",
}
# Per answer: confirmed (the patient is coming), cancelled, or not reached.
ANSWER_KINDS = {
    "heard": "confirmed", "kept": "confirmed", "has_ride": "confirmed",
    "ride_booked": "confirmed", "ride_joined": "confirmed", "person": "confirmed",
    "cancelled": "cancelled", "cancelled_both": "cancelled",
    "machine": "unreached", "family_told": "unreached",
}


@dataclass(frozen=True)
class ReminderOutcome:
    """The reminder call of one appointment so far, for the hospital's day list."""

    label: str  # 提醒电话：… after the word; "" when nothing is to be said yet
    kind: str  # confirmed, cancelled, unreached, calling, waiting


def outcomes(session: Session, appointment_ids: Collection[int]) -> dict[int, ReminderOutcome]:
    """The latest try of each appointment's reminder call (none: not in the dict)."""
    if not appointment_ids:
        return {}
    latest: dict[int, AppointmentReminder] = {}
    for reminder in session.scalars(
        select(AppointmentReminder)
        .where(AppointmentReminder.appointment_id.in_(list(appointment_ids)))
        .order_by(AppointmentReminder.appointment_id, AppointmentReminder.attempt)
    ):
        latest[reminder.appointment_id] = reminder
    result = {}
    for appointment_id, reminder in latest.items():
        outcome = outcome_of(reminder)
        if outcome is not None:
            result[appointment_id] = outcome
    return result


def outcome_of(reminder: AppointmentReminder) -> ReminderOutcome | None:
    if reminder.answer in ANSWER_LABELS:
        return ReminderOutcome(ANSWER_LABELS[reminder.answer], ANSWER_KINDS[reminder.answer])
    if reminder.status == "answered":
        return ReminderOutcome("已接听", "confirmed")
    if reminder.status == "calling":
        return ReminderOutcome("正在拨打", "calling")
    if reminder.status == "unanswered":
        return ReminderOutcome(f"第{reminder.attempt}次没有接通", "unreached")
    if reminder.status == "pending" and reminder.attempt > 1:
        when = reminder.due_at.astimezone(LOCAL_TZ)
        return ReminderOutcome(
            f"第{reminder.attempt - 1}次没有接通，{when:%H:%M}再打", "unreached"
        )
    return None  # not placed yet, or skipped (the booking was gone)


def job_handlers() -> Mapping[JobKind, Handler]:
    return {JobKind.REMIND_APPOINTMENT: place_call}
