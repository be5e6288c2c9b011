"""Outbox message kinds and statuses."""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    SMS = "sms"
    CALL = "call"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
