"""Outbox message kinds and statuses."""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    SMS = "sms"
    CALL = "call"
    # A call that runs a flow of dialogs/ (the appointment reminder): body holds its URLs.
    FLOW_CALL = "flow_call"
    FHIR_PUSH = "fhir_push"  # an Appointment to a hospital's HIS (app.hospital.fhir.push)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
