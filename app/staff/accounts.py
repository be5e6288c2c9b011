"""Staff users: creation with validation, argon2 password hashing, sign-in with lock-out.

Rules (see docs/consoles.md):

- Usernames are case-insensitive ASCII (`a-z 0-9 . _ -`, 3-50 characters), stored lower-case.
- Hospital staff are bound to exactly one hospital, community staff to exactly one
  community; operators and admins to neither.
- Passwords have at least `MIN_PASSWORD_LENGTH` characters and must not contain the username.
- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile);
  a stored hash made with other parameters is replaced on the next successful sign-in.
- After `max_failures` consecutive failures an account is locked for `lockout_minutes`;
  while locked, even the right password is refused.
  Unknown usernames behave the same way (an in-process counter, since they have no row),
  and a password is always verified against some hash, so neither the messages nor the
  timing tell whether a username exists.

Nothing here logs a password or a username; log lines carry the numeric user id only.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import threading
import unicodedata
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.hospital.models import Hospital
from app.people.models import Community
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME_LENGTH = 50
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")

_hasher = PasswordHasher()


class StaffUserError(ValueError):
    """Invalid input for a staff user (the message says which rule was broken)."""


def retry_after_minutes(remaining: timedelta) -> int:
    """Whole minutes to wait before signing in again, rounded up, at least 1."""
    return max(1, math.ceil(remaining.total_seconds() / 60))


# --- passwords --------------------------------------------------------------------------


def password_hasher() -> PasswordHasher:
    return _hasher


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random secret, verified against when there is no real hash to check."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, username: str) -> None:
    """Raise StaffUserError if the password breaks the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffUserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffUserError(f"password must have at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise StaffUserError("password must not be blank")
    if username and normalize_username(username) in password.lower():
        raise StaffUserError("password must not contain the username")


# --- users ------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().lower()


def _check_binding(
    session: Session, role: StaffRole, hospital_id: int | None, community_id: int | None
) -> None:
    if role is StaffRole.HOSPITAL_STAFF:
        if hospital_id is None or community_id is not None:
            raise StaffUserError("hospital staff must be bound to exactly one hospital")
        if session.get(Hospital, hospital_id) is None:
            raise StaffUserError(f"no hospital with id {hospital_id}")
    elif role is StaffRole.COMMUNITY_STAFF:
        if community_id is None or hospital_id is not None:
            raise StaffUserError("community staff must be bound to exactly one community")
        if session.get(Community, community_id) is None:
            raise StaffUserError(f"no community with id {community_id}")
    elif hospital_id is not None or community_id is not None:
        raise StaffUserError(f"role {role.value} is not bound to a hospital or community")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: StaffRole | str,
    hospital_id: int | None = None,
    community_id: int | None = None,
) -> StaffUser:
    """Validate and add a staff user (flushed, not committed)."""
    try:
        role = StaffRole(role)
    except ValueError:
        raise StaffUserError(f"unknown role {role!r}") from None
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise StaffUserError(
            "username must be 3-50 characters: letters a-z, digits, '.', '_' or '-'"
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise StaffUserError(f"display name must have 1-{MAX_DISPLAY_NAME_LENGTH} characters")
    check_password_policy(password, username=name)
    _check_binding(session, role, hospital_id, community_id)
    if get_user_by_username(session, name) is not None:
        raise StaffUserError("username already taken")
    user = StaffUser(
        username=name,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        hospital_id=hospital_id,
        community_id=community_id,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    logger.info("staff user created", extra={"fields": {"staff_user_id": user.id}})
    return user


def get_user_by_username(session: Session, username: str) -> StaffUser | None:
    return session.scalar(
        select(StaffUser).where(StaffUser.username == normalize_username(username))
    )


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.username)))


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """Replace the password; existing sessions stop working (see app.consoles.auth)."""
    check_password_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    session.flush()


