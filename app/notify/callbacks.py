"""Applying Twilio's delivery status callbacks to outbox rows.

Twilio posts MessageStatus (SMS) or CallStatus (calls) to the `status_callback` URL the
sender gave, with `?ref=<outbox id>` so that a message whose sid was never recorded (the
worker stopped between Twilio's answer and its commit) is still found. Final states are
never overwritten by late, out-of-order interim ones.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.logging import log_fields, mask_phone
from app.db.base import parse_id, utcnow
from app.notify.enums import OutboxStatus
from app.notify.models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVERED = frozenset({"delivered", "completed", "read"})
FAILED = frozenset({"failed", "undelivered", "busy", "no-answer", "canceled"})
IN_FLIGHT = frozenset(
    {"accepted", "scheduled", "queued", "sending", "sent", "initiated", "ringing", "in-progress"}
)
FINAL = frozenset({OutboxStatus.DELIVERED, OutboxStatus.FAILED})


def outbox_status_for(provider_status: str) -> OutboxStatus | None:
    """Our status for a Twilio MessageStatus/CallStatus; None for one we do not know."""
    value = provider_status.strip().lower()
    if value in DELIVERED:
        return OutboxStatus.DELIVERED
    if value in FAILED:
        return OutboxStatus.FAILED
    if value in IN_FLIGHT:
        return OutboxStatus.SENT
    return None


def _outbox_id(ref: str | None) -> int | None:
    """The outbox id in a callback's `ref`, or None for anything else: a forged or mangled
    ref (other digits such as "²", past an integer column, a sign) must not reach the
    database."""
    return parse_id(ref)


def apply_status(
    session: Session,
    *,
    sid: str,
    provider_status: str,
    ref: str | None = None,
    error_code: str | None = None,
) -> bool:
    """Record one callback; False when no outbox message matches (an unknown sid)."""
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.provider_sid == sid))
    if message is None and _outbox_id(ref) is not None:
        candidate = session.get(OutboxMessage, _outbox_id(ref))
        if candidate is not None and candidate.provider_sid is None:
            message = candidate
            message.provider_sid = sid
            message.sent_at = message.sent_at or utcnow()
            logger.info(
                "outbox sid recorded from a status callback",
                extra=log_fields(message_id=message.id),
            )
        elif candidate is not None:
            logger.error(
                "status callback for a second sid of one outbox message (duplicate send?)",
                extra=log_fields(message_id=candidate.id),
            )
    if message is None:
        return False
    new_status = outbox_status_for(provider_status)
    if new_status is None:
        logger.warning("unknown Twilio status %r", provider_status[:40])
        return True
    if message.status in FINAL and new_status == OutboxStatus.SENT:
        return True  # an interim callback arriving after the final one
    if message.status == OutboxStatus.DELIVERED and new_status == OutboxStatus.FAILED:
        return True  # delivered is final for the person who got it
    message.status = new_status
    if new_status == OutboxStatus.FAILED:
        message.last_error = f"Twilio status {provider_status[:40]} error {error_code or '-'}"
    logger.info(
        "outbox delivery status %s",
        new_status.value,
        extra=log_fields(message_id=message.id, to=mask_phone(message.to_number)),
    )
    return True
