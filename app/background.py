"""The service's background jobs: the outbox worker, the daily retention job, the scheduler.

Each runs in a daemon thread of exactly one process of `ivr serve`: the single process
when it serves alone (started by the app's lifespan), the supervisor process when it runs
several workers (`ivr serve --workers N`, `app.startup.serve`), never once per worker.
Each is switched off by its setting (`IVR_OUTBOX_IN_PROCESS`, `IVR_RETENTION_IN_PROCESS`,
`IVR_SCHEDULER_IN_PROCESS`) when it runs as its own command (`ivr outbox run`, ...).

    jobs = start_background_jobs(db, settings)
    ...
    jobs.stop()
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Protocol

from app.core.config import Settings
from app.core.db import Database

logger = logging.getLogger(__name__)


class Stoppable(Protocol):
    def stop(self, timeout: float = 30.0) -> bool: ...


@dataclass
class BackgroundJobs:
    """The jobs started in this process, by name; stopped in the reverse order."""

    running: dict[str, Stoppable] = field(default_factory=dict)

    def stop(self) -> None:
        for handle in reversed(list(self.running.values())):
            handle.stop()
        self.running.clear()


def start_background_jobs(db: Database, settings: Settings) -> BackgroundJobs:
    """Start every job whose `*_in_process` setting is on, in this process."""
    jobs = BackgroundJobs()
    if settings.outbox_in_process:  # SMS and calls if Twilio is set, HIS pushes always
        from app.notify.runner import start_worker_thread

        jobs.running["outbox worker"] = start_worker_thread(db, settings)
    if settings.retention_in_process:  # once a day, claimed so one process runs it
        from app.retention.runner import start_retention_thread

        jobs.running["retention"] = start_retention_thread(db, settings)
    if settings.scheduler_in_process:  # booked rides released, reminders (docs/taxi.md)
        from app.hospital import holidays
        from app.scheduler.runner import start_scheduler_thread

        holidays.watch(db)  # regular rides skip the holidays a service admin entered

        jobs.running["scheduler"] = start_scheduler_thread(db, settings)
    logger.info(
        "background jobs in process %d: %s", os.getpid(), ", ".join(jobs.running) or "none"
    )
    return jobs