def set_active(session: Session, user: StaffUser, active: bool) -> None:
    """Deactivate (or reactivate) a user; a deactivated user's sessions end at once."""
    user.active = active
    session.flush()
    logger.info(
        "staff user %s",
        "activated" if active else "deactivated",
        extra={"fields": {"staff_user_id": user.id}},
    )


def unlock(session: Session, user: StaffUser) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


# --- sign-in ----------------------------------------------------------------------------


class FailureThrottle:
    """Failure counters for usernames that have no row, kept in this process only.

    Keys are hashes of the normalised username; at most `capacity` are remembered.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return hashlib.sha256(username.encode()).hexdigest()

    def locked_for(self, username: str, now: datetime) -> timedelta | None:
        with self._lock:
            _, until = self._entries.get(self._key(username), (0, None))
        return until - now if until is not None and until > now else None

    def record_failure(
        self, username: str, now: datetime, max_failures: int, lockout: timedelta
    ) -> timedelta | None:
        """Count a failure; return the lock-out duration if this failure locks the name."""
        key = self._key(username)
        with self._lock:
            failures, _ = self._entries.pop(key, (0, None))
            failures += 1
            locked = failures >= max_failures
            self._entries[key] = (0, now + lockout) if locked else (failures, None)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return lockout if locked else None


_unknown_users = FailureThrottle()


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    max_failures: int = 5,
    lockout_minutes: int = 15,
    unknown_users: FailureThrottle | None = None,
) -> StaffUser | None:
    """Check a username and password; the user on success, otherwise None.

    None covers a wrong username or password, a deactivated account and a locked one
    (even with the right password); `lockout_remaining` tells the caller which message to
    show. Failure counts and locks are flushed, never raised: the caller commits.
    """
    throttle = unknown_users if unknown_users is not None else _unknown_users
    lockout = timedelta(minutes=lockout_minutes)
    name = normalize_username(username)
    user = get_user_by_username(session, name) if USERNAME_PATTERN.fullmatch(name) else None
    password = password[: MAX_PASSWORD_LENGTH + 1]  # longer is wrong anyway; bounded work

    if user is None:
        _verify(_dummy_hash(), password)
        if throttle.locked_for(name, now) is None:
            throttle.record_failure(name, now, max_failures, lockout)
        logger.info("staff sign-in failed: unknown username")
        return None

    if user.locked_until is not None and user.locked_until > now:
        _verify(user.password_hash, password)
        logger.info("staff sign-in refused: locked", extra={"fields": {"staff_user_id": user.id}})
        return None

    if not _verify(user.password_hash, password) or not user.active:
        _record_failure(session, user, now, max_failures, lockout)
        return None

    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        logger.info("staff password rehashed", extra={"fields": {"staff_user_id": user.id}})
    session.flush()
    return user


def lockout_remaining(
    session: Session,
    *,
    username: str,
    now: datetime,
    unknown_users: FailureThrottle | None = None,
) -> timedelta | None:
    """How long the name stays locked (None if it is not), known or unknown alike."""
    throttle = unknown_users if unknown_users is not None else _unknown_users
    name = normalize_username(username)
    user = get_user_by_username(session, name) if USERNAME_PATTERN.fullmatch(name) else None
    if user is None:
        return throttle.locked_for(name, now)
    if user.locked_until is not None and user.locked_until > now:
        return user.locked_until - now
    return None


def _record_failure(
    session: Session, user: StaffUser, now: datetime, max_failures: int, lockout: timedelta
) -> None:
    """Count one failure atomically (concurrent attempts all count); lock at the limit."""
    failures = session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(failed_logins=StaffUser.failed_logins + 1)
        .returning(StaffUser.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    session.expire(user, ["failed_logins"])
    logger.info("staff sign-in failed", extra={"fields": {"staff_user_id": user.id}})
    if failures >= max_failures:
        user.failed_logins = 0
        user.locked_until = now + lockout
        session.flush()
        logger.warning("staff account locked", extra={"fields": {"staff_user_id": user.id}})
