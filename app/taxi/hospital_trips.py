"""Hospital trips: a booked ride that takes a patient to an appointment, linked to it.

After a phone booking (and in the reminder call the day before) the caller is offered a
car: a ride booked ahead (`app.taxi.ahead.book`) from the patient's home (else their first
saved place) to the hospital, picking them up `IVR_APPOINTMENT_RIDE_LEAD_MINUTES` before
the clinic session starts, marked as a trip to hospital (its priority), and linked to the
appointment in `hospital_trips`.

- A ride the patient booked already is never changed. It is **joined** (linked, no second
  car) only when it already goes to that hospital and already picks them up in time
  (`joinable_ride`). Any other ride booked for that half-day stays as it is and is named
  to the caller (`other_ride`); a new car is offered only when it would not double it
  (`ahead.overlapping_ride`, one car per hour), else a person can change the car.
- A ride of that half-day to that very hospital that picks up too late for the visit (a
  9:00 car to an 8:00 appointment) is the one exception to "never changed": the caller is
  told it would miss the visit and asked whether to replace it; only on their yes is it
  cancelled and the trip booked, in one savepoint (`replace_late_ride`), so one visit
  never has two cars. A car booked *after* the visit for its half-day that names no
  hospital ("去医院" unnamed, no destination) is checked the same way when it is booked,
  read out or the rider calls (`appointment_missed_by`); one booked before the visit stays
  named and unchanged when the visit is booked (`other_ride`).
- Cancelling the appointment: one rule, `car_fate` (a car booked for it goes with it; a
  joined ride is asked about by phone and kept by the consoles), applied by `after_cancel`
  for the consoles and by the phone's actions; a car another live appointment of that
  morning still uses is always kept. Moving it moves the ride (`move_for`), or cancels
  it when the new time cannot be served by a booked ride (too soon, outside the hours);
  a joined ride (booked before, not for this appointment) is never moved: it is kept.

Every function is one unit of work on the caller's session; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import texts
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
from app.taxi import ahead, notifications, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from app.taxi.rules import ride_priority

NOON = time(12, 0)
CANCEL_REASON = "看病的号取消了，去医院的车一起取消"
REPLACED_REASON = "赶不上看病的号，来电者换成了更早的车"
UNNAMED_HOSPITAL = "医院"  # "去医院" with no hospital named (ahead_readback.HOSPITAL)


class TripRefused(Exception):
    """No trip can be booked: `code` is no_place (no address on file), too_late (the pickup
    is past or sooner than a booked ride allows), hours (outside the service hours), far
    (beyond the booking window: the reminder call the day before offers it) or overlap (a
    ride of theirs within the hour: a person changes it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Trip:
    ride: Ride
    pickup_at: datetime
    joined: bool  # a ride booked already (to that hospital, in time) takes them, unchanged


@dataclass(frozen=True)
class MoveResult:
    ride: Ride
    moved: bool  # False: the ride was cancelled (the new time cannot be served), or kept
    # A ride booked before the appointment and only joined: never moved nor cancelled with
    # it; its owner changes it (by phone or through dispatch).
    kept: bool = False


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


def same_morning_rides(
    session: Session, *, person_id: int, appointment: Appointment, draft: Ride | None = None
) -> list[Ride]:
    """The rides the patient booked ahead for the appointment's half-day, soonest first;
    with `draft`, that car not booked yet among them (checked at its read-back)."""
    found = []
    rides = ahead.booked_rides_of(session, person_id=person_id, number=None)
    for ride in [*rides, draft] if draft is not None else rides:
        if ride.pickup_at is None:
            continue
        local = local_now(ride.pickup_at)
        morning = local.time() < NOON
        if local.date() == appointment.day and morning == (appointment.session == ClinicSession.AM):
            found.append(ride)
    if draft is not None:
        found.sort(key=lambda ride: ride.pickup_at or datetime.min)
    return found


def goes_to(ride: Ride, hospital_name: str) -> bool:
    """The ride's destination is that hospital (its full name, as trips and the taxi flow
    write it), not a short name, "医院" alone or anything else."""
    to = ride.destination or ""
    return to == hospital_name or to.startswith(f"{hospital_name}（")


def joinable_ride(session: Session, appointment: Appointment, settings: Settings) -> Ride | None:
    """A ride of that half-day that takes the patient there as it is: to that hospital,
    picking up no later than the trip needs. Nothing about it has to change."""
    needed = pickup_for(session, appointment, settings)
    hospital_name, _ = destination(session, appointment)
    for ride in same_morning_rides(session, person_id=appointment.patient_id,
                                   appointment=appointment):
        if ride.pickup_at is not None and ride.pickup_at <= needed and goes_to(
            ride, hospital_name
        ):
            return ride
    return None


def late_ride(
    session: Session,
    appointment: Appointment,
    settings: Settings,
    *,
    unnamed: bool = False,
    booked_before_too: bool = False,
    draft: Ride | None = None,
) -> Ride | None:
    """A ride of that half-day to the appointment's hospital that picks the patient up later
    than the trip needs (a 9:00 car to the hospital of an 8:00 visit): the car the caller
    meant for the visit, which would miss it. Not one linked to another live appointment
    (it serves that one). `unnamed` and `booked_before_too`: see `_may_be_for_the_visit`."""
    needed = pickup_for(session, appointment, settings)
    hospital_name, _ = destination(session, appointment)
    for ride in same_morning_rides(session, person_id=appointment.patient_id,
                                   appointment=appointment, draft=draft):
        if ride.pickup_at is None or ride.pickup_at <= needed:
            continue
        if not goes_to(ride, hospital_name) and not (
            unnamed and _may_be_for_the_visit(session, ride, appointment, booked_before_too)
        ):
            continue
        if not _serves_another(session, ride.id, appointment.id):
            return ride
    return None


def _may_be_for_the_visit(
    session: Session, ride: Ride, appointment: Appointment, booked_before_too: bool
) -> bool:
    """A car of the visit's half-day booked after the visit that names no hospital ("去医院"
    unnamed, or no destination at all) may be the one the rider means for the visit (ninth
    trial: such a 9:00 car for an 8:00 visit was never checked). Not a car booked before
    the visit (unless `booked_before_too`: the booking of the visit in a call names such a
    car and offers to replace it, eleventh trial), one that goes to another place or picks
    up at a hospital (the way back), nor a regular ride's return leg."""
    if ride.regular_return or (
        not booked_before_too and ride.created_at < appointment.created_at
    ):
        return False
    to = (ride.destination or "").strip()
    if to not in ("", UNNAMED_HOSPITAL):
        return False
    place = session.get(SavedPlace, ride.pickup_place_id) if ride.pickup_place_id else None
    return place is None or place.kind != PlaceKind.HOSPITAL


def replaceable_late_ride(
    session: Session,
    *,
    appointment_id: int,
    now: datetime,
    settings: Settings,
    unnamed: bool = False,
    booked_before_too: bool = False,
    draft: Ride | None = None,
) -> tuple[Ride, datetime] | None:
    """The late ride (`late_ride`; with `unnamed`, a car naming no hospital booked after
    the visit counts too, and with `booked_before_too` one booked before it as well) and the
    pickup of the trip that would replace it, when that trip can be booked once the late ride
    is gone (no other ride of theirs within the hour, a time a booked ride can serve)."""
    appointment = _appointment(session, appointment_id)
    late = late_ride(
        session, appointment, settings, unnamed=unnamed, booked_before_too=booked_before_too,
        draft=draft,
    )
    if late is None or joinable_ride(session, appointment, settings) is not None:
        return None
    try:
        pickup_at = check(session, appointment_id=appointment_id, now=now, settings=settings)
    except TripRefused:
        return None
    other = ahead.overlapping_ride(
        session, person_id=appointment.patient_id, number=None, pickup_at=pickup_at, now=now,
        exclude_id=late.id,
    )
    return None if other is not None else (late, pickup_at)


def appointment_missed_by(
    session: Session, *, ride: Ride, now: datetime, settings: Settings
) -> tuple[Appointment, datetime] | None:
    """The rider's live appointment that this booked ride would miss (a 9:00 car to the
    hospital of an 8:00 visit booked before the car, or to no hospital named at all), with
    the pickup of the trip that would replace it (`replaceable_late_ride`); None when it
    misses none, or when no replacement could be booked (then nothing is offered). A draft
    (at its read-back, before it is booked) is checked as if it were booked."""
    if ride.person_id is None or ride.pickup_at is None:
        return None
    if ride.status not in (RideStatus.SCHEDULED, RideStatus.DRAFT):
        return None
    draft = ride if ride.status == RideStatus.DRAFT else None
    day = local_today(ride.pickup_at)
    appointments = session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == ride.person_id,
            Appointment.day == day,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Appointment.id)
    )
    for appointment in appointments:
        if booked_ride_of(session, appointment.id) is not None:
            continue  # it has its car
        late = replaceable_late_ride(
            session, appointment_id=appointment.id, now=now, settings=settings, unnamed=True,
            draft=draft,
        )
        if late is not None and late[0].id == ride.id:
            return appointment, late[1]
    return None


