"""Call channels, how calls end and why a caller was handed to a person."""

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


class TransferReason(StrEnum):
    """Why a call reached a person (the engine's ``Transfer.reason`` codes)."""

    ASKED = "asked"  # pressed 0 or said 转人工
    SILENCE = "silence"  # two silences at one question
    NOT_UNDERSTOOD = "not_understood"  # two answers not understood at one question
    SYSTEM_ERROR = "system_error"  # a step failed unexpectedly
    EMERGENCY = "emergency"  # a sudden serious emergency: told to call 120, then a person
    FLOW = "flow"  # a flow's own transfer state (no slot, not registered ...)
