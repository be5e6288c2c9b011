"""One sender per outbox kind: SMS and calls through Twilio, FHIR pushes to the HIS webhooks.

The worker claims only the kinds its router can send (`kinds`), so a deployment without
Twilio still delivers appointment pushes and leaves SMS queued, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.notify.enums import OutboxKind
from app.notify.outgoing import Outgoing, PermanentSendError

if TYPE_CHECKING:  # app.notify.sender imports the twilio client: only where it sends
    from app.notify.sender import Sender


class RoutingSender:
    def __init__(self, senders: Mapping[OutboxKind, Sender]) -> None:
        self.senders = dict(senders)

    @property
    def kinds(self) -> list[OutboxKind]:
        return list(self.senders)

    def _sender(self, message: Outgoing) -> Sender:
        sender = self.senders.get(message.kind)
        if sender is None:
            raise PermanentSendError(f"no sender for {message.kind.value}")
        return sender

    def send(self, message: Outgoing) -> str:
        return self._sender(message).send(message)

    def find_sent(self, message: Outgoing, exclude: set[str]) -> str | None:
        return self._sender(message).find_sent(message, exclude)
