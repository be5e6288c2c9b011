"""Sign-in throttling: growing delays per (username, client address) and per address.

Nobody can lock an account: a stranger's wrong passwords slow down only the stranger's
own (username, address) pair and address, so the real user, signing in from elsewhere,
is not held up. After `free_failures` failures of a pair (or `address_free_failures` of
an address, whatever names it tried) each further failure makes the key wait
`first_delay`, then twice as long, and so on up to `max_delay`; while a key waits, every
attempt is refused at once with the time left (HTTP 429, "请X秒后再试"), without
checking the password. A success clears its pair. Failures older than `FORGET_AFTER` are
forgotten.

Keys are digests, the same for existing and unknown usernames, so throttling does not
tell which usernames exist. Rows live in `login_throttles` (shared by every worker and
kept across restarts). Known limit: guesses spread over many addresses are slowed per
address only; the password policy and argon2 carry the rest.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.staff.models import LoginThrottle

FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 3
    address_free_failures: int = 20
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)

    def delay_after(self, failures: int, free: int) -> timedelta | None:
        """The wait after the n-th failure of a key allowed `free` failures, or None."""
        extra = failures - free
        if extra <= 0:
            return None
        seconds = self.first_delay.total_seconds() * 2 ** min(extra - 1, 30)
        return min(timedelta(seconds=seconds), self.max_delay)


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def account_digest(username: str) -> str:
    return _digest("account", username)


def _keys(username: str, address: str, policy: ThrottlePolicy) -> list[tuple[str, str | None, int]]:
    """(key, account digest, free failures) for the pair and for the address."""
    return [
        (_digest("pair", username, address), account_digest(username), policy.free_failures),
        (_digest("address", address), None, policy.address_free_failures),
    ]


def wait_remaining(
    session: Session, *, username: str, address: str, now: datetime, policy: ThrottlePolicy
) -> timedelta | None:
    """How long this username from this address must wait (None: may try now)."""
    keys = [key for key, _, _ in _keys(username, address, policy)]
    blocked = session.scalars(
        select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(keys))
    ).all()
    waits = [until - now for until in blocked if until is not None and until > now]
    return max(waits) if waits else None


def record_failure(
    session: Session, *, username: str, address: str, now: datetime, policy: ThrottlePolicy
) -> None:
    """Count a failed attempt for the pair and the address (flushed, not committed)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
    for key, account, free in _keys(username, address, policy):
        row = _row_for_update(session, key, account, now)
        if now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = policy.delay_after(row.failures, free)
        row.blocked_until = now + delay if delay is not None else None
    session.flush()


def record_success(session: Session, *, username: str, address: str) -> None:
    """A right password clears its pair (the address keeps its count)."""
    pair = _digest("pair", username, address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair))


def clear_account(session: Session, *, username: str) -> int:
    """Forget every pair of this username (`ivr users unlock`); returns how many."""
    result = session.execute(
        delete(LoginThrottle).where(LoginThrottle.account_digest == account_digest(username))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def retry_after_seconds(remaining: timedelta) -> int:
    """Whole seconds to wait, rounded up, at least 1."""
    return max(1, math.ceil(remaining.total_seconds()))


def _row_for_update(
    session: Session, key: str, account: str | None, now: datetime
) -> LoginThrottle:
    query = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, account_digest=account, failures=0, last_failure_at=now)
            session.add(row)
        return row
    except IntegrityError:  # another attempt inserted it first
        row = session.scalar(query.execution_options(populate_existing=True))
        assert row is not None
        return row
