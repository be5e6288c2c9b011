"""What callers, families and drivers are told about a ride, through the outbox.

`notify_assigned` texts the caller and the family contacts who asked to be notified when a
driver is assigned (and, if wanted, has the outbox phone the caller with the plate read
out twice); `send_sms` queues one SMS under an idempotency key, so a retried change never
texts twice. Called by `app.taxi.rides` inside the transaction of the change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import texts
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.models import FamilyContact, Person
from app.people.phones import local_number
from app.taxi.models import Driver, Ride
from app.taxi.rules import spoken_plate


def notify_assigned(
    session: Session, ride: Ride, driver: Driver, *, notify_voice_call: bool
) -> None:
    eta = ride.eta_minutes
    facts = {
        "plate": driver.plate,
        "driver": driver.name,
        "driver_phone": local_number(driver.phone),
        "eta": eta,
    }
    prefix = f"ride:{ride.id}:assigned:{driver.id}"
    caller = ride.caller_number
    if caller:
        own_sms = texts.sms("ride_assigned", whom="您", **facts)
        send_sms(session, caller, own_sms, f"{prefix}:sms:{caller}")
    for number in _family_numbers(session, ride.person_id, exclude=caller):
        family_sms = texts.sms("ride_assigned", whom=_person_name(session, ride), **facts)
        send_sms(session, number, family_sms, f"{prefix}:sms:{number}")
    if notify_voice_call and caller:
        spoken = spoken_plate(driver.plate)
        body = texts.voice("ride_assigned", eta=eta, plate=spoken)
        enqueue_message(
            session,
            kind=OutboxKind.CALL,
            to_number=caller,
            body=body,
            idempotency_key=f"{prefix}:call:{caller}",
        )


def send_sms(session: Session, number: str, body: str, key: str) -> None:
    """Queue one SMS; `key` makes a retried change write it only once."""
    enqueue_message(session, kind=OutboxKind.SMS, to_number=number, body=body, idempotency_key=key)


def _family_numbers(session: Session, person_id: int | None, *, exclude: str | None) -> list[str]:
    if person_id is None:
        return []
    numbers = session.scalars(
        select(FamilyContact.phone)
        .where(FamilyContact.person_id == person_id, FamilyContact.notify.is_(True))
        .order_by(FamilyContact.id)
    ).all()
    return [n for n in dict.fromkeys(numbers) if n != exclude]


def _person_name(session: Session, ride: Ride) -> str:
    person = session.get(Person, ride.person_id) if ride.person_id else None
    if person is None:
        return "您的家人"
    return person.call_name or person.full_name
