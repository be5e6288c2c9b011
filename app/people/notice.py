"""Telling a person they were registered: by whom, and how to undo it.

Called by `register_person` in the registration's own transaction, so every way in
(community console, family page, roster import commit) tells the person, and a dry run
that is rolled back tells nobody. Each of the person's mobiles gets an SMS; a landline
gets a short call that reads the text twice (the outbox's CALL messages). The idempotency
key makes it once per number and person.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import texts
from app.core.config import get_settings
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.card import written_number
from app.people.enums import PhoneKind
from app.people.models import Person


def tell_registered(
    session: Session, person: Person, *, by: str, numbers: set[str] | None = None
) -> int:
    """Queue the "you were registered" SMS or call to each of the person's numbers (or
    only to `numbers`, the ones a relative added later); returns how many were queued."""
    hotline = written_number(get_settings().hotline_number)
    phones = [p for p in person.phones if numbers is None or p.number in numbers]
    for phone in phones:
        key = f"person:{person.id}:registered:{phone.number}"
        if phone.kind == PhoneKind.MOBILE:
            body = texts.sms("registered", by=by, name=person.full_name, hotline=hotline)
            kind = OutboxKind.SMS
        else:
            body = texts.voice("registered", by=by, hotline=hotline)
            kind = OutboxKind.CALL
        enqueue_message(session, kind=kind, to_number=phone.number, body=body, idempotency_key=key)
    return len(phones)
