"""Two workers racing over the same 50 messages send each exactly once (SQLite and PG)."""

from __future__ import annotations

import threading
from collections import Counter

from outbox_helpers import TO, enqueue, rows

from app.core.config import Settings
from app.core.db import Database
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.outbox import enqueue_message
from app.notify.sender import TwilioSender
from app.notify.worker import OutboxWorker
from support.fake_twilio import FakeTwilio


def test_two_workers_send_each_of_50_messages_once(
    db: Database, notify_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    for n in range(50):
        enqueue(db, f"race:{n}", to=f"+86138{n:08d}", body=f"第{n}条")
    barrier = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        worker_db = Database(notify_settings.database_url)  # own engine, own connections
        worker = OutboxWorker(
            worker_db, TwilioSender(notify_settings, timeout=5), notify_settings, batch_size=5
        )
        try:
            barrier.wait()
            total = 0
            while count := worker.run_once():
                total += count
            handled.append(total)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            worker_db.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(handled) == 50
    assert all(count > 0 for count in handled), handled  # both really took part
    bodies = Counter(r.form["Body"] for r in fake_twilio.creates())
    assert len(bodies) == 50 and set(bodies.values()) == {1}
    assert all(m.status == OutboxStatus.SENT for m in rows(db))
    assert len({m.provider_sid for m in rows(db)}) == 50


def test_two_transactions_enqueueing_one_key_at_once_store_one_message(db: Database) -> None:
    """The second insert of a key whose first insert is not committed yet waits for it, then
    does nothing and returns the stored message (a look-up then an insert would fail)."""
    second: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def enqueue_again() -> None:
        try:
            with db.session() as session:
                message = enqueue_message(
                    session, kind=OutboxKind.SMS, to_number=TO, body="第二条",
                    idempotency_key="same",
                )
                second.append((message.id, message.body))
        except BaseException as exc:  # reported below
            errors.append(exc)

    racer = threading.Thread(target=enqueue_again)
    with db.session() as first:
        first_id = enqueue_message(
            first, kind=OutboxKind.SMS, to_number=TO, body="第一条", idempotency_key="same"
        ).id
        racer.start()
        racer.join(timeout=0.5)
        assert racer.is_alive(), "the second insert must wait for the first transaction"
    racer.join(timeout=30)  # the first has committed
    assert not errors, errors
    assert second == [(first_id, "第一条")]
    assert [(m.id, m.body) for m in rows(db)] == [(first_id, "第一条")]
