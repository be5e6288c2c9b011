"""Calls: the hotline, each call, the engine's saved state and every step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.calls.enums import CallChannel, CallStatus, TransferReason
from app.db.base import Base, UTCDateTime, str_enum, utcnow


class Hotline(Base):
    __tablename__ = "hotlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    start_flow: Mapped[str] = mapped_column(String(50), default="main")


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Twilio CallSid or sim id
    channel: Mapped[CallChannel] = mapped_column(str_enum(CallChannel, "call_channel"))
    from_number: Mapped[str | None] = mapped_column(String(32))  # None: withheld
    to_number: Mapped[str | None] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, "call_status"), default=CallStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the call reached a person (None: it did not). Set by the step that transferred.
    transfer_reason: Mapped[TransferReason | None] = mapped_column(
        str_enum(TransferReason, "transfer_reason")
    )
    # The caller described a sudden serious emergency: kept for the operators' panel.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set by the retention job (app/retention): when the caller's words (recognised text,
    # long key entries, prompts read back) and when the recordings of this call were removed.
    words_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recordings_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallSession(Base):
    """The engine's state for one call, saved after every step."""

    __tablename__ = "call_sessions"
    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    step: Mapped[int] = mapped_column(Integer, default=0)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class CallStep(Base):
    """One engine step: the event that came in and the outputs that went out.

    The unique (call_id, event_key) makes a replayed event (a webhook retry) return the
    stored outputs instead of running again.
    """

    __tablename__ = "call_steps"
    __table_args__ = (UniqueConstraint("call_id", "event_key", name="uq_call_steps_event"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    event_key: Mapped[str] = mapped_column(String(100))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_before: Mapped[str] = mapped_column(String(80))
    state_after: Mapped[str] = mapped_column(String(80))
    outputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
