"""Scheduling a job occurrence and running the due ones, exactly once.

A job is a row of `scheduled_jobs` with a unique key per occurrence. Running one is a
single transaction: a conditional `UPDATE ... SET status='done' WHERE id=:id AND
status='pending'` claims it, the handler does its work (a ride released, an outbox row
written) in the same session, and the commit saves both or neither. The claim is the
outbox's pattern (`app.notify.claims`) without a lease: the handler only writes to the
database (anything sent goes through the outbox), so the row lock is held for a few
milliseconds.

- Several processes (`ivr serve` on two machines, plus `ivr scheduler run`): on
  PostgreSQL the second UPDATE of the same row waits for the first transaction and then
  matches nothing; SQLite has one writer at a time. Either way one process runs the job.
- A crash before the commit leaves the row pending (its work rolled back): the next run,
  after a restart, does it. A crash after the commit leaves it done: never again.
- A handler that raises: its work is rolled back, the attempt is counted and the job is
  tried again `RETRY_SECONDS * attempts` later, until `MAX_ATTEMPTS` (then `failed`).
- Missed jobs (the scheduler was down when they fell due) are caught up on the next run,
  unless the job has a `drop_after` that has passed: then it is `dropped` (the rule of each
  kind is in `app.taxi.ahead`: releases are always caught up, reminders only the same
  evening).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.db import Database, insert_new
from app.scheduler.enums import JobKind, JobStatus
from app.scheduler.models import ScheduledJob

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_SECONDS = 60
BATCH = 100


@dataclass(frozen=True)
class Job:
    """What a handler is told: which occurrence, of what."""

    id: int
    kind: JobKind
    subject_id: int
    due_at: datetime


Handler = Callable[[Session, Job, datetime], None]


@dataclass
class RunReport:
    done: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.done) + len(self.dropped) + len(self.retried) + len(self.failed)


def schedule(
    session: Session,
    *,
    kind: JobKind,
    subject_id: int,
    due_at: datetime,
    key: str,
    drop_after: datetime | None = None,
) -> ScheduledJob:
    """Add the occurrence `key` unless it exists (then the stored one is returned).
    Flushed, not committed: the caller's transaction decides, with the change behind it."""
    job = insert_new(
        session, ScheduledJob,
        key=key, kind=kind, subject_id=subject_id, due_at=due_at, drop_after=drop_after,
    )
    if job is not None:
        return job
    return session.scalars(select(ScheduledJob).where(ScheduledJob.key == key)).one()


def run_due(
    db: Database, handlers: Mapping[JobKind, Handler], *, now: datetime, limit: int = BATCH
) -> RunReport:
    """Run every pending job due at `now` (oldest first), each in its own transaction."""
    report = RunReport()
    with db.session() as session:
        due = session.execute(
            select(ScheduledJob.id, ScheduledJob.key)
            .where(
                ScheduledJob.status == JobStatus.PENDING,
                ScheduledJob.due_at <= now,
                ScheduledJob.kind.in_(list(handlers)),
            )
            .order_by(ScheduledJob.due_at, ScheduledJob.id)
            .limit(limit)
        ).all()
    for job_id, key in due:
        try:
            outcome = _run_one(db, handlers, job_id, now)
        except Exception as exc:  # the handler's work is rolled back; count the attempt
            logger.exception("scheduled job %s failed", key)
            outcome = _count_failure(db, job_id, now, exc)
        if outcome is not None:
            getattr(report, outcome).append(key)
    return report


def _run_one(
    db: Database, handlers: Mapping[JobKind, Handler], job_id: int, now: datetime
) -> str | None:
    with db.session() as session:
        claimed = session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.id == job_id, ScheduledJob.status == JobStatus.PENDING)
            .values(
                status=JobStatus.DONE,
                finished_at=now,
                attempts=ScheduledJob.attempts + 1,
            )
            .returning(
                ScheduledJob.kind,
                ScheduledJob.subject_id,
                ScheduledJob.due_at,
                ScheduledJob.drop_after,
            )
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            return None  # another process ran it meanwhile
        kind, subject_id, due_at, drop_after = claimed
        if drop_after is not None and _aware(drop_after) < now:
            session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.id == job_id)
                .values(status=JobStatus.DROPPED)
                .execution_options(synchronize_session=False)
            )
            return "dropped"
        job = Job(job_id, JobKind(kind), subject_id, _aware(due_at))
        handlers[job.kind](session, job, now)
        return "done"


def _count_failure(db: Database, job_id: int, now: datetime, exc: Exception) -> str:
    with db.session() as session:
        job = session.get(ScheduledJob, job_id)
        if job is None or job.status != JobStatus.PENDING:
            return "retried"
        job.attempts += 1
        job.last_error = type(exc).__name__[:200]
        if job.attempts >= MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.finished_at = now
            return "failed"
        job.due_at = now + timedelta(seconds=RETRY_SECONDS * job.attempts)
        return "retried"


def _aware(value: datetime) -> datetime:
    """RETURNING bypasses the UTC column type on some drivers: make it aware (UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
