"""The scheduler loop, in a daemon thread of `ivr serve` or in `ivr scheduler run`.

    handle = start_scheduler_thread(db, settings)   # FastAPI lifespan start-up
    ...
    handle.stop()

Every `IVR_SCHEDULER_POLL_SECONDS` it runs the due jobs (`app.scheduler.jobs.run_due`).
Any number of these loops may run against one database: the claim in `run_due` lets one
of them do each job occurrence, once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from app.core.config import Settings
from app.core.db import Database
from app.db.base import utcnow
from app.scheduler.enums import JobKind
from app.scheduler.jobs import Handler, RunReport, run_due

logger = logging.getLogger(__name__)


def default_handlers(settings: Settings) -> dict[JobKind, Handler]:
    """Every kind of job the service knows: the ride kinds (taxi), the reminder calls
    (hospital), the regular rides' instances."""
    from app.hospital.reminders import job_handlers as reminder_handlers
    from app.taxi.ahead import job_handlers
    from app.taxi.regular import job_handlers as regular_handlers

    return {**job_handlers(settings), **reminder_handlers(), **regular_handlers(settings)}


class Scheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        handlers: Mapping[JobKind, Handler] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.handlers = handlers if handlers is not None else default_handlers(settings)
        self.clock = clock

    def run_once(self) -> RunReport:
        report = run_due(self.db, self.handlers, now=self.clock())
        if report.handled:
            logger.info(
                "scheduler: %d done, %d dropped, %d retried, %d failed",
                len(report.done), len(report.dropped), len(report.retried), len(report.failed),
            )
        return report

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the database away for a moment: try again next round
                logger.exception("scheduler round failed")
            stop.wait(self.settings.scheduler_poll_seconds)


class SchedulerThread:
    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=scheduler.run_forever, args=(self.stop_event,), name="scheduler", daemon=True
        )

    def start(self) -> SchedulerThread:
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = 30.0) -> bool:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        return not self.thread.is_alive()


def start_scheduler_thread(db: Database, settings: Settings) -> SchedulerThread:
    return SchedulerThread(Scheduler(db, settings)).start()
