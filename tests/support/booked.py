"""Rides booked ahead, made through the booking service (as the phone flow does)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.people.models import Person, PersonPhone
from app.taxi import ahead
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.taxi.rules import ride_priority


def kunming(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in Kunming, late November (day > 15) or early December 2026, in UTC."""
    month, day = (11, day) if day > 15 else (12, day)
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def book_ride(
    db: Database,
    *,
    number: str,
    pickup: datetime,
    now: datetime,
    to_hospital: bool = False,
    rules: AheadRules | None = None,
) -> int:
    """Book a ride from the registered person's first saved place; its id."""
    with db.session() as session:
        person_id = session.scalar(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        )
        person = session.get(Person, person_id)
        assert person is not None, number
        place = person.places[0]
        ride = Ride(
            person_id=person.id,
            caller_number=number,
            status=RideStatus.DRAFT,
            pickup_place_id=place.id,
            pickup_address=place.address,
            to_hospital=to_hospital,
            priority=ride_priority(age=None, to_hospital=to_hospital),
        )
        session.add(ride)
        session.flush()
        ahead.book(session, ride, pickup_at=pickup, now=now, rules=rules or AheadRules())
        return ride.id
