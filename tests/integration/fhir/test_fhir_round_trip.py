"""The HIS link end to end: a Bundle of slots is imported over HTTP, a slot is booked by
phone (the booking service of the call flow), read back through the API (validated as
FHIR with fhir.resources), and pushed, signed, to a fake HIS on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir_helpers import (
    DERMA,
    NOW,
    TOMORROW,
    ZHANG,
    FakeHis,
    add_doctor,
    new_token,
    session_bundle,
    set_webhook,
)
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import appointments
from app.hospital.fhir import signing
from app.hospital.fhir.models import FhirIdentifier
from app.hospital.fhir.push import WebhookSender
from app.hospital.models import Schedule, Slot
from app.hospital.offers import find_offers
from app.notify.enums import OutboxKind
from app.notify.routing import RoutingSender
from app.notify.worker import OutboxWorker
from app.people.models import PersonPhone
from support.live_server import LiveServer


def _counts(db: Database, doctor_id: int) -> tuple[int, int, int]:
    with db.session() as session:
        schedules = session.scalar(
            select(func.count(Schedule.id)).where(Schedule.doctor_id == doctor_id)
        )
        slots = session.scalar(
            select(func.count(Slot.id)).join(Schedule).where(Schedule.doctor_id == doctor_id)
        )
        idents = session.scalar(select(func.count(FhirIdentifier.id)))
        return schedules or 0, slots or 0, idents or 0


def _push_all(live_server: LiveServer) -> int:
    worker = OutboxWorker(
        live_server.db,
        RoutingSender({OutboxKind.FHIR_PUSH: WebhookSender(live_server.db, timeout=5)}),
        live_server.settings,
        kinds=[OutboxKind.FHIR_PUSH],
    )
    return worker.run_once()


def _book_by_phone(db: Database, doctor_id: int) -> tuple[int, int]:
    """(appointment id, patient id): the first offer of the new department, as a call books."""
    with db.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
        offers = [
            o
            for o in find_offers(session, department=DERMA, patient_id=patient_id, now=NOW)
            if o.day == TOMORROW
        ]
        assert offers, "the imported session is not offered by phone"
        appointment = appointments.book(
            session,
            slot_id=offers[0].slot_id,
            patient_id=patient_id,
            now=NOW,
            booked_by_number=ZHANG,
        )
        return appointment.id, patient_id


def test_import_book_read_back_and_signed_push(
    clinic: int, demo: Database, live_server_factory: Callable[..., LiveServer], his: FakeHis
) -> None:
    # The test sends the pushes itself: the server's own outbox worker would race it for them.
    live_server = live_server_factory(outbox_in_process=False)
    live_server.clock.set(NOW)
    doctor_id = add_doctor(demo, clinic)
    _, token = new_token(demo, clinic)
    secret = set_webhook(demo, clinic, his.url)
    api = httpx.Client(
        base_url=f"{live_server.url}/fhir/{clinic}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )

    # Import: the session and its three slots; posting it again changes nothing.
    bundle = session_bundle(doctor_id, clinic, slots=3)
    base = f"{live_server.url}/fhir/{clinic}"  # a batch is posted to the base itself
    first = api.post(base, json=bundle)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("application/fhir+json")
    assert len(first.json()["entry"]) == 4
    assert _counts(demo, doctor_id) == (1, 3, 4)
    again = api.post(base, json=bundle)
    assert again.status_code == 200
    assert again.json()["entry"] == first.json()["entry"]
    assert _counts(demo, doctor_id) == (1, 3, 4)

    # The slots read back with their pools; all free.
    slots = Bundle.model_validate(api.get("/Slot", params={"start": TOMORROW.isoformat()}).json())
    assert [e.resource.status for e in slots.entry] == ["free", "free", "free"]
    pools = [e.resource.serviceType[0].coding[0].code for e in slots.entry]
    assert pools == ["elderly-phone", "open", "onsite"]

    # Booked by phone: an older caller gets the elderly share first, never the on-site one.
    appointment_id, patient_id = _book_by_phone(demo, doctor_id)
    found = api.get(
        "/Appointment",
        params={
            "date": TOMORROW.isoformat(),
            "status": "booked",
            "practitioner": f"Practitioner/{doctor_id}",
        },
    )
    assert found.status_code == 200
    searchset = Bundle.model_validate(found.json())
    assert searchset.type == "searchset" and searchset.total == 1
    booked = searchset.entry[0].resource
    assert booked.id == str(appointment_id) and booked.status == "booked"
    assert booked.slot[0].reference == f"Slot/{slots.entry[0].resource.id}"
    assert {p.actor.reference for p in booked.participant} == {
        f"Patient/{patient_id}",
        f"Practitioner/{doctor_id}",
    }
    busy = Bundle.model_validate(api.get("/Slot", params={"status": "busy"}).json())
    assert [e.resource.id for e in busy.entry] == [slots.entry[0].resource.id]
    assert api.get("/Appointment", params={"status": "cancelled"}).json()["total"] == 0
    later = (NOW + timedelta(days=400)).isoformat()
    assert api.get("/Appointment", params={"_lastUpdated": f"gt{later}"}).json()["total"] == 0
    patient = Patient.model_validate(api.get(f"/Patient/{patient_id}").json())
    assert patient.identifier[0].value and patient.telecom[0].value == ZHANG

    # Push: the booking arrives signed; cancelling it sends version 2.
    assert _push_all(live_server) == 1
    assert len(his.received) == 1
    push = his.received[0]
    assert push.headers["Content-Type"] == "application/fhir+json"
    ts, sig = push.headers[signing.TIMESTAMP_HEADER], push.headers[signing.SIGNATURE_HEADER]
    assert signing.verify(secret, push.body, ts, sig)
    pushed = FhirAppointment.model_validate_json(push.body)
    assert (pushed.id, pushed.status, pushed.meta.versionId) == (str(appointment_id), "booked", "1")

    # The receiver can tell a tampered body, a wrong key and an old (replayed) request.
    assert not signing.verify(secret, push.body.replace(b"booked", b"noshow"), ts, sig)
    assert not signing.verify("another-secret", push.body, ts, sig)
    assert not signing.verify(secret, push.body, ts, sig, now=int(ts) + 3600)
    assert not signing.verify(secret, push.body, str(int(ts) - 3600), sig)

    with demo.session() as session:
        appointments.cancel(session, appointment_id=appointment_id, now=NOW, reason="家里有事")
    assert _push_all(live_server) == 1
    cancelled = FhirAppointment.model_validate_json(his.received[1].body)
    assert (cancelled.status, cancelled.meta.versionId) == ("cancelled", "2")
    assert json.loads(his.received[1].body)["cancelationReason"]["text"] == "家里有事"
    assert abs(int(his.received[1].headers[signing.TIMESTAMP_HEADER]) - time.time()) < 60
    assert _push_all(live_server) == 0  # nothing twice
