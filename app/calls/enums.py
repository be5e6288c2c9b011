"""Call channels and how calls end."""

from __future__ import annotations

from enum import StrEnum


class CallChannel(StrEnum):
    TWILIO = "twilio"
    MEDIA_STREAM = "media_stream"
    SIMULATOR = "simulator"


class CallStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    TRANSFERRED = "transferred"
    CALLER_HUNG_UP = "caller_hung_up"
