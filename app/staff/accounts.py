"""Staff users: creation with validation, argon2 password hashing, throttled sign-in.

Rules (see docs/consoles.md):

- Usernames are case-insensitive ASCII (`a-z 0-9 . _ -`, 3-50 characters), stored lower-case.
- Hospital staff are bound to exactly one hospital, community staff to exactly one
  community; operators and admins to neither.
- Passwords have at least `MIN_PASSWORD_LENGTH` characters and must not contain the username.
- Passwords are hashed with argon2id (RFC 9106 low-memory profile by default: 3 passes,
  64 MiB; `IVR_PASSWORD_HASH_TIME_COST` / `IVR_PASSWORD_HASH_MEMORY_KIB`, production refuses
  less than OWASP's minimum); a stored hash made with other parameters is replaced on the
  next successful sign-in.
- Failed sign-ins are throttled per (username, client address) and per address with
  growing delays (`app.staff.throttle`); no account can be locked by someone else. The
  same keys are used whether or not the username exists, and a password is always
  verified against some hash, so neither the answers nor the timing tell which exist.
- At most `HASH_SLOTS` argon2 computations run at once, so anonymous sign-in attempts
  cannot take every CPU; an attempt that waits more than `HASH_WAIT` gets `HashingBusy`.
- Changing a password or deactivating a user ends all their sessions at once.
- The last active admin can be neither deactivated nor given another role.
- Error messages are Chinese: the admin console shows them as they are.
- Demo accounts (`ivr demo`, published passwords) cannot sign in in production.

Nothing here logs a password or a username; log lines carry the numeric user id only.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.consoles.roles import role_label
from app.core.config import get_settings
from app.hospital.models import Hospital
from app.people.models import Community
from app.people.phones import typed_number
from app.staff import sessions, throttle
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.staff.throttle import ThrottlePolicy

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME_LENGTH = 50
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")

HASH_SLOTS = 2
HASH_WAIT_SECONDS = 10.0

_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)


class StaffUserError(ValueError):
    """Invalid input for a staff user (the message says which rule was broken)."""


class HashingBusy(RuntimeError):
    """Every password-hashing slot stayed taken for `HASH_WAIT_SECONDS`."""


# --- passwords --------------------------------------------------------------------------


def password_hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost (read once per process)."""
    return _hasher_with(*_hash_cost())


@cache
def _hash_cost() -> tuple[int, int]:
    settings = get_settings()
    return settings.password_hash_time_cost, settings.password_hash_memory_kib


