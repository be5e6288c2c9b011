"""The daily claim of the retention job: one row per local day, written before it runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date
from sqlalchemy.orm import Mapped, mapped_column

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
