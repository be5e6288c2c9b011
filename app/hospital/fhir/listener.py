"""Registers the flush listener that queues appointment pushes (app.hospital.fhir.push).

Imported at the end of app.hospital.models, so it is active wherever appointments can
change. It imports nothing of the hospital capability at load time (the push module needs
the models, the rules and the audit trail, which need the models): `enqueue` is looked up
when a flush has changed an appointment. A booking's insert (`app.hospital.appointments.book`)
is a Core statement no flush sees: `book` calls `enqueue` itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "fhir_push_appointments"


@event.listens_for(Session, "after_flush")
def _note_changed_appointments(session: Session, _context: Any) -> None:
    from app.hospital.models import Appointment

    changed = session.info.setdefault(PENDING_KEY, set())
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Appointment) and (obj in session.new or session.is_modified(obj)):
            changed.add(obj.id)


@event.listens_for(Session, "after_flush_postexec")
def _enqueue_pushes(session: Session, _context: Any) -> None:
    changed: set[int] = session.info.pop(PENDING_KEY, set())
    if not changed:
        return
    from app.hospital.fhir.push import enqueue

    for appointment_id in sorted(changed):
        enqueue(session, appointment_id)
