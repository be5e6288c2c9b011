"""Whose car a caller hears about: a relative's ride is named as theirs (您母亲张秀英), and a
ride a relative booked for the caller is said to be from that relative (您女儿为您约的车),
never "您叫的车" for a car the caller did not order, nor "正在为您派车" for someone else's."""

from __future__ import annotations

from sqlalchemy import select

from app.calls.service import StepContext
from app.hospital.patients import patient_to_caller
from app.people.models import Person, PersonPhone
from app.people.names import your_relation
from app.taxi.models import Ride

FAMILY = "您家人"  # a booker with no relation on file


def rider_for_caller(ctx: StepContext, ride: Ride) -> tuple[str, str] | None:
    """Whose ride, when not the caller's own: (您母亲张秀英, 她) for a relative's ride, by
    the relation the caller's number has to the rider; None for the caller's own ride (or
    one without a person)."""
    if ride.person_id is None:
        return None
    own = _callers_person(ctx)
    if ride.person_id == own:
        return None
    person = ctx.session.get(Person, ride.person_id)
    if person is None:
        return None
    relation = _relation(person, ctx.call.from_number)
    title = (
        f"{patient_to_caller(relation, person.gender)}{person.full_name}"
        if relation
        else person.full_name
    )
    return title, {"F": "她", "M": "他"}.get(person.gender or "", "")


def rider_short(ctx: StepContext, ride: Ride) -> str:
    """Whom the car is for, as "正在为X派车" says it: 您, 您母亲 (the relation on the family
    link), else the rider's name."""
    if ride.person_id is None or ride.person_id == _callers_person(ctx):
        return "您"
    person = ctx.session.get(Person, ride.person_id)
    if person is None:
        return "您"
    relation = _relation(person, ctx.call.from_number)
    if relation:
        return patient_to_caller(relation, person.gender)
    return person.full_name


def booked_by_family(ctx: StepContext, ride: Ride) -> str | None:
    """The caller's own ride ordered from a relative's phone: 您女儿 (the relation on the
    family link), else 您家人; None when the rider ordered it (or it is not theirs)."""
    if ride.person_id is None or ride.person_id != _callers_person(ctx):
        return None
    number = ride.caller_number
    if not number or number == ctx.call.from_number:
        return None
    person = ctx.session.get(Person, ride.person_id)
    if person is None or number in {phone.number for phone in person.phones}:
        return None
    relation = _relation(person, number)
    if not relation:
        return FAMILY
    return your_relation(relation)


def _callers_person(ctx: StepContext) -> int | None:
    number = ctx.call.from_number
    if not number:
        return None
    return ctx.session.scalar(select(PersonPhone.person_id).where(PersonPhone.number == number))


def _relation(person: Person, number: str | None) -> str | None:
    """The relation stored on the person's family link for this number (女儿, 儿子 ...)."""
    return next((c.relation for c in person.contacts if number and c.phone == number), None)
