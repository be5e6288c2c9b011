"""The durable outbox: SMS and calls are written here, in the same transaction as the change
that causes them, and sent later by the outbox worker.

The idempotency key makes enqueuing the same notification twice a no-op, so a retried
step or a double-clicked button never texts a caller twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import insert_new
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage


def enqueue_message(
    session: Session, *, kind: OutboxKind, to_number: str, body: str, idempotency_key: str
) -> OutboxMessage:
    """Add a message to send unless one with this key exists; return the stored message.

    `body` is the SMS text, or for a call the text to read out. Flushed, not committed:
    the caller's transaction decides.
    """
    message = insert_new(
        session, OutboxMessage,
        kind=kind, to_number=to_number, body=body, idempotency_key=idempotency_key,
    )
    if message is not None:
        return message
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    ).one()
