"""What the worker hands a sender: a plain snapshot of one outbox row, and the send errors.

Numbers and bodies are personal data: `scrub` masks anything that looks like a phone
number in provider error texts before they reach a log or the `last_error` column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from app.notify.enums import OutboxKind

_NUMBER = re.compile(r"\+?\d[\d\s-]{5,}\d")


@dataclass(frozen=True)
class Outgoing:
    """One message to send, detached from any database session."""

    id: int
    kind: OutboxKind
    to_number: str
    body: str
    created_at: datetime


class SendError(Exception):
    """A send that did not succeed; `str(error)` is safe to log (numbers masked)."""

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))


class PermanentSendError(SendError):
    """Twilio refused the request (4xx, e.g. an invalid number): never retried."""


class TransientSendError(SendError):
    """Worth retrying later.

    `ambiguous` is True when the request may have reached Twilio (a timeout or a connection
    dropped after sending): the message may exist, so it is never re-sent before a lookup.
    """

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def scrub(text: str) -> str:
    """Mask digit runs that could be phone numbers: '+8613800000001' -> '+86***01'."""

    def _mask(match: re.Match[str]) -> str:
        raw = match.group(0)
        return raw[:3] + "***" + raw[-2:]

    return _NUMBER.sub(_mask, text)[:500]
