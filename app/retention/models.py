"""The retention job's tables: the daily claim, and Twilio recordings waiting for deletion."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base, UTCDateTime


class RetentionRun(Base):
    """The retention job ran (or is running) on `day` (local date).

    The unique `day` is the claim: of several service processes, the one whose insert
    commits runs the job that day; the others see the row and do nothing. `report` holds
    counts only (never personal data); `finished_at` stays empty if the run died midway
    (the next day's run picks up whatever it left, since every step is repeatable).
    """

    __tablename__ = "retention_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RecordingDeletion(Base):
    """A recording Twilio keeps whose reference was erased before the retention job could
    delete it (deregistration with erasure, app/people/erasure.py): only its sid, tied to
    no one. The next retention run deletes it at Twilio, whatever its age, and the row."""

    __tablename__ = "recording_deletions"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)


def queue_recording_deletion(session: Session, url: str | None, now: datetime) -> bool:
    """Queue the Twilio recording `url` points to (if it is one) for deletion at Twilio."""
    from app.retention.twilio_recordings import twilio_recording_sid

    sid = twilio_recording_sid(url or "")
    if sid is None:
        return False
    pending = any(isinstance(o, RecordingDeletion) and o.sid == sid for o in session.new)
    if not pending and session.get(RecordingDeletion, sid) is None:
        session.add(RecordingDeletion(sid=sid, queued_at=now))
    return True
