"""Finding registered people and reading their recent rides and bookings (community console).

Search takes one box: a phone number (any of the person's numbers or a family contact's),
the tail of a resident ID (4 to 6 characters, digits and X), or part of a name. A local
landline typed without its area code (5550101, 6555 1234) is looked up with the area code
of the community's own phone, else 0871 (Kunming, the hotline's city). Every query is
limited to a community when one is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from app.hospital.desk import SESSION_LABELS
from app.hospital.desk import STATUS_LABELS as BOOKING_STATUS
from app.hospital.models import Appointment, Department, Hospital
from app.people.models import Community, FamilyContact, Person, PersonPhone
from app.people.phones import area_code
from app.people.registration import dialable_number
from app.taxi.models import Ride
from app.taxi.rides import STATUS_LABELS as RIDE_STATUS

MAX_RESULTS = 50
RECENT = 10
_ID_TAIL = re.compile(r"^[0-9]{3,5}[0-9X]$")
_LOCAL_LANDLINE = re.compile(r"^[2-9][0-9]{6,7}$")  # 7 or 8 digits, no area code
HOTLINE_AREA_CODE = "0871"


@dataclass(frozen=True)
class RideLine:
    at: datetime
    status: str
    pickup: str


@dataclass(frozen=True)
class BookingLine:
    day: date
    session: str
    hospital: str
    department: str
    status: str


def search(session: Session, query: str, *, community_id: int | None) -> list[Person]:
    """People matching `query` (all, newest first, when it is empty), at most 50."""
    text = (query or "").replace("\x00", "").strip()  # PostgreSQL text holds no NUL
    statement: Select[tuple[Person]] = select(Person)
    tail = text.replace(" ", "").upper()
    number = dialable_number(text) if text else None
    local = re.sub(r"[\s-]", "", text)
    if number is None and _LOCAL_LANDLINE.match(local):
        number = dialable_number(_area_code(session, community_id) + local)
    if number is not None:
        by_contact = select(FamilyContact.person_id).where(FamilyContact.phone == number)
        by_phone = select(PersonPhone.person_id).where(PersonPhone.number == number)
        statement = statement.where(or_(Person.id.in_(by_phone), Person.id.in_(by_contact)))
    elif _ID_TAIL.match(tail):
        statement = statement.where(Person.id_number.endswith(tail, autoescape=True))
    elif text:
        statement = statement.where(
            or_(
                Person.full_name.contains(text, autoescape=True),
                Person.call_name.contains(text, autoescape=True),
            )
        )
    if community_id is not None:
        statement = statement.where(Person.community_id == community_id)
    statement = statement.options(selectinload(Person.phones))
    return list(session.scalars(statement.order_by(Person.id.desc()).limit(MAX_RESULTS)))


def _area_code(session: Session, community_id: int | None) -> str:
    community = session.get(Community, community_id) if community_id is not None else None
    return area_code(community.phone if community else None) or HOTLINE_AREA_CODE


def recent_rides(session: Session, person_id: int) -> list[RideLine]:
    rides = session.scalars(
        select(Ride)
        .where(Ride.person_id == person_id)
        .order_by(Ride.created_at.desc(), Ride.id.desc())
        .limit(RECENT)
    )
    return [RideLine(ride.created_at, RIDE_STATUS[ride.status], _pickup(ride)) for ride in rides]


def _pickup(ride: Ride) -> str:
    """The address; a spoken one not yet written down; none after erasure (注销)."""
    if ride.pickup_address:
        return ride.pickup_address
    return "（录音地址）" if ride.pickup_recording_url else "（无地址）"


def recent_bookings(session: Session, person_id: int) -> list[BookingLine]:
    rows = session.execute(
        select(Appointment, Hospital.short_name)
        .join(Department, Department.id == Appointment.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(Appointment.patient_id == person_id)
        .order_by(Appointment.day.desc(), Appointment.id.desc())
        .limit(RECENT)
    )
    return [
        BookingLine(
            day=appointment.day,
            session=SESSION_LABELS[appointment.session],
            hospital=hospital,
            department=appointment.department_name,
            status=BOOKING_STATUS.get(appointment.status, str(appointment.status)),
        )
        for appointment, hospital in rows
    ]
