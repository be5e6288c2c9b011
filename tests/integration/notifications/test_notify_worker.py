"""The outbox worker on a real database (SQLite and PostgreSQL) and the fake Twilio."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from outbox_helpers import TEXT, TO, enqueue, row, rows
from sqlalchemy import update

from app.core.config import Settings
from app.core.db import Database
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.sender import TwilioSender
from app.notify.worker import OutboxWorker, backoff
from support.fake_twilio import FakeTwilio
from support.live_server import FakeClock


@pytest.fixture
def worker(
    db: Database, sender: TwilioSender, notify_settings: Settings, clock: FakeClock
) -> OutboxWorker:
    return OutboxWorker(db, sender, notify_settings, clock.now)


def drain(worker: OutboxWorker) -> int:
    total = 0
    while handled := worker.run_once():
        total += handled
    return total


def test_queued_sms_is_sent_exactly_once(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio
) -> None:
    message_id = enqueue(db, "ride:1:assigned:caller")
    assert drain(worker) == 1
    assert drain(worker) == 0
    [request] = fake_twilio.creates()
    assert request.form["Body"] == TEXT
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.SENT
    assert stored.provider_sid == fake_twilio.created[0]["sid"]
    assert stored.attempts == 1 and stored.sent_at is not None


def test_call_message_posts_twiml_saying_the_text_twice(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio
) -> None:
    enqueue(db, "ride:1:assigned:call", kind=OutboxKind.CALL, body="车牌 云A 1 2 3 4 5")
    drain(worker)
    [request] = fake_twilio.creates("Calls")
    assert request.form["Twiml"].count("车牌 云A 1 2 3 4 5") == 2
    assert rows(db)[0].provider_sid.startswith("CA")  # type: ignore[union-attr]


def test_same_key_twice_is_one_row_and_one_send(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio
) -> None:
    first = enqueue(db, "ride:2:assigned:caller")
    second = enqueue(db, "ride:2:assigned:caller", body="another text")
    assert first == second and len(rows(db)) == 1
    drain(worker)
    enqueue(db, "ride:2:assigned:caller")  # after sending: still nothing new
    drain(worker)
    assert len(fake_twilio.creates()) == 1


def test_provider_down_for_minutes_then_catches_up_without_loss_or_duplicates(
    db: Database,
    worker: OutboxWorker,
    fake_twilio: FakeTwilio,
    clock: FakeClock,
    notify_settings: Settings,
) -> None:
    ids = [enqueue(db, f"ride:{n}:assigned", to=f"+86138000000{n:02d}") for n in range(5)]
    fake_twilio.mode = "error500"
    start = clock.now()
    tries_while_down = 0
    while clock.now() - start < timedelta(minutes=5):  # five minutes of outage
        tries_while_down += worker.run_once()
        clock.advance(timedelta(seconds=5))
    assert all(m.status == OutboxStatus.PENDING for m in rows(db))
    attempts = rows(db)[0].attempts
    # 5 s, 10 s, 20 s, 40 s, 80 s, 160 s ... : about 6 tries in 5 minutes, not 60
    assert 5 <= attempts <= 7, attempts
    assert tries_while_down == 5 * attempts
    assert rows(db)[0].last_error and "500" in rows(db)[0].last_error  # type: ignore[operator]
    fake_twilio.mode = "ok"
    while any(m.status != OutboxStatus.SENT for m in rows(db)):
        clock.advance(timedelta(seconds=30))
        drain(worker)
        assert clock.now() - start < timedelta(minutes=20)
    sent_to = sorted(r.form["To"] for r in fake_twilio.creates() if r.outcome == "ok")
    assert sent_to == sorted(f"+86138000000{n:02d}" for n in range(5))  # each exactly once
    assert {m.id for m in rows(db)} == set(ids)
    assert backoff(notify_settings, attempts) <= timedelta(minutes=10)


def test_permanent_400_fails_without_retry(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio, clock: FakeClock
) -> None:
    fake_twilio.invalid_numbers.add(TO)
    message_id = enqueue(db, "ride:3:assigned")
    drain(worker)
    clock.advance(timedelta(hours=1))
    drain(worker)
    assert len(fake_twilio.creates()) == 1
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.FAILED
    assert "21211" in (stored.last_error or "") and TO not in (stored.last_error or "")


def test_gives_up_after_max_attempts(
    db: Database,
    sender: TwilioSender,
    notify_settings: Settings,
    fake_twilio: FakeTwilio,
    clock: FakeClock,
) -> None:
    settings = notify_settings.model_copy(update={"outbox_max_attempts": 3})
    worker = OutboxWorker(db, sender, settings, clock.now)
    fake_twilio.mode = "error500"
    message_id = enqueue(db, "ride:4:assigned")
    for _ in range(10):
        drain(worker)
        clock.advance(timedelta(minutes=10))
    assert len(fake_twilio.creates()) == 3
    assert row(db, message_id).status == OutboxStatus.FAILED


@pytest.mark.parametrize("mode", ["hang", "drop"])
def test_lost_answer_is_looked_up_not_resent(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio, clock: FakeClock, mode: str
) -> None:
    """Twilio created the message but its answer never arrived: found, never sent twice."""
    fake_twilio.hang_seconds = 1.5
    fake_twilio.fail_next(mode)
    message_id = enqueue(db, "ride:5:assigned")
    drain(worker)
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.SENDING and stored.provider_sid is None
    clock.advance(timedelta(minutes=1))
    drain(worker)
    stored = row(db, message_id)
    assert stored.status == OutboxStatus.SENT
    assert len(fake_twilio.creates()) == 1
    assert stored.provider_sid == fake_twilio.created[0]["sid"]


def test_request_that_never_arrived_is_sent_after_lookup(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio, clock: FakeClock
) -> None:
    fake_twilio.fail_next("drop_before")
    message_id = enqueue(db, "ride:6:assigned")
    drain(worker)
    assert row(db, message_id).status == OutboxStatus.SENDING
    clock.advance(timedelta(minutes=1))
    drain(worker)
    assert row(db, message_id).status == OutboxStatus.SENT
    assert len(fake_twilio.created) == 1
    assert [r.method for r in fake_twilio.requests] == ["POST", "GET", "POST"]


def test_message_stuck_in_sending_after_a_crash_is_recovered_once(
    db: Database, worker: OutboxWorker, fake_twilio: FakeTwilio, clock: FakeClock
) -> None:
    crashed = enqueue(db, "ride:7:crashed-before-send")
    crashed_after = enqueue(db, "ride:7:crashed-after-send", body="已派车：云A99999")
    fake_twilio.created.append(  # Twilio has the second one; the worker died before commit
        {
            "_kind": "Messages",
            "sid": "SM" + "f" * 32,
            "to": TO,
            "from": "+868710000000",
            "body": "已派车：云A99999",
            "status": "sent",
            "date_created": None,
        }
    )
    with db.session() as session:
        session.execute(
            update(OutboxMessage).values(
                status=OutboxStatus.SENDING, next_attempt_at=clock.now() + timedelta(minutes=2)
            )
        )
    assert drain(worker) == 0  # the lease has not run out: another worker may be sending
    clock.advance(timedelta(minutes=3))
    assert drain(worker) == 2
    assert row(db, crashed).status == OutboxStatus.SENT
    assert row(db, crashed_after).provider_sid == "SM" + "f" * 32
    assert len(fake_twilio.creates()) == 1  # only the one that had not reached Twilio


def test_logs_have_no_numbers_or_bodies(
    db: Database,
    worker: OutboxWorker,
    fake_twilio: FakeTwilio,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_twilio.invalid_numbers.add("+8613800000099")
    enqueue(db, "a", to="+8613800000099")
    enqueue(db, "b")
    fake_twilio.fail_next("error500")
    drain(worker)
    clock.advance(timedelta(minutes=1))
    drain(worker)
    text = "\n".join(
        f"{r.getMessage()} {getattr(r, 'fields', '')} {r.exc_text or ''}" for r in caplog.records
    )
    assert "outbox message sent" in text
    for secret in (TO, "+8613800000099", TEXT, "13900000000"):
        assert secret not in text