def keep_late_ride(session: Session, *, ride: Ride, now: datetime, settings: Settings) -> bool:
    """The caller heard that this booked ride may miss a visit and kept it (车不换): the
    ride is linked to that visit as **joined** (booked before, kept exactly as it is, not
    moved nor cancelled with the visit), so it is not flagged again at every call (trial
    eleven); no migration needed. False when it misses no visit."""
    missed = appointment_missed_by(session, ride=ride, now=now, settings=settings)
    if missed is None:
        return False
    _link(session, missed[0].id, ride.id, joined=True)
    return True


def replace_late_ride(
    session: Session,
    *,
    appointment_id: int,
    ride_id: int,
    now: datetime,
    settings: Settings,
    caller_number: str | None,
    call_id: str | None = None,
) -> Trip:
    """The caller agreed: the late ride is cancelled and the trip booked in its place, both
    or neither (a savepoint): the patient never ends with two cars to one visit. The late
    ride's caller is not texted a cancellation (the caller heard it; the new car's
    reminder follows). TripRefused when the trip cannot be booked after all."""
    with session.begin_nested():
        late = session.get(Ride, ride_id, populate_existing=True)
        if late is not None and late.status == RideStatus.SCHEDULED:
            rides.cancel(
                session, ride_id=late.id, expected_version=late.version,
                reason=REPLACED_REASON, notify=False,
            )
        return book(
            session, appointment_id=appointment_id, now=now, settings=settings,
            caller_number=caller_number, call_id=call_id,
        )


