"""`/metrics` over real HTTP: hidden without a token, closed to a wrong one, and with the
right one it reports what a signed Twilio call changed (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from telephony_harness import AUTH_TOKEN, CALLER, HOTLINE, PUBLIC_BASE, register_caller
from twilio.request_validator import RequestValidator

from app.calls.enums import CallChannel
from app.calls.models import Call
from app.hospital.enums import SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.people.models import Person
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data
from support.live_server import LiveServer

TOKEN = "metrics-token-0123456789abcdef"
SID = "CA" + "fedcba9876543210" * 2

Factory = Callable[..., LiveServer]


def scrape(server: LiveServer, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(server.url + "/metrics", headers=headers, timeout=10)


def samples(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, keyed by name and sorted labels."""
    response = scrape(server)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def signed_post(server: LiveServer, path: str, params: dict[str, str]) -> str:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + path, params)
    response = httpx.post(
        server.url + path,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.text


def next_step(twiml: str) -> int:
    match = re.search(r"/twilio/voice/step\?step=(\d+)", twiml)
    assert match, twiml
    return int(match.group(1))


def metrics_server(factory: Factory) -> LiveServer:
    return factory(metrics_token=TOKEN, twilio_auth_token=AUTH_TOKEN, public_base_url=PUBLIC_BASE)


def test_metrics_endpoint_does_not_exist_without_a_configured_token(
    live_server_factory: Factory,
) -> None:
    server = live_server_factory(metrics_token="")
    assert scrape(server).status_code == 404
    assert scrape(server, token=None).status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(live_server_factory: Factory) -> None:
    server = metrics_server(live_server_factory)
    missing = scrape(server, token=None)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "ivr_" not in missing.text
    wrong = scrape(server, token=TOKEN + "x")
    assert wrong.status_code == 403
    assert "ivr_" not in wrong.text
    basic = httpx.get(server.url + "/metrics", auth=("prometheus", TOKEN), timeout=10)
    assert basic.status_code == 401


def test_metrics_with_the_right_token_list_every_ivr_metric(live_server_factory: Factory) -> None:
    server = metrics_server(live_server_factory)
    text = scrape(server).text
    for name in (
        "ivr_webhook_seconds",
        "ivr_call_step_seconds",
        "ivr_calls_ended_total",
        "ivr_transfers_total",
        "ivr_recognition_seconds",
        "ivr_recognition_failures_total",
        "ivr_ride_queue_length",
        "ivr_ride_queue_oldest_wait_seconds",
        "ivr_outbox_pending",
        "ivr_outbox_failed",
        "ivr_bookings",
    ):
        assert f"# TYPE {name} " in text, name
    for reason in ("asked", "silence", "not_understood", "system_error", "emergency", "flow"):
        assert f'ivr_transfers_total{{reason="{reason}"}}' in text
    for outcome in ("completed", "transferred", "caller_hung_up"):
        assert f'ivr_calls_ended_total{{outcome="{outcome}"}}' in text


def test_a_call_that_queues_a_ride_moves_the_queue_gauge_and_the_step_histograms(
    live_server_factory: Factory,
) -> None:
    server = metrics_server(live_server_factory)
    register_caller(server.db)
    before = samples(server)
    assert value(before, "ivr_ride_queue_length") == 0
    assert value(before, "ivr_ride_queue_oldest_wait_seconds") == 0

    start = {"CallSid": SID, "From": CALLER, "To": HOTLINE, "CallStatus": "ringing"}
    confirm = signed_post(server, "/twilio/voice", start)
    done = signed_post(
        server, f"/twilio/voice/step?step={next_step(confirm)}", {"CallSid": SID, "Digits": "1"}
    )
    signed_post(
        server, f"/twilio/voice/step?step={next_step(done)}", {"CallSid": SID, "Digits": "1"}
    )
    with server.db.session() as session:
        assert [r.status for r in session.query(Ride)] == [RideStatus.QUEUED]

    after = samples(server)
    assert value(after, "ivr_ride_queue_length") == 1
    assert value(after, "ivr_ride_queue_oldest_wait_seconds") >= 0
    steps = "ivr_call_step_seconds_count"
    assert (
        value(after, steps, event="call_started") == value(before, steps, event="call_started") + 1
    )
    assert value(after, steps, event="keys") == value(before, steps, event="keys") + 2
    webhooks = "ivr_webhook_seconds_count"
    assert value(after, webhooks, route="/twilio/voice/step") == (
        value(before, webhooks, route="/twilio/voice/step") + 2
    )
    ended = "ivr_calls_ended_total"
    assert value(after, ended, outcome="completed") == value(before, ended, outcome="completed") + 1


def test_a_caller_asking_for_a_person_counts_a_transfer_and_a_transferred_call(
    live_server_factory: Factory,
) -> None:
    server = metrics_server(live_server_factory)
    register_caller(server.db)
    before = samples(server)
    start = {"CallSid": SID, "From": CALLER, "To": HOTLINE, "CallStatus": "ringing"}
    first = signed_post(server, "/twilio/voice", start)
    handed_over = signed_post(
        server, f"/twilio/voice/step?step={next_step(first)}", {"CallSid": SID, "Digits": "0"}
    )
    assert "<Dial" in handed_over or "<Enqueue" in handed_over
    after = samples(server)
    for name, labels in (
        ("ivr_transfers_total", {"reason": "asked"}),
        ("ivr_calls_ended_total", {"outcome": "transferred"}),
    ):
        assert value(after, name, **labels) == value(before, name, **labels) + 1, name
    assert value(after, "ivr_transfers_total", reason="silence") == value(
        before, "ivr_transfers_total", reason="silence"
    )


def test_database_gauges_count_the_outbox_the_oldest_wait_and_bookings_by_channel(
    live_server_factory: Factory,
) -> None:
    server = metrics_server(live_server_factory)
    queued_at = datetime.now(UTC) - timedelta(minutes=7)
    with server.db.session() as session:
        session.add(Call(id=SID, channel=CallChannel.TWILIO))
        session.add_all(
            Ride(status=RideStatus.QUEUED, queued_at=queued_at + timedelta(minutes=n))
            for n in range(3)
        )
        session.add(Ride(status=RideStatus.ASSIGNED, queued_at=queued_at - timedelta(hours=1)))
        session.add_all(
            OutboxMessage(
                kind=OutboxKind.SMS,
                to_number=CALLER,
                body="测试",
                idempotency_key=f"metrics-{status}-{n}",
                status=status,
            )
            for n, status in enumerate(
                [OutboxStatus.PENDING] * 2 + [OutboxStatus.FAILED] + [OutboxStatus.SENT] * 4
            )
        )
    found = samples(server)
    assert value(found, "ivr_ride_queue_length") == 3
    assert 7 * 60 <= value(found, "ivr_ride_queue_oldest_wait_seconds") < 8 * 60
    assert value(found, "ivr_outbox_pending") == 2
    assert value(found, "ivr_outbox_failed") == 1
    exposition = scrape(server).text
    assert CALLER not in exposition and SID not in exposition


def test_bookings_gauge_splits_appointments_made_on_a_call_from_the_others(
    live_server_factory: Factory,
) -> None:
    server = metrics_server(live_server_factory)
    demo_data(server.db)
    before = samples(server)
    with server.db.session() as session:
        session.add(Call(id=SID, channel=CallChannel.TWILIO))
        slots = session.scalars(select(Slot).where(Slot.status == SlotStatus.FREE).limit(3)).all()
        patients = session.scalars(select(Person.id).order_by(Person.id).limit(3)).all()
        assert len(slots) == 3 and len(patients) == 3
        for n, (slot, patient_id) in enumerate(zip(slots, patients, strict=True)):
            schedule = session.get_one(Schedule, slot.schedule_id)
            doctor = session.get_one(Doctor, schedule.doctor_id)
            department = session.get_one(Department, doctor.department_id)
            slot.status = SlotStatus.BUSY
            session.add(
                Appointment(
                    slot_id=slot.id,
                    patient_id=patient_id,
                    department_id=doctor.department_id,
                    department_name=department.name,
                    day=schedule.day,
                    session=schedule.session,
                    call_id=SID if n < 2 else None,
                )
            )
    after = samples(server)
    for channel, added in (("phone_call", 2), ("other", 1)):
        assert value(after, "ivr_bookings", channel=channel) == (
            value(before, "ivr_bookings", channel=channel) + added
        )
