"""Claiming due outbox rows so that several workers never take the same message.

A claim moves rows to `sending` and commits *before* any HTTP request. While a row is
`sending`, `next_attempt_at` is its lease: the time after which another worker may take
it over (a worker that crashed mid-send, or a send whose outcome was unknown).

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, then update, in one transaction.
- SQLite (one writer at a time): a single `UPDATE ... WHERE id IN (due ids) AND status =
  :from RETURNING ...`, which is atomic, so a row can be claimed by one statement only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from app.core.db import Database
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.outgoing import Outgoing


@dataclass(frozen=True)
class Claim:
    """A row this worker owns until `lease_until`; `recovering` if it was `sending`."""

    message: Outgoing
    attempts: int
    lease_until: datetime
    recovering: bool


def claim_due(
    db: Database,
    *,
    from_status: OutboxStatus,
    now: datetime,
    lease_until: datetime,
    limit: int,
    kinds: Collection[OutboxKind] | None = None,
) -> list[Claim]:
    """Claim up to `limit` rows in `from_status` whose `next_attempt_at` has come (of
    `kinds` only, when given: a worker claims only what its sender can send)."""
    kind_list = list(kinds) if kinds is not None else list(OutboxKind)
    with db.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            return _claim_skip_locked(session, from_status, now, lease_until, limit, kind_list)
        return _claim_conditional(session, from_status, now, lease_until, limit, kind_list)


def _due(
    from_status: OutboxStatus, now: datetime, limit: int, kinds: list[OutboxKind]
) -> Select[Any]:
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == from_status,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.kind.in_(kinds),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )


def _claim_skip_locked(
    session: Session,
    from_status: OutboxStatus,
    now: datetime,
    lease: datetime,
    limit: int,
    kinds: list[OutboxKind],
) -> list[Claim]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == from_status,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.kind.in_(kinds),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claims = []
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.next_attempt_at = lease
        claims.append(
            Claim(
                Outgoing(row.id, row.kind, row.to_number, row.body, row.created_at),
                row.attempts,
                lease,
                from_status == OutboxStatus.SENDING,
            )
        )
    return claims


def _claim_conditional(
    session: Session,
    from_status: OutboxStatus,
    now: datetime,
    lease: datetime,
    limit: int,
    kinds: list[OutboxKind],
) -> list[Claim]:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_due(from_status, now, limit, kinds).scalar_subquery()))
        .where(OutboxMessage.status == from_status, OutboxMessage.next_attempt_at <= now)
        .values(status=OutboxStatus.SENDING, next_attempt_at=lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.to_number,
            OutboxMessage.body,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    claims = [
        Claim(
            Outgoing(row.id, OutboxKind(row.kind), row.to_number, row.body, row.created_at),
            row.attempts,
            lease,
            from_status == OutboxStatus.SENDING,
        )
        for row in result
    ]
    return sorted(claims, key=lambda claim: claim.message.id)