def overlapping(
    session: Session, appointment: Appointment, settings: Settings, now: datetime
) -> Ride | None:
    """A ride of the patient a new trip would double (one car per hour, `ahead.OVERLAP`)."""
    return ahead.overlapping_ride(
        session, person_id=appointment.patient_id, number=None,
        pickup_at=pickup_for(session, appointment, settings), now=now,
    )


def other_ride(
    session: Session, *, appointment_id: int, now: datetime, settings: Settings
) -> Ride | None:
    """A booked ride the caller must hear about, left as it is: the one a new trip would
    double, else the first of that half-day. None when a ride there is joinable."""
    appointment = _appointment(session, appointment_id)
    if joinable_ride(session, appointment, settings) is not None:
        return None
    clash = overlapping(session, appointment, settings, now)
    if clash is not None and clash.status == RideStatus.SCHEDULED:
        return clash
    rides_then = same_morning_rides(
        session, person_id=appointment.patient_id, appointment=appointment
    )
    return rides_then[0] if rides_then else None


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
    """The pickup `book` would give: a joinable ride's (as it is), else a new trip's;
    TripRefused when none can be booked (overlap: it would double a ride of theirs)."""
    appointment = _appointment(session, appointment_id)
    joinable = joinable_ride(session, appointment, settings)
    if joinable is not None and joinable.pickup_at is not None:
        return joinable.pickup_at
    pickup_at = check(session, appointment_id=appointment_id, now=now, settings=settings)
    if overlapping(session, appointment, settings, now) is not None:
        raise TripRefused("overlap")
    return pickup_at


