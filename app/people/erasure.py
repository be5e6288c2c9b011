"""Deregistration with erasure: the person's personal data goes, the history stays.

Erased (docs/registration.md): name, call name, resident ID, birth date and sex, notes;
their phone numbers, saved places and family contacts (rows deleted); on their rides the
caller's number and name, addresses, transcript and recording; on their appointments who
booked them; their calls' caller number, engine state, what they said and keyed beyond
a menu key, and the prompts read to them; the same on calls others made for them (a
relative's call that ordered their ride or booking, or that named them), whose link to
their ride or appointment is also cut; messages to their numbers or naming them;
recording files of those calls (recordings Twilio keeps are queued by sid alone and
deleted at Twilio by the next retention run, app/retention); the details in their audit
trail, and their name where another person's trail says a number was moved to them.

Kept, without personal fields: the person row (id, community, registration and consent
record, dates) so rides, appointments, calls and statistics keep their links; each ride's
status, times, driver and hospital flag; each appointment's hospital, department, day and
status; each call's times, status and the kinds of its steps (the age-friendliness report).

Refused while a ride is under way or a future booking is live: those are finished or
cancelled first, so no driver or doctor is left with a nameless passenger or patient.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from app.calls.models import Call, CallSession, CallStep
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, FamilyDoctorPatient, IdentityFailure
from app.notify.models import OutboxMessage
from app.people import audit
from app.people.audit import Actor
from app.people.models import Person, PersonAuditEntry, PersonPhone
from app.people.names import polite_name
from app.people.registration import RegistrationError
from app.retention.models import queue_recording_deletion
from app.taxi.enums import RideStatus
from app.taxi.models import RegularRide, Ride
from app.taxi.rides import LIVE

ERASED_NAME = "已注销"
ERASED_TEXT = "[已删除]"
ERASED_TRAIL = "（内容已随注销删除）"
MENU_KEY_LENGTH = 2  # keys up to two digits are menu choices; longer input may be an ID


def erase_person(
    session: Session,
    *,
    person_id: int,
    changed_by: Actor,
    today: date,
    recordings_dir: Path | None = None,
    now: datetime | None = None,
) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise RegistrationError("unknown_person", "找不到这位老人")
    if person.erased_at is not None:
        raise RegistrationError("already_erased", "这位老人已经注销过了")
    numbers = {p.number for p in person.phones} | _former_numbers(session, person)
    contact_numbers = {c.phone for c in person.contacts}
    contact_ids = [c.id for c in person.contacts]
    names = {n for n in (person.full_name, person.call_name) if n}
    # Rides from their numbers count when no one else's: a number moved (改绑) from another
    # person keeps that person's earlier rides theirs.
    ride_filter = or_(
        Ride.person_id == person.id, Ride.caller_number.in_(numbers) & Ride.person_id.is_(None)
    )
    # A ride booked ahead (status scheduled) is not in the live queue yet, but under way too.
    under_way = (*LIVE, RideStatus.SCHEDULED)
    if session.scalar(select(Ride.id).where(ride_filter, Ride.status.in_(under_way)).limit(1)):
        raise RegistrationError("ride_under_way", "这位老人还有没结束的叫车，等车的事办完再注销")
    if session.scalar(
        select(Appointment.id)
        .where(
            Appointment.patient_id == person.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.day >= today,
        )
        .limit(1)
    ):
        raise RegistrationError("booking_ahead", "这位老人还有没到日子的挂号，请先取消再注销")

    moment = now or datetime.now(UTC)
    ride_ids = set(session.scalars(select(Ride.id).where(ride_filter)))
    appointment_ids = set(
        session.scalars(select(Appointment.id).where(Appointment.patient_id == person.id))
    )
    _erase_appointments(session, person.id, contact_ids, numbers | contact_numbers)
    session.execute(delete(IdentityFailure).where(IdentityFailure.person_id == person.id))
    greeting = polite_name(
        full_name=person.full_name,
        gender=person.gender,
        birth_date=person.birth_date,
        today=today,
        call_name=person.call_name,
    )
    marks = names | numbers | {person.id_number or ""} | {p.address for p in person.places}
    marks.discard("")
    marks.add(greeting)
    calls = _calls_about(
        session, person, numbers, contact_numbers, marks, ride_ids | {-i for i in appointment_ids}
    )
    _erase_calls(session, person, calls, recordings_dir, moment)
    _erase_rides(session, ride_filter, recordings_dir, moment)
    _erase_messages(session, numbers, names, contact_numbers, greeting)
    _erase_messages_about(session, ride_ids, appointment_ids)

    person.full_name = ERASED_NAME
    person.call_name = person.id_number = person.gender = person.notes = None
    person.birth_date = person.unbound_numbers = None
    person.active = False
    person.deactivated_at = person.deactivated_at or moment
    person.erased_at = moment
    # Their regular rides (定期用车) hold their address: the rules go; past instances stay
    # as erased rides, unlinked.
    session.execute(
        update(Ride).where(Ride.regular_ride_id.in_(
            select(RegularRide.id).where(RegularRide.person_id == person.id)
        )).values(regular_ride_id=None).execution_options(synchronize_session=False)
    )
    session.execute(delete(RegularRide).where(RegularRide.person_id == person.id))
    person.phones.clear()
    person.places.clear()
    person.contacts.clear()
    # A signing with a family doctor names the person: it goes (the doctor's list too).
    session.execute(delete(FamilyDoctorPatient).where(FamilyDoctorPatient.person_id == person.id))
    session.flush()
    session.execute(
        update(PersonAuditEntry)
        .where(PersonAuditEntry.person_id == person.id)
        .values(changes=ERASED_TRAIL)
    )
    audit.blank_rebound_names(session, person)
    audit.record(
        session,
        person,
        actor=changed_by,
        action=audit.ERASED,
        lines=[
            "注销：姓名、身份证号、电话、地址、家属和录音已删除；叫车和挂号记录保留（不含个人信息）"
        ],
        now=moment,
    )
    return person


def _erase_rides(
    session: Session, ride_filter: Any, recordings_dir: Path | None, now: datetime
) -> None:
    rides = list(session.scalars(select(Ride).where(ride_filter)))
    for ride in rides:
        _remove_recording(recordings_dir, ride.pickup_recording_url)
        queue_recording_deletion(session, ride.pickup_recording_url, now)
        ride.caller_number = ride.caller_name = None
        ride.pickup_place_id = None
        ride.pickup_address = ride.pickup_recording_url = ride.pickup_transcript = None
        ride.destination = None
    session.flush()


def _erase_appointments(
    session: Session, person_id: int, contact_ids: list[int], numbers: set[str]
) -> None:
    conditions = [Appointment.patient_id == person_id]
    if contact_ids:
        conditions.append(Appointment.booked_by_contact_id.in_(contact_ids))
    if numbers:
        conditions.append(Appointment.booked_by_number.in_(numbers))
    session.execute(
        update(Appointment)
        .where(or_(*conditions))
        .values(booked_by_number=None, booked_by_contact_id=None)
        .execution_options(synchronize_session=False)
    )


def _former_numbers(session: Session, person: Person) -> set[str]:
    """A deactivated person's numbers, unless someone else holds them now (whose calls and
    rides from that number are theirs)."""
    former = set(person.former_numbers)
    held = set(session.scalars(select(PersonPhone.number).where(PersonPhone.number.in_(former))))
    return former - held


def _calls_about(
    session: Session,
    person: Person,
    numbers: set[str],
    contact_numbers: set[str],
    marks: set[str],
    records: set[int],
) -> list[Call]:
    """The person's own calls, the calls that made their rides and bookings (a relative's
    call for them), and their contacts' other calls whose saved state or steps name them
    (a relative who heard their name in the 给谁叫车 menu, say) or hold one of their rides or
    bookings (a relative who called again to cancel the ride). `records`: ride ids, and
    booking ids negated."""
    own = or_(
        Call.person_id == person.id,
        Call.from_number.in_(numbers) & Call.person_id.is_(None),
        Call.id.in_(select(Ride.call_id).where(Ride.person_id == person.id)),
        Call.id.in_(select(Appointment.call_id).where(Appointment.patient_id == person.id)),
    )
    calls = list(session.scalars(select(Call).where(own)))
    seen = {call.id for call in calls}
    if contact_numbers:
        for call in session.scalars(select(Call).where(Call.from_number.in_(contact_numbers))):
            if call.id not in seen and (
                _mentions(session, call.id, marks) or _holds(session, call.id, records)
            ):
                calls.append(call)
    return calls


def _holds(session: Session, call_id: str, records: set[int]) -> bool:
    """The call's saved state (its flow variables) points at one of the person's rides or
    bookings."""
    state = session.get(CallSession, call_id)
    if state is None:
        return False
    found = dict(state.data)
    found.update(state.data.get("vars") or {})
    for key, value in found.items():
        if isinstance(value, int) and not isinstance(value, bool):
            if key.endswith("ride_id") and value in records:
                return True
            if key.endswith("appointment_id") and -value in records:
                return True
    return False


def _mentions(session: Session, call_id: str, marks: set[str]) -> bool:
    state = session.get(CallSession, call_id)
    texts = [json.dumps(state.data, ensure_ascii=False, default=str)] if state else []
    for step in session.scalars(select(CallStep).where(CallStep.call_id == call_id)):
        texts.append(json.dumps([step.event, step.outputs], ensure_ascii=False, default=str))
    return any(mark in text for text in texts for mark in marks)


def _erase_calls(
    session: Session,
    person: Person,
    calls: list[Call],
    recordings_dir: Path | None,
    now: datetime,
) -> None:
    made_by_others = [call.id for call in calls if call.person_id != person.id]
    for call in calls:
        call.from_number = None
        state = session.get(CallSession, call.id)
        if state is not None:
            for value in [*state.data.values(), *(state.data.get("vars") or {}).values()]:
                if isinstance(value, str):
                    queue_recording_deletion(session, value, now)
            state.data = {}
        for step in session.scalars(select(CallStep).where(CallStep.call_id == call.id)):
            queue_recording_deletion(session, step.event.get("recording_url"), now)
            step.event = _bare_event(step.event)
            step.outputs = [{"kind": o.get("kind")} for o in step.outputs]
        if recordings_dir is not None and recordings_dir.is_dir():
            for path in recordings_dir.glob(f"{call.id}-*"):
                path.unlink(missing_ok=True)
    if made_by_others:  # nothing ties a relative's (or a stranger's) call to the person
        for model, owner in ((Ride, Ride.person_id), (Appointment, Appointment.patient_id)):
            session.execute(
                update(model)
                .where(owner == person.id, model.call_id.in_(made_by_others))
                .values(call_id=None)
                .execution_options(synchronize_session=False)
            )
    session.flush()


def _bare_event(event: dict[str, Any]) -> dict[str, Any]:
    """What the report reads: the kind, a menu key, whether speech had words."""
    bare: dict[str, Any] = {"kind": event.get("kind")}
    if "digits" in event:
        digits = str(event["digits"] or "")
        bare["digits"] = digits if len(digits) <= MENU_KEY_LENGTH else ERASED_TEXT
    if "text" in event:
        bare["text"] = ERASED_TEXT if event["text"] else ""
    return bare


def _erase_messages(
    session: Session,
    numbers: set[str],
    names: set[str],
    contact_numbers: set[str],
    greeting: str,
) -> None:
    """Messages to their numbers, naming them, or to their contacts naming them the way the
    hotline does (已为张奶奶派车: a greeting alone is too common to look for anywhere else)."""
    conditions: list[ColumnElement[bool]] = []
    if numbers:
        conditions.append(OutboxMessage.to_number.in_(numbers))
    conditions += [OutboxMessage.body.contains(name, autoescape=True) for name in names]
    if contact_numbers:
        conditions.append(
            OutboxMessage.to_number.in_(contact_numbers)
            & OutboxMessage.body.contains(greeting, autoescape=True)
        )
    if conditions:
        for message in session.scalars(select(OutboxMessage).where(or_(*conditions))):
            session.delete(message)
    session.flush()


def _erase_messages_about(session: Session, ride_ids: set[int], appointment_ids: set[int]) -> None:
    """Every message about one of their rides or bookings, whoever it went to (a relative's
    "car assigned" call names no one, but its number and key tie the relative to the ride)."""
    prefixes = [f"ride:{i}:" for i in ride_ids]
    for i in appointment_ids:
        prefixes += [f"appointment:{i}:", f"hospital-noshow:{i}:", f"hospital-stop:{i}:"]
    for start in range(0, len(prefixes), 200):  # bounded statements for a long history
        chunk = prefixes[start : start + 200]
        condition = or_(*[OutboxMessage.idempotency_key.startswith(p) for p in chunk])
        for message in session.scalars(select(OutboxMessage).where(condition)):
            session.delete(message)
    session.flush()


def _remove_recording(recordings_dir: Path | None, url: str | None) -> None:
    """A recording kept on disk (relative to the recordings folder) is deleted; one kept by
    Twilio is queued (`recording_deletions`) and deleted there by the next retention run
    (app/retention/job.py)."""
    if recordings_dir is None or not url or "://" in url:
        return
    folder = recordings_dir.resolve()
    path = (folder / url).resolve()
    if path.parent == folder and path.is_file():
        path.unlink(missing_ok=True)
