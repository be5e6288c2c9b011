"""Helpers shared by the outbox worker tests (imported as a plain module)."""

from __future__ import annotations

from sqlalchemy import select

from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.notify.outbox import enqueue_message

TO = "+8613800000001"
TEXT = "车牌云A12345，司机电话13900000000，约8分钟到。"


def enqueue(
    db: Database, key: str, *, kind: OutboxKind = OutboxKind.SMS, to: str = TO, body: str = TEXT
) -> int:
    with db.session() as session:
        return enqueue_message(session, kind=kind, to_number=to, body=body, idempotency_key=key).id


def rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row(db: Database, message_id: int) -> OutboxMessage:
    with db.session() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message
