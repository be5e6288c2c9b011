"""Whom a caller may order a taxi for: themself, and the older people who list the
caller's number as a family contact allowed to order taxis (`may_order_taxi`).

The taxi flow's mirror of `app.hospital.patients.patients_for_caller`: the daughter who
calls from her own mobile can order a car for her mother, picked up at the mother's home
or one of her saved places; the ride is the mother's (her name, her place) and the
daughter's number stays on it as the contact.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.models import FamilyContact, Person, PersonPhone

SELF = "本人"


class Passenger(NamedTuple):
    person: Person
    relation: str  # SELF, or the contact's relation to the person (女儿)
    contact_id: int | None


def passengers_for_caller(session: Session, *, number: str) -> list[Passenger]:
    """The caller's own registration first (if any), then the active people who let this
    number order taxis for them, in the order they were entered."""
    result: list[Passenger] = []
    own = session.scalar(select(Person).join(PersonPhone).where(PersonPhone.number == number))
    if own is not None:
        result.append(Passenger(own, SELF, None))
    rows = session.execute(
        select(FamilyContact, Person)
        .join(Person, FamilyContact.person_id == Person.id)
        .where(
            FamilyContact.phone == number,
            FamilyContact.may_order_taxi.is_(True),
            Person.active.is_(True),
        )
        .order_by(FamilyContact.id)
    ).all()
    seen = {own.id} if own is not None else set()
    for contact, person in rows:
        if person.id not in seen:
            seen.add(person.id)
            result.append(Passenger(person, contact.relation, contact.id))
    return result
