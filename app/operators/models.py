"""A caller who needs a person: waiting on the line, or waiting for a call-back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime, str_enum, utcnow
from app.operators.enums import CallbackOutcome, RequestStatus


class OperatorRequest(Base):
    """One caller for the operators' panel.

    A transferred call gets one row (`call_id` unique) when the call flow hands it to a
    person; a ride's "回拨来电者" gets a call-back row (`ride_id`). Every change bumps
    `version` in a conditional UPDATE (`app.operators.requests`), so two operators can never
    both take the same caller.
    """

    __tablename__ = "operator_requests"
    __table_args__ = (
        Index("ix_operator_requests_status", "status"),
        Index("ix_operator_requests_updated_at", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), unique=True
    )
    ride_id: Mapped[int | None] = mapped_column(ForeignKey("rides.id", ondelete="SET NULL"))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "operator_request_status"), default=RequestStatus.WAITING
    )
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    callback_offered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    operator_call_sid: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[CallbackOutcome | None] = mapped_column(
        str_enum(CallbackOutcome, "callback_outcome")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(200))  # the last thing that happened
    # What the operator wrote down about the caller; stays with the call.
    operator_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=0)
