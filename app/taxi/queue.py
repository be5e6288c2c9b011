"""The dispatch console's live queue: what operators see, read from the rides table.

`live_queue` lists every ride still needing attention as `QueueEntry` rows (highest
priority first, then longest waiting), `drivers_roster` lists drivers on duty with whether
each is free, and `change_marker` is a cheap fingerprint the console polls to know when to
refresh. Every query here reads live rides only (through the status index), so the
console costs the same with a million finished rides as with none. It only reads; every
change to a ride goes through `app.taxi.rides`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from app.hospital.models import Appointment, Department, Hospital
from app.people.age import age_on
from app.people.models import Person, SavedPlace
from app.people.phones import grouped_number
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, HospitalTrip, Ride, TaxiCompany
from app.taxi.rides import LIVE, STATUS_LABELS, UNDER_WAY, WAITING


@dataclass(frozen=True)
class QueueEntry:
    """One row of the dispatch console's live queue."""

    ride_id: int
    version: int
    status: RideStatus
    status_label: str
    person_name: str | None
    age: int | None
    caller_number: str | None
    pickup_label: str | None
    pickup_address: str | None
    recording_url: str | None
    transcript: str | None
    destination: str | None
    to_hospital: bool
    priority: int
    waiting_since: datetime
    waiting_minutes: int
    driver_name: str | None
    driver_plate: str | None
    driver_phone: str | None
    eta_minutes: int | None
    back_office: bool
    pickup_at: datetime | None = None  # a ride booked ahead: its pickup time
    # A hospital trip (`hospital_trips`): the hospital's name and main public number, shown
    # in full (an institution's number, not personal data).
    hospital_name: str | None = None
    hospital_phone: str | None = None

    @property
    def caller_hung_up(self) -> bool:
        return self.status == RideStatus.CALLER_HUNG_UP

    @property
    def handed_to_person(self) -> bool:
        """The call flow handed the caller to a person before the request was confirmed."""
        return self.status == RideStatus.HANDED_TO_PERSON

    @property
    def waiting(self) -> bool:
        return self.status in WAITING

    @property
    def elderly(self) -> bool:
        return self.age is None or self.age >= 60


def live_queue(session: Session, *, now: datetime) -> list[QueueEntry]:
    """Every ride still needing attention: highest priority first, then longest waiting.

    Includes draft, caller-hung-up and handed-to-a-person requests (flagged, never
    dropped) and rides for
    which no car was found, as well as rides under way.
    """
    waiting_since = func.coalesce(Ride.queued_at, Ride.created_at)
    rows = session.execute(
        select(Ride, Person, SavedPlace, Driver)
        .outerjoin(Person, Ride.person_id == Person.id)
        .outerjoin(SavedPlace, Ride.pickup_place_id == SavedPlace.id)
        .outerjoin(Driver, Ride.driver_id == Driver.id)
        .where(Ride.status.in_(LIVE))
        .order_by(Ride.priority.desc(), waiting_since.asc(), Ride.id.asc())
    ).all()
    entries = [_entry(ride, person, place, driver, now) for ride, person, place, driver in rows]
    return _with_hospitals(session, entries)


def _with_hospitals(session: Session, entries: list[QueueEntry]) -> list[QueueEntry]:
    """The hospital a hospital trip goes to, and its main phone: one query for the queue."""
    trips = [e.ride_id for e in entries if e.to_hospital]
    if not trips:
        return entries
    hospitals: dict[int, tuple[str, list[str]]] = {}
    for ride_id, name, phones in session.execute(
        select(HospitalTrip.ride_id, Hospital.name, Hospital.phones)
        .join(Appointment, Appointment.id == HospitalTrip.appointment_id)
        .join(Department, Department.id == Appointment.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(HospitalTrip.ride_id.in_(trips))
        .order_by(HospitalTrip.id)
    ):
        hospitals.setdefault(ride_id, (name, list(phones or [])))
    return [
        replace(
            e, hospital_name=hospitals[e.ride_id][0],
            hospital_phone=grouped_number(next(iter(hospitals[e.ride_id][1]), None)) or None,
        )
        if e.ride_id in hospitals else e
        for e in entries
    ]


def _entry(
    ride: Ride, person: Person | None, place: SavedPlace | None, driver: Driver | None,
    now: datetime,
) -> QueueEntry:
    since = ride.queued_at or ride.created_at
    return QueueEntry(
        ride_id=ride.id,
        version=ride.version,
        status=ride.status,
        status_label=STATUS_LABELS[ride.status],
        person_name=(person.call_name or person.full_name) if person else ride.caller_name,
        age=age_on(person.birth_date, now.date()) if person else None,
        caller_number=ride.caller_number,
        pickup_label=place.label if place else None,
        pickup_address=ride.pickup_address or (place.address if place else None),
        recording_url=ride.pickup_recording_url,
        transcript=ride.pickup_transcript,
        destination=ride.destination,
        to_hospital=ride.to_hospital,
        priority=ride.priority,
        waiting_since=since,
        waiting_minutes=max(0, int((now - since).total_seconds() // 60)),
        driver_name=driver.name if driver else None,
        driver_plate=driver.plate if driver else None,
        driver_phone=driver.phone if driver else None,
        eta_minutes=ride.eta_minutes,
        back_office=ride.created_by_staff_id is not None,
        pickup_at=ride.pickup_at,
    )


def change_marker(session: Session) -> tuple[int, str, int, int, int]:
    """A cheap fingerprint of the rides the console shows; it changes with every change.

    One statement, independent of the number of historical rides: the highest ride id
    (primary key) and the latest `updated_at` (index `ix_rides_updated_at`) catch every
    insert and update, and the count and sums of id and version over live rides only
    (index `ix_rides_status_priority`) catch a change to a live ride whose transaction
    committed after a later-stamped one (timestamps come from each process's clock).
    Finished rides are never read.
    """
    live = Ride.status.in_(LIVE)
    latest_id = select(func.max(Ride.id)).scalar_subquery()
    latest_update = select(func.max(Ride.updated_at)).scalar_subquery()
    top_id, latest, count, ids, versions = session.execute(
        select(
            latest_id,
            latest_update,
            func.count(Ride.id),
            func.coalesce(func.sum(Ride.id), 0),
            func.coalesce(func.sum(Ride.version), 0),
        ).where(live)
    ).one()
    return int(top_id or 0), str(latest), int(count), int(ids), int(versions)


def drivers_roster(session: Session) -> list[tuple[Driver, bool]]:
    """Drivers on duty (active, of an active company) with whether each is free (no ride
    under way), free ones first. Only free ones are offered for a ride; the assignment
    service checks both again under the driver's lock."""
    busy_ids = set(
        session.scalars(
            select(Ride.driver_id).where(Ride.status.in_(UNDER_WAY), Ride.driver_id.is_not(None))
        )
    )
    drivers = session.scalars(
        select(Driver)
        .join(TaxiCompany, Driver.company_id == TaxiCompany.id)
        .where(
            Driver.active.is_(True), Driver.on_duty.is_(True), TaxiCompany.active.is_(True)
        )
        .options(contains_eager(Driver.company))
        .order_by(Driver.id)
    )
    roster = [(d, d.id not in busy_ids) for d in drivers]
    return sorted(roster, key=lambda item: not item[1])
