"""What callers, families and drivers are told about a ride, through the outbox.

`notify_assigned` texts the caller, the relative who booked the appointment a hospital
trip goes to (`trip_bookers`), and the family contacts who asked to be notified when a
driver is assigned (and, if wanted, has the outbox phone the caller with the plate read
out twice); `tell` queues one SMS under an idempotency key, so a retried change never
texts twice. A fixed line cannot receive an SMS: it is phoned with the spoken version
instead (`app.people.phones.is_fixed_line`), never texted. Called by `app.taxi.rides`
inside the transaction of the change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import texts
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.phones import is_fixed_line, local_number
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
    spoken = spoken_plate(driver.plate)
    caller = ride.caller_number
    if caller:
        own_call = texts.voice("ride_assigned", eta=eta, plate=spoken)
        if is_fixed_line(caller):
            _call(session, caller, own_call, f"{prefix}:call:{caller}")  # promised on the phone
        else:
            whom = _person_name(session, ride) if _for_someone_else(session, ride) else "您"
            own_sms = texts.sms("ride_assigned", whom=whom, **facts)
            send_sms(session, caller, own_sms, f"{prefix}:sms:{caller}")
            if notify_voice_call:
                _call(session, caller, own_call, f"{prefix}:call:{caller}")
    # a relative who booked the appointment this car goes to, then the family kept informed
    bookers = trip_bookers(session, ride)
    family = _family_numbers(session, ride.person_id, exclude=caller)
    for number in [*bookers, *(n for n in family if n not in bookers)]:
        whom = _person_name(session, ride)
        tell(
            session,
            number,
            sms=texts.sms("ride_assigned", whom=whom, **facts),
            voice=texts.voice("ride_assigned_family", whom=whom, eta=eta, plate=spoken),
            key=f"{prefix}:sms:{number}",
        )


def tell_caller_cancelled(session: Session, ride: Ride) -> None:
    """The ride's caller: "您的叫车已取消", or to a relative who ordered it for a parent,
    whose car it was ("您为母亲叫的车已取消")."""
    number = ride.caller_number
    if number is None:
        return
    whom = _rider_for_caller(session, ride, number)
    key = "ride_cancelled_for" if whom else "ride_cancelled"
    tell(
        session,
        number,
        sms=texts.sms(key, whom=whom),
        voice=texts.voice(key, whom=whom),
        key=f"ride:{ride.id}:cancelled:sms:{number}",
    )


def _rider_for_caller(session: Session, ride: Ride, number: str) -> str:
    """母亲 (the rider from the calling relative's side, by the family link of that number),
    家人 without a relation on file; "" for the rider's own ride."""
    from app.hospital.patients import patient_to_caller

    if ride.person_id is None or not _for_someone_else(session, ride):
        return ""
    person = session.get(Person, ride.person_id)
    if person is None:
        return ""
    relation = next((c.relation for c in person.contacts if c.phone == number), None)
    return patient_to_caller(relation, person.gender).removeprefix("您") if relation else "家人"


def tell_passenger_cancelled(session: Session, ride: Ride, *, by_number: str | None) -> None:
    """The person a cancelled ride was for, when someone else ordered it (a relative from
    their own phone, an operator): told the car is not coming, on their own phone (a
    mobile first: an SMS; a landline is phoned). Not when they cancelled it themself from
    that phone, nor when the ride's caller, told already, is that phone."""
    number = _passenger_to_tell(session, ride, by_number=by_number)
    if number is None:
        return
    tell(
        session,
        number,
        sms=texts.sms("ride_cancelled_passenger"),
        voice=texts.voice("ride_cancelled_passenger"),
        key=f"ride:{ride.id}:cancelled:sms:{number}",
    )


def tell_passenger_replaced(
    session: Session, late: Ride, *, by_number: str | None, when: str, place: str, late_when: str
) -> None:
    """The person a late car was for, when a relative replaced it by phone with the earlier
    car to their visit: told which car comes now (as a relative's cancel is told), on
    their own phone; not when they changed it themself."""
    number = _passenger_to_tell(session, late, by_number=by_number)
    if number is None:
        return
    facts = {"when": when, "place": place, "late_when": late_when}
    tell(
        session,
        number,
        sms=texts.sms("ride_replaced_passenger", **facts),
        voice=texts.voice("ride_replaced_passenger", **facts),
        key=f"ride:{late.id}:replaced:sms:{number}",
    )


def _passenger_to_tell(session: Session, ride: Ride, *, by_number: str | None) -> str | None:
    """The rider's own number to tell of a change someone else made (a mobile first);
    None when the rider made it, or ordered the ride, from one of their own phones."""
    from app.hospital.reminders import patient_number

    if ride.person_id is None:
        return None
    number = patient_number(session, ride.person_id)
    own = set(
        session.scalars(select(PersonPhone.number).where(PersonPhone.person_id == ride.person_id))
    )
    if number is None or ride.caller_number in own or by_number in own:
        return None
    return number


def trip_bookers(session: Session, ride: Ride) -> list[str]:
    """The numbers that booked the live appointments this ride takes the person to (a
    relative booking for a parent: the contact's phone, else the booking number), other
    than the ride's caller and the person's own phones. A car the patient took in the
    reminder call has the patient as its caller: the relative who booked is told too."""
    from app.hospital.enums import AppointmentStatus
    from app.hospital.models import Appointment
    from app.taxi.models import HospitalTrip

    if ride.person_id is None:
        return []
    rows = session.execute(
        select(Appointment.booked_by_number, FamilyContact.phone)
        .join(HospitalTrip, HospitalTrip.appointment_id == Appointment.id)
        .outerjoin(FamilyContact, FamilyContact.id == Appointment.booked_by_contact_id)
        .where(HospitalTrip.ride_id == ride.id, Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.id)
    ).all()
    own = set(
        session.scalars(select(PersonPhone.number).where(PersonPhone.person_id == ride.person_id))
    )
    numbers = [contact or number for number, contact in rows]
    return [
        n for n in dict.fromkeys(numbers) if n and n != ride.caller_number and n not in own
    ]


def tell(session: Session, number: str, *, sms: str, voice: str, key: str) -> None:
    """An SMS to a mobile; a fixed line is phoned and hears `voice` (never an SMS)."""
    if is_fixed_line(number):
        _call(session, number, voice, key.replace(":sms:", ":call:"))
    else:
        send_sms(session, number, sms, key)


def send_sms(session: Session, number: str, body: str, key: str) -> None:
    """Queue one SMS; `key` makes a retried change write it only once. A fixed line
    cannot receive it: the same words are read in a call instead."""
    if is_fixed_line(number):
        _call(session, number, body, key.replace(":sms:", ":call:"))
        return
    enqueue_message(session, kind=OutboxKind.SMS, to_number=number, body=body, idempotency_key=key)


def _call(session: Session, number: str, body: str, key: str) -> None:
    enqueue_message(session, kind=OutboxKind.CALL, to_number=number, body=body, idempotency_key=key)


def _family_numbers(session: Session, person_id: int | None, *, exclude: str | None) -> list[str]:
    if person_id is None:
        return []
    numbers = session.scalars(
        select(FamilyContact.phone)
        .where(FamilyContact.person_id == person_id, FamilyContact.notify.is_(True))
        .order_by(FamilyContact.id)
    ).all()
    return [n for n in dict.fromkeys(numbers) if n != exclude]


def _for_someone_else(session: Session, ride: Ride) -> bool:
    """A relative ordered the ride from their own number for the person."""
    if ride.person_id is None or ride.caller_number is None:
        return False
    own = session.scalar(
        select(PersonPhone.id).where(
            PersonPhone.person_id == ride.person_id, PersonPhone.number == ride.caller_number
        )
    )
    return own is None


def _person_name(session: Session, ride: Ride) -> str:
    person = session.get(Person, ride.person_id) if ride.person_id else None
    if person is None:
        return "您的家人"
    return person.call_name or person.full_name
