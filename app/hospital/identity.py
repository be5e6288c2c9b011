"""Proof of identity on the hotline: the last four digits of the patient's ID number.

Caller ID is not proof (a shared or spoofed phone), so reading out or cancelling a booking
needs the last four characters of the patient's ID number. Those are only ~500 likely
values (three sequence digits, a check digit, gender parity), so wrong answers are counted
per patient across calls, not per call: `MAX_FAILURES` wrong answers within
`WINDOW` lock the phone check for that patient (until the oldest of them leaves the window);
then only a person on the hotline helps, after checking the caller's identity another way.
When the lock starts, the patient's mobiles get an SMS (through the outbox, in the same
transaction), so a patient whose bookings someone else tried to reach hears of it.

Whose wrong answers count: the patient's own (calls from any of the patient's registered
phones, and wrong answers of unknown origin) are counted apart from each relative's (calls
from that relative's number). A relative who types wrong three times is handed to a person
and locked out of the phone check, but the patient calling from their own phone is not:
they would otherwise be told "已经多次输错" for someone else's tries. A call whose number
is withheld counts every wrong answer (the strictest reading).

Only the moment and call of a wrong answer are stored, never the digits typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import texts
from app.calls.models import Call
from app.hospital.models import IdentityFailure
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.enums import PhoneKind
from app.people.models import Person, PersonPhone

MAX_FAILURES = 3  # wrong answers within the window before only a person helps
WINDOW = timedelta(hours=24)


def failures(
    session: Session, *, person_id: int, now: datetime, number: str | None = None
) -> int:
    """Wrong answers for this patient within the window before `now`, counted for the
    caller at `number`: the patient's own phones together, a relative's number on its own;
    every wrong answer when `number` is None (withheld, or all of them)."""
    query = select(func.count(IdentityFailure.id)).where(
        IdentityFailure.person_id == person_id, IdentityFailure.at > now - WINDOW
    )
    if number is not None:
        own = list(
            session.scalars(select(PersonPhone.number).where(PersonPhone.person_id == person_id))
        )
        query = query.outerjoin(Call, Call.id == IdentityFailure.call_id)
        if number in own:
            query = query.where(or_(Call.from_number.in_(own), Call.from_number.is_(None)))
        else:
            query = query.where(Call.from_number == number)
    return int(session.scalar(query) or 0)


def is_locked(
    session: Session, *, person_id: int, now: datetime, number: str | None = None
) -> bool:
    """Whether the phone check is locked for this patient and caller (a person must help)."""
    return failures(session, person_id=person_id, now=now, number=number) >= MAX_FAILURES


def record_failure(
    session: Session,
    *,
    person_id: int,
    now: datetime,
    call_id: str | None,
    number: str | None = None,
) -> bool:
    """Count one wrong answer of the caller at `number` (see `failures`); True when the
    check is now locked for them. The wrong answer that starts a lock texts the patient
    (their mobiles), whoever typed. Flushed, not committed."""
    session.add(IdentityFailure(person_id=person_id, at=now, call_id=call_id))
    session.flush()
    count = failures(session, person_id=person_id, now=now, number=number)
    if count != MAX_FAILURES:
        return count > MAX_FAILURES
    person = session.get(Person, person_id)
    if person is not None:
        body = texts.sms("identity_locked", patient=person.full_name)
        numbers = session.scalars(
            select(PersonPhone.number)
            .where(PersonPhone.person_id == person_id, PersonPhone.kind == PhoneKind.MOBILE)
            .order_by(PersonPhone.id)
        )
        stamp = now.strftime("%Y%m%d%H%M%S")
        for number in numbers:
            enqueue_message(
                session,
                kind=OutboxKind.SMS,
                to_number=number,
                body=body,
                idempotency_key=f"identity:{person_id}:locked:{stamp}:sms:{number}",
            )
    return True
