"""The patient's own hospital, offered first by phone (docs/hospital_calls.md, "Which
hospital is offered first").

A patient's own hospital is the first saved place of theirs that is a hospital (by its
short name, full name, or the full name in the address), else the hospital of their
latest booking. Its earliest free slot is offered first when it is no more than
`OWN_HOSPITAL_DAYS` days after the earliest slot anywhere; otherwise the earliest anywhere.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital.models import Appointment, Department, Hospital
from app.people.enums import PlaceKind
from app.people.models import SavedPlace

OWN_HOSPITAL_DAYS = 2  # the own hospital's slot may be this many days after the earliest


def own_hospital_id(session: Session, person_id: int | None) -> int | None:
    """The patient's saved hospital, else the hospital of their latest booking."""
    if person_id is None:
        return None
    hospitals = list(session.scalars(select(Hospital).order_by(Hospital.id)))
    places = session.scalars(
        select(SavedPlace)
        .where(SavedPlace.person_id == person_id, SavedPlace.kind == PlaceKind.HOSPITAL)
        .order_by(SavedPlace.position)
    )
    for place in places:
        for hospital in hospitals:
            if place.label in (hospital.short_name, hospital.name) or hospital.name in (
                place.address
            ):
                return hospital.id
    return session.scalar(
        select(Department.hospital_id)
        .join(Appointment, Appointment.department_id == Department.id)
        .where(Appointment.patient_id == person_id)
        .order_by(Appointment.id.desc())
        .limit(1)
    )


def prefer_own(earliest_day: date, own_day: date | None) -> bool:
    """Offer the own hospital's slot instead of the earliest anywhere?"""
    return own_day is not None and (own_day - earliest_day).days <= OWN_HOSPITAL_DAYS
