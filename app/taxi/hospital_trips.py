"""Hospital trips: a booked ride that takes a patient to an appointment, linked to it.

After a phone booking (and in the reminder call the day before) the caller is offered a
car: a ride booked ahead (`app.taxi.ahead.book`) from the patient's home (else their first
saved place) to the hospital, picking them up `IVR_APPOINTMENT_RIDE_LEAD_MINUTES` before
the clinic session starts, marked as a trip to hospital (its priority), and linked to the
appointment in `hospital_trips`.

- A ride the patient booked already for the same half-day is **joined** instead of
  booking a second car; when it would pick them up later than the trip needs, it is moved
  to the trip's pickup time (the appointment decides) and the caller is told the time.
- Cancelling the appointment cancels the linked ride (`cancel_for`) unless another live
  appointment of the same morning still uses it; by phone the caller is asked first, in the
  consoles it goes with the appointment. Moving it moves the ride (`move_for`), or cancels
  it when the new time cannot be served by a booked ride (too soon, outside the hours).

Every function is one unit of work on the caller's session; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.local_time import local_now, local_today
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.models import Appointment, Department, Hospital, Slot
from app.people.age import age_on
from app.people.enums import PlaceKind
from app.people.models import Person, SavedPlace
from app.scheduler.enums import JobKind, JobStatus
from app.scheduler.jobs import schedule
from app.scheduler.models import ScheduledJob
from app.taxi import ahead, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from app.taxi.rules import ride_priority

NOON = time(12, 0)
CANCEL_REASON = "看病的号取消了，去医院的车一起取消"


class TripRefused(Exception):
    """No trip can be booked: `code` is no_place (no address on file), too_late (the pickup
    is past or sooner than a booked ride allows), hours (outside the service hours) or far
    (beyond the booking window: the reminder call the day before offers it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Trip:
    ride: Ride
    pickup_at: datetime
    joined: bool  # a ride booked already for that morning now takes them to hospital
    moved: bool = False  # ... and was moved earlier for it


@dataclass(frozen=True)
class MoveResult:
    ride: Ride
    moved: bool  # False: the ride was cancelled (the new time cannot be served)


# --- reading -----------------------------------------------------------------------------


def trip_of(session: Session, appointment_id: int) -> HospitalTrip | None:
    return session.scalar(select(HospitalTrip).where(HospitalTrip.appointment_id == appointment_id))


def booked_ride_of(session: Session, appointment_id: int) -> Ride | None:
    """The linked ride while it is still booked ahead (not released, not cancelled)."""
    trip = trip_of(session, appointment_id)
    if trip is None:
        return None
    ride = session.get(Ride, trip.ride_id, populate_existing=True)
    return ride if ride is not None and ride.status == RideStatus.SCHEDULED else None


def session_start(session: Session, appointment: Appointment) -> datetime:
    """When the appointment's clinic session starts (its first slot), local, aware."""
    slot = session.get(Slot, appointment.slot_id)
    assert slot is not None
    first = session.scalar(
        select(func.min(Slot.start_time)).where(Slot.schedule_id == slot.schedule_id)
    )
    start = first or slot.start_time
    return ahead.pickup_time(appointment.day, start.hour, start.minute)


def pickup_for(session: Session, appointment: Appointment, settings: Settings) -> datetime:
    return session_start(session, appointment) - timedelta(
        minutes=settings.appointment_ride_lead_minutes
    )


def pickup_place(session: Session, person_id: int) -> SavedPlace | None:
    """Home first, else the first saved place."""
    places = list(
        session.scalars(
            select(SavedPlace)
            .where(SavedPlace.person_id == person_id)
            .order_by(SavedPlace.position)
        )
    )
    home = next((p for p in places if p.kind == PlaceKind.HOME), None)
    return home or (places[0] if places else None)


def same_morning_ride(
    session: Session, *, person_id: int, appointment: Appointment
) -> Ride | None:
    """A ride the patient booked ahead for the appointment's half-day (morning or afternoon)."""
    for ride in ahead.booked_rides_of(session, person_id=person_id, number=None):
        if ride.pickup_at is None:
            continue
        local = local_now(ride.pickup_at)
        morning = local.time() < NOON
        if local.date() == appointment.day and morning == (appointment.session == ClinicSession.AM):
            return ride
    return None


def destination(session: Session, appointment: Appointment) -> tuple[str, str]:
    """The hospital's full name and address."""
    row = session.execute(
        select(Hospital.name, Hospital.address)
        .join(Department, Department.hospital_id == Hospital.id)
        .where(Department.id == appointment.department_id)
    ).one()
    return row[0], row[1]


def check(session: Session, *, appointment_id: int, now: datetime, settings: Settings) -> datetime:
    """The pickup time of a new trip, or TripRefused: what `book` would refuse."""
    appointment = _appointment(session, appointment_id)
    if pickup_place(session, appointment.patient_id) is None:
        raise TripRefused("no_place")
    pickup_at = pickup_for(session, appointment, settings)
    problem = ahead.problem(pickup_at, now, AheadRules.from_settings(settings))
    if problem in ("past", "soon"):
        raise TripRefused("too_late")
    if problem is not None:
        raise TripRefused(problem)
    return pickup_at


def planned_pickup(
    session: Session, *, appointment_id: int, now: datetime, settings: Settings
) -> datetime:
    """The pickup `book` would give: a ride of that morning joined (moved earlier when it
    is later than the trip needs), else a new trip's (TripRefused when none can be)."""
    appointment = _appointment(session, appointment_id)
    existing = same_morning_ride(session, person_id=appointment.patient_id, appointment=appointment)
    if existing is not None and existing.pickup_at is not None:
        needed = pickup_for(session, appointment, settings)
        if existing.pickup_at > needed and ahead.problem(
            needed, now, AheadRules.from_settings(settings)
        ) is None:
            return needed
        return existing.pickup_at
    return check(session, appointment_id=appointment_id, now=now, settings=settings)


def join_morning_ride(
    session: Session, *, appointment_id: int, now: datetime, settings: Settings
) -> Trip | None:
    """A booking just made: a ride the patient booked ahead for that morning takes them to
    hospital (linked, moved earlier if needed). None when there is no such ride."""
    appointment = _appointment(session, appointment_id)
    existing = same_morning_ride(session, person_id=appointment.patient_id, appointment=appointment)
    if existing is None:
        return None
    return book(
        session, appointment_id=appointment_id, now=now, settings=settings,
        caller_number=existing.caller_number,
    )


# --- booking -----------------------------------------------------------------------------


def book(
    session: Session,
    *,
    appointment_id: int,
    now: datetime,
    settings: Settings,
    caller_number: str | None,
    call_id: str | None = None,
) -> Trip:
    """Book the trip (or join the morning's ride) and link it to the appointment. A trip
    already linked and still booked is returned as it is (a retried step books nothing)."""
    appointment = _appointment(session, appointment_id)
    linked = booked_ride_of(session, appointment_id)
    if linked is not None and linked.pickup_at is not None:
        return Trip(linked, linked.pickup_at, joined=True)
    rules = AheadRules.from_settings(settings)
    pickup_at = pickup_for(session, appointment, settings)
    existing = same_morning_ride(session, person_id=appointment.patient_id, appointment=appointment)
    hospital_name, hospital_address = destination(session, appointment)
    person = session.get(Person, appointment.patient_id)
    assert person is not None
    priority = ride_priority(age=age_on(person.birth_date, local_today(now)), to_hospital=True)
    if existing is not None and existing.pickup_at is not None:
        moved = existing.pickup_at > pickup_at and ahead.problem(pickup_at, now, rules) is None
        if moved:
            move_booked(session, existing, pickup_at=pickup_at, now=now, rules=rules)
        existing.to_hospital = True
        existing.destination = existing.destination or f"{hospital_name}（{hospital_address}）"
        existing.priority = max(existing.priority, priority)
        _link(session, appointment_id, existing.id, joined=True)
        session.flush()
        assert existing.pickup_at is not None
        return Trip(existing, existing.pickup_at, joined=True, moved=moved)
    pickup_at = check(session, appointment_id=appointment_id, now=now, settings=settings)
    place = pickup_place(session, appointment.patient_id)
    assert place is not None
    ride = Ride(
        person_id=person.id,
        call_id=call_id,
        caller_number=caller_number,
        status=RideStatus.DRAFT,
        pickup_place_id=place.id,
        pickup_address=place.address,
        destination=f"{hospital_name}（{hospital_address}）",
        to_hospital=True,
        priority=priority,
    )
    session.add(ride)
    session.flush()
    ahead.book(session, ride, pickup_at=pickup_at, now=now, rules=rules)
    _link(session, appointment_id, ride.id, joined=False)
    return Trip(ride, pickup_at, joined=False)


def move_booked(
    session: Session, ride: Ride, *, pickup_at: datetime, now: datetime, rules: AheadRules
) -> None:
    """Move a booked ride's pickup: its pending release and reminder jobs move with it."""
    ride.pickup_at = pickup_at
    rides._flush(session, ride)
    release_at = pickup_at - timedelta(minutes=rules.release_minutes)
    _move_job(session, f"release_ride:{ride.id}", due_at=release_at, drop_after=None)
    remind_at = ahead.reminder_time(pickup_at, rules)
    key = f"remind_ride:{ride.id}"
    if remind_at is None or remind_at <= now or ride.caller_number is None:
        _move_job(session, key, due_at=None, drop_after=None)
        return
    if not _move_job(session, key, due_at=remind_at, drop_after=remind_at + ahead.REMINDER_GRACE):
        schedule(
            session, kind=JobKind.REMIND_RIDE, subject_id=ride.id, due_at=remind_at, key=key,
            drop_after=remind_at + ahead.REMINDER_GRACE,
        )


# --- when the appointment changes --------------------------------------------------------


def cancel_for(
    session: Session, *, appointment_id: int, reason: str = CANCEL_REASON, notify: bool = True
) -> Ride | None:
    """The appointment was cancelled: cancel its booked ride, unless another live
    appointment shares it. The ride cancelled, or None."""
    ride = booked_ride_of(session, appointment_id)
    if ride is None:
        return None
    others = session.scalar(
        select(func.count(HospitalTrip.id))
        .join(Appointment, Appointment.id == HospitalTrip.appointment_id)
        .where(
            HospitalTrip.ride_id == ride.id,
            HospitalTrip.appointment_id != appointment_id,
            Appointment.status == AppointmentStatus.BOOKED,
        )
    )
    if others:
        return None
    return rides.cancel(
        session, ride_id=ride.id, expected_version=ride.version, reason=reason, notify=notify
    )


def move_for(
    session: Session, *, old_id: int, new_id: int, now: datetime, settings: Settings
) -> MoveResult | None:
    """The appointment moved to another session: the link follows, the ride is moved to
    the new pickup time, or cancelled when that time cannot be served. None: no ride."""
    ride = booked_ride_of(session, old_id)
    trip = trip_of(session, old_id)
    if ride is None or trip is None:
        return None
    trip.appointment_id = new_id
    session.flush()
    try:
        pickup_at = check(session, appointment_id=new_id, now=now, settings=settings)
    except TripRefused:
        cancel_for(session, appointment_id=new_id)
        return MoveResult(ride, moved=False)
    rules = AheadRules.from_settings(settings)
    move_booked(session, ride, pickup_at=pickup_at, now=now, rules=rules)
    return MoveResult(ride, moved=True)


# --- helpers -----------------------------------------------------------------------------


def _appointment(session: Session, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise LookupError(appointment_id)
    return appointment


def _link(session: Session, appointment_id: int, ride_id: int, *, joined: bool) -> None:
    trip = trip_of(session, appointment_id)
    if trip is None:
        session.add(HospitalTrip(appointment_id=appointment_id, ride_id=ride_id, joined=joined))
    else:  # the link of a ride cancelled meanwhile: point it at the new one
        trip.ride_id, trip.joined = ride_id, joined
    session.flush()


def _move_job(
    session: Session, key: str, *, due_at: datetime | None, drop_after: datetime | None
) -> bool:
    """Move a pending job (None: drop it). False when there is no pending job of that key."""
    values: dict[str, object] = {"status": JobStatus.DROPPED}
    if due_at is not None:
        values = {"due_at": due_at, "drop_after": drop_after}
    result = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.key == key, ScheduledJob.status == JobStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))

