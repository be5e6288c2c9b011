"""Running the outbox worker in a background thread (in `ivr serve` or `ivr outbox run`).

    handle = start_worker_thread(app.state.db, settings)   # FastAPI lifespan start-up
    ...
    handle.stop()                                           # lifespan shutdown

`stop` lets the message being sent finish (at most one HTTP timeout) and joins the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from app.core.config import Settings
from app.core.db import Database
from app.db.base import utcnow
from app.notify.enums import OutboxKind
from app.notify.routing import RoutingSender
from app.notify.worker import OutboxWorker

if TYPE_CHECKING:
    from app.notify.sender import Sender

logger = logging.getLogger(__name__)


class WorkerThread:
    """One OutboxWorker polling in a daemon thread; start once, stop once."""

    def __init__(self, worker: OutboxWorker, name: str = "outbox-worker") -> None:
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=worker.run_forever, args=(self.stop_event,), name=name, daemon=True
        )

    def start(self) -> WorkerThread:
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the worker to stop and wait; False if it was still busy after `timeout`."""
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        if self.thread.is_alive():
            logger.warning("outbox worker did not stop within %ss", timeout)
            return False
        return True


def default_sender(db: Database, settings: Settings) -> RoutingSender:
    """Twilio for SMS and calls when configured; the HIS webhooks for FHIR pushes always."""
    from app.hospital.fhir.push import WebhookSender  # the one sender outside app.notify

    senders: dict[OutboxKind, Sender] = {OutboxKind.FHIR_PUSH: WebhookSender(db)}
    if settings.notifications_configured:  # the twilio client (~0.06 s) only then
        from app.notify.sender import TwilioSender

        twilio = TwilioSender(settings)
        senders[OutboxKind.SMS] = senders[OutboxKind.CALL] = twilio
        senders[OutboxKind.FLOW_CALL] = twilio
    return RoutingSender(senders)


def start_worker_thread(
    db: Database,
    settings: Settings,
    *,
    sender: Sender | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> WorkerThread:
    """Build a worker (`default_sender` unless `sender` is given) and start it."""
    if sender is None:
        routing = default_sender(db, settings)
        worker = OutboxWorker(db, routing, settings, clock, kinds=routing.kinds)
    else:
        worker = OutboxWorker(db, sender, settings, clock)
    return WorkerThread(worker).start()