@cache
def _hasher_with(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


@contextmanager
def _hash_slot() -> Iterator[None]:
    """Hold one of the `HASH_SLOTS` while hashing; HashingBusy after `HASH_WAIT_SECONDS`."""
    if not _hash_slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise HashingBusy("too many password checks at once")
    try:
        yield
    finally:
        _hash_slots.release()


def hash_password(password: str) -> str:
    with _hash_slot():
        return password_hasher().hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random secret, verified against when there is no real hash to check."""
    return password_hasher().hash(secrets.token_urlsafe(24))


def _verify(password_hash: str, password: str) -> bool:
    with _hash_slot():
        try:
            return password_hasher().verify(password_hash, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            return False


def check_password_policy(password: str, *, username: str) -> None:
    """Raise StaffUserError if the password breaks the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffUserError(f"密码至少要{MIN_PASSWORD_LENGTH}个字符。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffUserError(f"密码最多{MAX_PASSWORD_LENGTH}个字符。")
    if not password.strip():
        raise StaffUserError("密码不能全是空格。")
    if username and normalize_username(username) in password.lower():
        raise StaffUserError("密码不能包含用户名。")


# --- users ------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().lower()


def _check_binding(
    session: Session, role: StaffRole, hospital_id: int | None, community_id: int | None
) -> None:
    if role in (StaffRole.HOSPITAL_STAFF, StaffRole.HOSPITAL_ADMIN, StaffRole.FAMILY_DOCTOR):
        if hospital_id is None or community_id is not None:
            raise StaffUserError(f"{role_label(role)}必须属于一家医院：请选择医院，社区留空。")
        if session.get(Hospital, hospital_id) is None:
            raise StaffUserError(f"没有编号为{hospital_id}的医院。")
    elif role is StaffRole.COMMUNITY_STAFF:
        if community_id is None or hospital_id is not None:
            raise StaffUserError("社区工作人员必须属于一个社区：请选择社区，医院留空。")
        if session.get(Community, community_id) is None:
            raise StaffUserError(f"没有编号为{community_id}的社区。")
    elif hospital_id is not None or community_id is not None:
        raise StaffUserError(f"{role_label(role)}不属于医院或社区：请把医院和社区都留空。")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: StaffRole | str,
    hospital_id: int | None = None,
    community_id: int | None = None,
    demo: bool = False,
) -> StaffUser:
    """Validate and add a staff user (flushed, not committed); `demo` for `ivr demo`."""
    try:
        role = StaffRole(role)
    except ValueError:
        raise StaffUserError("没有这个角色。") from None
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise StaffUserError(
            "用户名须为3-50个字符：小写字母a-z、数字、“.”“_”“-”，以字母或数字开头。"
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise StaffUserError(f"姓名须为1-{MAX_DISPLAY_NAME_LENGTH}个字符。")
    check_password_policy(password, username=name)
    _check_binding(session, role, hospital_id, community_id)
    if get_user_by_username(session, name) is not None:
        raise StaffUserError("用户名已被使用，请换一个。")
    user = StaffUser(
        username=name,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        hospital_id=hospital_id,
        community_id=community_id,
        active=True,
        demo=demo,
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


def _is_last_active_admin(session: Session, user: StaffUser) -> bool:
    if user.role is not StaffRole.ADMIN or not user.active:
        return False
    others = session.scalar(
        select(func.count()).where(
            StaffUser.role == StaffRole.ADMIN, StaffUser.active.is_(True), StaffUser.id != user.id
        )
    )
    return not others


def set_password(session: Session, user: StaffUser, password: str, *, now: datetime) -> None:
    """Replace the password and end every session of the user."""
    check_password_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    session.flush()
    sessions.end_user_sessions(session, user_id=user.id, now=now, reason="password")
    logger.info("staff password changed", extra={"fields": {"staff_user_id": user.id}})


def set_phone(session: Session, user: StaffUser, number: str) -> str | None:
    """An operator's own phone (rung to pick up a caller or call one back); "" clears it.

    Returns the stored E.164 number. Raises StaffUserError for a number that is not one.
    """
    if not number.strip():
        user.phone_number = None
    else:
        normalised = typed_number(number)
        if normalised is None:
            raise StaffUserError("电话号码格式不对，请填写手机号或带区号的座机号。")
        user.phone_number = normalised
    session.flush()
    logger.info("staff phone number set", extra={"fields": {"staff_user_id": user.id}})
    return user.phone_number


def set_active(session: Session, user: StaffUser, active: bool, *, now: datetime) -> None:
    """Deactivate (ending every session at once) or reactivate a user.

    The last active admin cannot be deactivated (nobody could manage accounts any more).
    """
    if not active and _is_last_active_admin(session, user):
        raise StaffUserError("不能停用最后一个启用的管理员账号。")
    user.active = active
    session.flush()
    if not active:
        sessions.end_user_sessions(session, user_id=user.id, now=now, reason="deactivated")
    logger.info(
        "staff user %s",
        "activated" if active else "deactivated",
        extra={"fields": {"staff_user_id": user.id}},
    )


def set_role(
    session: Session,
    user: StaffUser,
    *,
    role: StaffRole | str,
    hospital_id: int | None = None,
    community_id: int | None = None,
    now: datetime,
) -> None:
    """Change role and scope (checked like at creation); the user signs in again."""
    try:
        role = StaffRole(role)
    except ValueError:
        raise StaffUserError("没有这个角色。") from None
    _check_binding(session, role, hospital_id, community_id)
    if role is not StaffRole.ADMIN and _is_last_active_admin(session, user):
        raise StaffUserError("不能把最后一个启用的管理员改成其他角色。")
    user.role = role
    user.hospital_id = hospital_id
    user.community_id = community_id
    session.flush()
    sessions.end_user_sessions(session, user_id=user.id, now=now, reason="role")
    logger.info("staff role changed", extra={"fields": {"staff_user_id": user.id}})


# --- sign-in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: `user` on success, else why not."""

    user: StaffUser | None = None
    retry_after: int | None = None
    """Seconds to wait: the (username, address) pair or the address is throttled."""
    demo_refused: bool = False
    """The right password of a demo account, in production."""


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
    policy: ThrottlePolicy | None = None,
    refuse_demo: bool = False,
) -> SignIn:
    """Check a username and password from a client address.

    A throttled pair or address is refused at once (no password check, for known and
    unknown names alike). Wrong usernames, wrong passwords and deactivated accounts are
    one failure. Throttle rows are flushed, never committed: the caller commits.
    """
    policy = policy or ThrottlePolicy()
    name = normalize_username(username)
    waiting = throttle.wait_remaining(
        session, username=name, address=address, now=now, policy=policy
    )
    if waiting is not None:
        logger.info("staff sign-in refused: throttled")
        return SignIn(retry_after=throttle.retry_after_seconds(waiting))

    user = get_user_by_username(session, name) if USERNAME_PATTERN.fullmatch(name) else None
    password = password[: MAX_PASSWORD_LENGTH + 1]  # longer is wrong anyway; bounded work
    right = _verify(user.password_hash if user else _dummy_hash(), password)
    if user is None or not right or not user.active:
        throttle.record_failure(session, username=name, address=address, now=now, policy=policy)
        if user is None:
            logger.info("staff sign-in failed: unknown username")
        else:
            logger.info("staff sign-in failed", extra={"fields": {"staff_user_id": user.id}})
        return SignIn()
    if user.demo and refuse_demo:
        logger.warning("demo account refused", extra={"fields": {"staff_user_id": user.id}})
        return SignIn(demo_refused=True)

    throttle.record_success(session, username=name, address=address)
    user.last_login_at = now
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        logger.info("staff password rehashed", extra={"fields": {"staff_user_id": user.id}})
    session.flush()
    return SignIn(user=user)
