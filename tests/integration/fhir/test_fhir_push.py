"""Appointment pushes through the outbox: one version after another, never out of order;
failures retried with back-off and shown to the hospital admin."""

from __future__ import annotations

from datetime import timedelta

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir_helpers import (
    DERMA,
    NOW,
    TOMORROW,
    ZHANG,
    FakeHis,
    add_doctor,
    session_bundle,
    set_webhook,
)
from sqlalchemy import select, update

from app.core.config import Settings
from app.core.db import Database
from app.hospital import appointments, desk
from app.hospital.fhir import push
from app.hospital.fhir.importer import import_bundle
from app.hospital.offers import find_offers
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.routing import RoutingSender
from app.notify.worker import OutboxWorker
from app.people.models import PersonPhone
from support.live_server import FakeClock


def _setup(db: Database, clinic: int, his: FakeHis) -> int:
    """The imported session, the webhook, and one phone booking; returns its id."""
    doctor_id = add_doctor(db, clinic)
    set_webhook(db, clinic, his.url)
    with db.session() as session:
        import_bundle(session, hospital_id=clinic, data=session_bundle(doctor_id, clinic), now=NOW)
    with db.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
        offer = next(
            o
            for o in find_offers(session, department=DERMA, patient_id=patient_id, now=NOW)
            if o.day == TOMORROW
        )
        return appointments.book(
            session, slot_id=offer.slot_id, patient_id=patient_id, now=NOW, booked_by_number=ZHANG
        ).id


def _worker(db: Database, clock: FakeClock) -> OutboxWorker:
    settings = Settings(database_url=db.url, outbox_backoff_seconds=5.0, outbox_max_attempts=5)
    sender = RoutingSender({OutboxKind.FHIR_PUSH: push.WebhookSender(db, timeout=5)})
    return OutboxWorker(db, sender, settings, clock.now, kinds=[OutboxKind.FHIR_PUSH])


def _rows(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.status, OutboxMessage.provider_sid)
            .where(OutboxMessage.kind == OutboxKind.FHIR_PUSH)
            .order_by(OutboxMessage.id)
        )
        return [(key.rsplit(":", 1)[1], str(status), sid) for key, status, sid in rows]


def _cancel(db: Database, appointment_id: int) -> None:
    with db.session() as session:
        appointments.cancel(session, appointment_id=appointment_id, now=NOW, reason="不去了")


def test_a_later_version_supersedes_an_unsent_one(
    clinic: int, demo: Database, his: FakeHis
) -> None:
    appointment_id = _setup(demo, clinic, his)
    _cancel(demo, appointment_id)
    clock = FakeClock()
    clock.set(NOW + timedelta(days=400))  # rows written now are due
    assert _worker(demo, clock).run_once() == 2
    # Only the cancellation went out: the booking it superseded was never sent after it.
    assert [FhirAppointment.model_validate_json(r.body).status for r in his.received] == [
        "cancelled"
    ]
    rows = _rows(demo)
    assert [(v, s) for v, s, _ in rows] == [("v1", "sent"), ("v2", "sent")]
    assert rows[0][2] is not None and rows[0][2].startswith("superseded:")


def test_a_later_version_waits_for_the_one_in_flight(
    clinic: int, demo: Database, his: FakeHis
) -> None:
    appointment_id = _setup(demo, clinic, his)
    clock = FakeClock()
    clock.set(NOW + timedelta(days=400))
    lease = clock.now() + timedelta(minutes=2)
    with demo.session() as session:  # version 1 is being sent by another worker
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.FHIR_PUSH)
            .values(status=OutboxStatus.SENDING, next_attempt_at=lease)
        )
    _cancel(demo, appointment_id)
    worker = _worker(demo, clock)
    assert worker.run_once() == 1
    assert his.received == []  # version 2 did not overtake version 1
    with demo.session() as session:
        waiting = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.endswith(":v2"))
        ).one()
        assert waiting.status == OutboxStatus.PENDING
        assert "earlier version" in (waiting.last_error or "")
    # The other worker died; after its lease version 1 is recovered (superseded: a later
    # version exists), and after its back-off version 2 goes.
    clock.advance(timedelta(minutes=10))
    worker.run_once()
    assert his.received == []
    clock.advance(timedelta(minutes=10))
    assert worker.run_once() == 1
    assert [FhirAppointment.model_validate_json(r.body).meta.versionId for r in his.received] == [
        "2"
    ]


def test_failures_are_retried_and_shown(clinic: int, demo: Database, his: FakeHis) -> None:
    _setup(demo, clinic, his)
    his.status = 503
    clock = FakeClock()
    clock.set(NOW + timedelta(days=400))
    worker = _worker(demo, clock)
    assert worker.run_once() == 1
    with demo.session() as session:
        [failed] = push.failures(session, hospital_id=clinic)
        assert failed.status == OutboxStatus.PENDING and failed.attempts == 1
        assert failed.last_error == "webhook answered HTTP 503"
        assert failed.next_attempt_at == clock.now() + timedelta(seconds=5)  # back-off
    assert worker.run_once() == 0  # not before the back-off
    his.status = 410
    clock.advance(timedelta(seconds=5))
    assert worker.run_once() == 1
    with demo.session() as session:
        [failed] = push.failures(session, hospital_id=clinic)
        assert failed.status == OutboxStatus.FAILED  # a 4xx is not retried
        assert push.failures(session, hospital_id=clinic + 1000) == []
    assert len(his.received) == 2


def test_arrival_at_the_desk_is_pushed_as_arrived(
    clinic: int, demo: Database, his: FakeHis
) -> None:
    appointment_id = _setup(demo, clinic, his)
    clock = FakeClock()
    clock.set(NOW + timedelta(days=400))
    worker = _worker(demo, clock)
    assert worker.run_once() == 1
    arrival = NOW + timedelta(days=1)  # the session's day, at the desk
    with demo.session() as session:
        desk.check_in(session, appointment_id=appointment_id, hospital_id=clinic, now=arrival)
    assert worker.run_once() == 1
    pushed = [FhirAppointment.model_validate_json(r.body) for r in his.received]
    assert [(p.status, p.meta.versionId) for p in pushed] == [("booked", "1"), ("arrived", "2")]
