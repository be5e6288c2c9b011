"""Staff sessions kept on the server, so that ending one takes effect at once.

A session is a row in `staff_sessions`; the browser's cookie carries a random token and
only the token's SHA-256 is stored, so a copy of the database does not sign anyone in.
A session ends on sign-out, password change, deactivation, an admin's "sign out
everywhere", after `idle` without a request, or `lifetime` after sign-in; an ended
session is never reopened.

Service functions flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.staff.models import StaffSession, StaffUser

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""`last_seen_at` is written at most this often, not on every request."""


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class OpenSession:
    """A live session: its row id, its user and the raw token (CSRF tokens derive from it)."""

    id: int
    user: StaffUser
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user: StaffUser, now: datetime) -> str:
    """Open a session for the user; returns the raw token for the cookie."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        StaffSession(
            token_hash=token_digest(token), staff_user_id=user.id, created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token


def resume_session(
    session: Session, *, token: str, now: datetime, limits: SessionLimits
) -> OpenSession | None:
    """The live session of this token with its active user, or None (ending a stale one)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_digest(token)))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at >= limits.idle:
        _end(session, row, now, "idle")
        return None
    if now - row.created_at >= limits.lifetime:
        _end(session, row, now, "expired")
        return None
    user = session.get(StaffUser, row.staff_user_id)
    if user is None or not user.active:
        _end(session, row, now, "inactive")
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.flush()
    return OpenSession(id=row.id, user=user, token=token)


def end_session(session: Session, *, token: str, now: datetime, reason: str = "signed_out") -> None:
    """End the session of this token (sign-out); unknown or ended tokens are ignored."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_digest(token)))
    if row is not None and row.ended_at is None:
        _end(session, row, now, reason)


def end_user_sessions(session: Session, *, user_id: int, now: datetime, reason: str) -> int:
    """End every open session of a user (sign out everywhere); returns how many ended."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.staff_user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    ended = getattr(result, "rowcount", 0)
    session.flush()
    if ended:
        logger.info(
            "staff sessions ended",
            extra={"fields": {"staff_user_id": user_id, "count": ended, "reason": reason}},
        )
    return int(ended or 0)


def open_session_count(session: Session, *, user_id: int) -> int:
    return len(
        session.scalars(
            select(StaffSession.id).where(
                StaffSession.staff_user_id == user_id, StaffSession.ended_at.is_(None)
            )
        ).all()
    )


def _end(session: Session, row: StaffSession, now: datetime, reason: str) -> None:
    row.ended_at = now
    row.end_reason = reason
    session.flush()