def join_morning_ride(
    session: Session, *, appointment_id: int, now: datetime, settings: Settings
) -> Trip | None:
    """A booking just made: a ride booked already that takes the patient there unchanged
    (`joinable_ride`) is linked to it. None when there is no such ride (nothing changes)."""
    appointment = _appointment(session, appointment_id)
    if joinable_ride(session, appointment, settings) is None:
        return None
    return book(session, appointment_id=appointment_id, now=now, settings=settings,
                caller_number=None)


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
    """Book the trip (or join a joinable ride, unchanged) and link it to the appointment. A
    trip already linked and still booked is returned as it is (a retried step books
    nothing)."""
    appointment = _appointment(session, appointment_id)
    linked = booked_ride_of(session, appointment_id)
    if linked is not None and linked.pickup_at is not None:
        return Trip(linked, linked.pickup_at, joined=True)
    rules = AheadRules.from_settings(settings)
    hospital_name, hospital_address = destination(session, appointment)
    person = session.get(Person, appointment.patient_id)
    assert person is not None
    priority = ride_priority(age=age_on(person.birth_date, local_today(now)), to_hospital=True)
    joinable = joinable_ride(session, appointment, settings)
    if joinable is not None and joinable.pickup_at is not None:
        # Its time, places and caller stay; dispatch only learns it is a hospital trip.
        joinable.to_hospital = True
        joinable.priority = max(joinable.priority, priority)
        _link(session, appointment_id, joinable.id, joined=True)
        return Trip(joinable, joinable.pickup_at, joined=True)
    pickup_at = check(session, appointment_id=appointment_id, now=now, settings=settings)
    if overlapping(session, appointment, settings, now) is not None:
        raise TripRefused("overlap")  # never a second car within the hour of another
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


class Canceller(StrEnum):
    """Who cancelled the appointment a car goes to."""

    CALLER = "caller"  # by phone: the patient or a relative is on the line
    FAMILY_DOCTOR = "family_doctor"  # the family-doctor console, for the patient
    STOPPED_SESSION = "stopped_session"  # 停诊: the hospital stopped the clinic session


class CarFate(StrEnum):
    CANCELLED = "cancelled"  # cancelled with the appointment
    ASK = "ask"  # the caller is asked (8 cancels it, 2 keeps it)
    KEPT = "kept"  # left as it is; the patient is told it still comes


def car_fate(trip: HospitalTrip, by: Canceller) -> CarFate:
    """The rule, in one place: what happens to the car of an appointment when the
    appointment is cancelled.

    | who cancels        | a car booked for the appointment | a ride booked before, only joined |
    | the caller (phone) | cancelled with it                | asked                             |
    | the family doctor  | cancelled, patient and booker told | kept, patient and booker told   |
    | 停诊                | cancelled, patient and booker told | kept, patient and booker told   |

    A car booked for the appointment has no purpose without it. A ride that existed
    before (e.g. the day of a regular ride, or a car the daughter booked) had one of its
    own: only the person can give it up, so the phone asks and a console, with nobody to
    ask, keeps it and tells them how to cancel it. A car still serving another live
    appointment of that morning is kept in every case (`after_cancel`)."""
    if not trip.joined:
        return CarFate.CANCELLED
    return CarFate.ASK if by is Canceller.CALLER else CarFate.KEPT


@dataclass(frozen=True)
class CarOutcome:
    ride: Ride
    fate: CarFate

    def sentence(self, now: datetime) -> str:
        """What the patient's message says of the car ("" when the caller is asked)."""
        if self.fate is CarFate.ASK or self.ride.pickup_at is None:
            return ""
        name = "hospital_trip_cancelled" if self.fate is CarFate.CANCELLED else (
            "hospital_trip_still_booked"
        )
        return texts.text("sms", name, when=ahead.spoken_pickup(self.ride.pickup_at, now))


def after_cancel(
    session: Session, *, appointment_id: int, by: Canceller, reason: str = CANCEL_REASON
) -> CarOutcome | None:
    """The appointment was just cancelled by `by`: apply `car_fate` to its booked car.
    A car cancelled here is cancelled silently (`rides.cancel(notify=False)`): the message
    about the appointment says it (`CarOutcome.sentence`), and `tell_car_booker` tells
    whoever booked the car when that message does not reach them. None: no booked car."""
    planned = planned_fate(session, appointment_id=appointment_id, by=by)
    if planned is None:
        return None
    ride = planned.ride
    if planned.fate is CarFate.CANCELLED:
        ride = rides.cancel(
            session, ride_id=ride.id, expected_version=ride.version, reason=reason, notify=False
        )
    return CarOutcome(ride, planned.fate)


def planned_fate(session: Session, *, appointment_id: int, by: Canceller) -> CarOutcome | None:
    """What `after_cancel` would do, changing nothing (for a confirmation page)."""
    ride = booked_ride_of(session, appointment_id)
    trip = trip_of(session, appointment_id)
    if ride is None or trip is None:
        return None
    if _serves_another(session, ride.id, appointment_id):
        return CarOutcome(ride, CarFate.KEPT)
    return CarOutcome(ride, car_fate(trip, by))


