"""The daily retention job inside `ivr serve`, in a background thread like the outbox worker.

    handle = start_retention_thread(app.state.db, settings)   # FastAPI lifespan start-up
    ...
    handle.stop()                                             # lifespan shutdown

Every `retention_check_seconds` the thread asks whether today's run is due (the local hour
has reached `retention_hour`) and, if so, claims the day and runs; with several service
processes the claim (`retention_runs.day`) lets exactly one of them run each day.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import local_now
from app.db.base import utcnow
from app.retention.job import RetentionReport, run_daily
from app.retention.twilio_recordings import RecordingDeleter

logger = logging.getLogger(__name__)


def run_if_due(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    deleter: RecordingDeleter | None = None,
) -> RetentionReport | None:
    """Today's run if the hour has come and no process has run it yet; else None."""
    if local_now(now).hour < settings.retention_hour:
        return None
    return run_daily(db, settings, now=now, deleter=deleter)


class RetentionThread:
    """Checks in a daemon thread whether the day's run is due; start once, stop once."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        deleter: RecordingDeleter | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.deleter = deleter
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def start(self) -> RetentionThread:
        self.thread.start()
        return self

    def _loop(self) -> None:
        """Check at start-up, then every `retention_check_seconds` until stopped; a run
        under way is finished before the thread stops."""
        while True:
            try:
                run_if_due(self.db, self.settings, now=self.clock(), deleter=self.deleter)
            except Exception:  # the database was unreachable, say: log and try later
                logger.exception("retention run failed")
            if self.stop_event.wait(self.settings.retention_check_seconds):
                return

    def stop(self, timeout: float = 30.0) -> bool:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        return not self.thread.is_alive()


def start_retention_thread(db: Database, settings: Settings) -> RetentionThread:
    return RetentionThread(db, settings).start()
