"""Moving a booking to another slot: the one way it is done, by a family doctor on their
console and by a caller on the phone.

`move` is atomic: the old booking is cancelled and the new one made in one savepoint, so
the old slot is freed and the new one taken together, or neither (any refusal leaves the
old booking as it was); the booking rules of `appointments.book` apply to the new slot,
the deadline of `appointments.cancel` to the old one. `follow_move` then moves the car
booked to the appointment (or cancels it when the new time cannot be served) and writes
the one message that says the new time; the caller of both commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app import texts
from app.core.config import Settings
from app.hospital import appointments
from app.hospital.errors import BookingError
from app.hospital.models import Appointment
from app.people.models import Person


@dataclass(frozen=True)
class MovedCar:
    """What became of the car booked to the moved appointment, for the caller to hear."""

    when: str  # the pickup, as said (明天早上7点15分), "" when none
    moved: bool  # moved to the new time
    cancelled: bool  # the new time cannot be served: cancelled
    kept: bool  # a ride booked before and only joined: left exactly as it is


def move(
    session: Session,
    *,
    appointment_id: int,
    slot_id: int,
    now: datetime,
    reason: str,
    booked_by_number: str | None,
    booked_by_contact_id: int | None = None,
    call_id: str | None = None,
    family_doctor_id: int | None = None,
) -> tuple[Appointment, Appointment]:
    """Cancel the booking and book `slot_id` for the same patient in one savepoint; returns
    (old, new). Raises `BookingError` (the old booking untouched). Sends no message:
    `follow_move` writes the one that says both."""
    old = session.get(Appointment, appointment_id)
    if old is None:
        raise BookingError("appointment_not_found")
    try:
        with session.begin_nested():
            appointments.cancel(
                session, appointment_id=old.id, now=now, reason=reason, notify=False
            )
            new = appointments.book(
                session,
                slot_id=slot_id,
                patient_id=old.patient_id,
                now=now,
                booked_by_number=booked_by_number,
                booked_by_contact_id=booked_by_contact_id,
                call_id=call_id,
                family_doctor_id=family_doctor_id,
                notify=False,
            )
    except BookingError:
        session.expire_all()
        raise
    return old, new


def follow_move(
    session: Session,
    *,
    old: Appointment,
    new: Appointment,
    now: datetime,
    settings: Settings,
    sms: str = "appointment_moved",
    extra_number: str | None = None,
) -> MovedCar | None:
    """After `move`: the car booked to the appointment follows (moved to the new session,
    or cancelled when no booked ride can serve it; a ride booked before and only joined is
    never moved), and one message (the old time, the new booking, the car) goes to the
    patient and their family contacts (`appointments.notify_family`) and to
    `extra_number`, the caller who moved it. `sms`: the text of `dialogs/messages.yaml`."""
    from app.taxi import ahead, hospital_trips

    patient = session.get(Person, new.patient_id)
    assert patient is not None
    trip = hospital_trips.move_for(
        session, old_id=old.id, new_id=new.id, now=now, settings=settings
    )
    body = appointments.moved_message(session, old, new, sms=sms)
    car: MovedCar | None = None
    if trip is not None:
        when = ahead.spoken_pickup(trip.ride.pickup_at, now) if trip.ride.pickup_at else ""
        car = MovedCar(
            when=when,
            moved=trip.moved,
            cancelled=not trip.moved and not trip.kept,
            kept=trip.kept,
        )
        if trip.kept and when:
            body += texts.text("sms", "hospital_trip_kept", when=when)
        elif trip.moved and when:
            place = hospital_trips.pickup_place(session, patient.id)
            body += texts.text(
                "sms", "hospital_trip_moved", when=when, place=place.label if place else ""
            )
    appointments.notify_family(
        session, patient, body, f"appointment:{new.id}:moved", extra_number=extra_number
    )
    return car
