"""Scheduled jobs: one row per occurrence, keyed, so none is ever done twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime, str_enum, utcnow
from app.scheduler.enums import JobKind, JobStatus


class ScheduledJob(Base):
    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # One occurrence: "release_ride:42", "remind_ride:42:2026-11-30". Unique: scheduling
    # the same occurrence again is a no-op, so a retried step never schedules twice.
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind, "job_kind"))
    subject_id: Mapped[int] = mapped_column(Integer)  # the ride, for the ride kinds
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Not run by then (the scheduler was down): dropped, not done late. None: always caught up.
    drop_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
