"""Two workers racing over the same 50 messages send each exactly once (SQLite and PG)."""

from __future__ import annotations

import threading
from collections import Counter

from outbox_helpers import enqueue, rows

from app.core.config import Settings
from app.core.db import Database
from app.notify.enums import OutboxStatus
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