def tell_car_booker(
    session: Session, outcome: CarOutcome, *, body: str, key: str, told: set[str]
) -> bool:
    """The car's caller (who booked it, e.g. a relative by phone) gets the same message
    when it is not among the numbers `told` already. True when told."""
    number = outcome.ride.caller_number
    if not number or number in told or outcome.fate is CarFate.ASK:
        return False
    notifications.tell(session, number, sms=body, voice=body, key=f"{key}:sms:{number}")
    return True


def _serves_another(session: Session, ride_id: int, appointment_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count(HospitalTrip.id))
            .join(Appointment, Appointment.id == HospitalTrip.appointment_id)
            .where(
                HospitalTrip.ride_id == ride_id,
                HospitalTrip.appointment_id != appointment_id,
                Appointment.status == AppointmentStatus.BOOKED,
            )
        )
    )


def cancel_for(
    session: Session, *, appointment_id: int, reason: str = CANCEL_REASON, notify: bool = True
) -> Ride | None:
    """The appointment was cancelled: cancel its booked ride, unless another live
    appointment shares it. The ride cancelled, or None."""
    ride = booked_ride_of(session, appointment_id)
    if ride is None or _serves_another(session, ride.id, appointment_id):
        return None
    return rides.cancel(
        session, ride_id=ride.id, expected_version=ride.version, reason=reason, notify=notify
    )


def rides_a_stop_cancels(session: Session, *, schedule_id: int) -> list[int]:
    """The booked rides a 停诊 of this clinic session would cancel (`after_cancel` with
    `Canceller.STOPPED_SESSION` for each of its booked appointments): booked for the
    appointment (not only joined), still booked ahead, and not shared with a live
    appointment of another session. Their ids, for the confirmation page."""
    in_session = select(Appointment.id).join(Slot, Slot.id == Appointment.slot_id).where(
        Slot.schedule_id == schedule_id, Appointment.status == AppointmentStatus.BOOKED
    )
    shared_elsewhere = (
        select(HospitalTrip.ride_id)
        .join(Appointment, Appointment.id == HospitalTrip.appointment_id)
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.status == AppointmentStatus.BOOKED, Slot.schedule_id != schedule_id)
    )
    return list(
        session.scalars(
            select(Ride.id)
            .join(HospitalTrip, HospitalTrip.ride_id == Ride.id)
            .where(
                HospitalTrip.appointment_id.in_(in_session),
                HospitalTrip.joined.is_(False),  # car_fate: a joined ride is kept
                Ride.status == RideStatus.SCHEDULED,
                Ride.id.not_in(shared_elsewhere),
            )
            .distinct()
            .order_by(Ride.id)
        )
    )


def rides_a_stop_keeps(session: Session, *, schedule_id: int) -> list[int]:
    """The booked rides linked to this clinic session's bookings that a 停诊 leaves as they
    are (`car_fate`: booked before and only joined, or still taking the patient to a
    booking of another session). Their ids, for the confirmation page."""
    in_session = select(Appointment.id).join(Slot, Slot.id == Appointment.slot_id).where(
        Slot.schedule_id == schedule_id, Appointment.status == AppointmentStatus.BOOKED
    )
    linked = session.scalars(
        select(Ride.id)
        .join(HospitalTrip, HospitalTrip.ride_id == Ride.id)
        .where(HospitalTrip.appointment_id.in_(in_session), Ride.status == RideStatus.SCHEDULED)
        .distinct()
        .order_by(Ride.id)
    )
    cancelled = set(rides_a_stop_cancels(session, schedule_id=schedule_id))
    return [ride_id for ride_id in linked if ride_id not in cancelled]


def move_for(
    session: Session, *, old_id: int, new_id: int, now: datetime, settings: Settings
) -> MoveResult | None:
    """The appointment moved to another session: the link follows, the ride is moved to
    the new pickup time, or cancelled when that time cannot be served. None: no ride.

    Only a car booked for this appointment moves. A ride that existed before and was only
    joined (`HospitalTrip.joined`) is left exactly as it is (`kept`): it follows the new
    booking only when it still takes the patient there in time, unchanged."""
    ride = booked_ride_of(session, old_id)
    trip = trip_of(session, old_id)
    if ride is None or trip is None:
        return None
    if trip.joined:
        still = joinable_ride(session, _appointment(session, new_id), settings)
        if still is not None and still.id == ride.id:
            trip.appointment_id = new_id
            session.flush()
        return MoveResult(ride, moved=False, kept=True)
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

