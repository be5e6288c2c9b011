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

from app.core.config import Settings
from app.core.db import Database
from app.db.base import utcnow
from app.notify.sender import Sender, TwilioSender
from app.notify.worker import OutboxWorker

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


def start_worker_thread(
    db: Database,
    settings: Settings,
    *,
    sender: Sender | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> WorkerThread:
    """Build a worker (a TwilioSender from settings unless `sender` is given) and start it."""
    worker = OutboxWorker(db, sender or TwilioSender(settings), settings, clock)
    return WorkerThread(worker).start()
