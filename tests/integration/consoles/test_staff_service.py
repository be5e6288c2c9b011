"""app.staff.accounts against the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from app.core.db import Database
from app.staff import accounts as staff
from app.staff.accounts import FailureThrottle, StaffUserError
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.live_server import PASSWORD, add_community, add_hospital, add_staff

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _auth(db: Database, username: str, password: str, now: datetime = T0,
          throttle: FailureThrottle | None = None) -> int | None:
    with db.session() as session:
        user = staff.authenticate(
            session, username=username, password=password, now=now,
            max_failures=5, lockout_minutes=15, unknown_users=throttle or FailureThrottle(),
        )
        return user.id if user else None


def _locked_minutes(db: Database, username: str, now: datetime = T0,
                    throttle: FailureThrottle | None = None) -> int | None:
    with db.session() as session:
        remaining = staff.lockout_remaining(session, username=username, now=now,
                                            unknown_users=throttle or FailureThrottle())
        return staff.retry_after_minutes(remaining) if remaining else None


def _user(db: Database, user_id: int) -> StaffUser:
    with db.session() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        return user


def test_create_user_stores_argon2id_hash_not_password(db: Database) -> None:
    user_id = add_staff(db, "Li.Operator")
    user = _user(db, user_id)
    assert user.username == "li.operator"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("password", ["short", "123456789", " " * 12])
def test_rejects_passwords_breaking_the_policy(db: Database, password: str) -> None:
    with pytest.raises(StaffUserError), db.session() as session:
        staff.create_user(session, username="newop", display_name="新调度", password=password,
                          role=StaffRole.OPERATOR)


def test_password_of_ten_characters_is_accepted(db: Database) -> None:
    assert add_staff(db, "tenchars", password="abcdefghij") > 0


def test_rejects_password_containing_the_username(db: Database) -> None:
    with pytest.raises(StaffUserError, match="username"), db.session() as session:
        staff.create_user(session, username="zhaoli", display_name="赵丽",
                          password="zhaoli-2024-pass", role=StaffRole.OPERATOR)


def test_rejects_duplicate_username_whatever_the_case(db: Database) -> None:
    add_staff(db, "wangfang")
    with pytest.raises(StaffUserError, match="taken"):
        add_staff(db, "WangFang")


def test_hospital_staff_must_be_bound_to_exactly_one_hospital(db: Database) -> None:
    hospital_id = add_hospital(db)
    community_id = add_community(db)
    with pytest.raises(StaffUserError):
        add_staff(db, "nurse1", StaffRole.HOSPITAL_STAFF)
    with pytest.raises(StaffUserError):
        add_staff(db, "nurse2", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id,
                  community_id=community_id)
    with pytest.raises(StaffUserError, match="no hospital"):
        add_staff(db, "nurse3", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id + 999)
    user = _user(db, add_staff(db, "nurse4", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id))
    assert user.hospital_id == hospital_id


def test_community_staff_must_be_bound_to_exactly_one_community(db: Database) -> None:
    community_id = add_community(db)
    with pytest.raises(StaffUserError):
        add_staff(db, "grid1", StaffRole.COMMUNITY_STAFF)
    user = _user(db, add_staff(db, "grid2", StaffRole.COMMUNITY_STAFF, community_id=community_id))
    assert user.community_id == community_id


@pytest.mark.parametrize("role", [StaffRole.OPERATOR, StaffRole.ADMIN])
def test_operators_and_admins_are_not_bound_to_a_hospital(db: Database, role: StaffRole) -> None:
    hospital_id = add_hospital(db)
    with pytest.raises(StaffUserError):
        add_staff(db, "someone", role, hospital_id=hospital_id)


def test_authenticate_returns_user_and_records_sign_in_time(db: Database) -> None:
    user_id = add_staff(db, "op1")
    assert _auth(db, "OP1", PASSWORD) == user_id
    assert _user(db, user_id).last_login_at == T0


def test_wrong_password_and_unknown_user_return_none(db: Database) -> None:
    user_id = add_staff(db, "op1")
    assert _auth(db, "op1", PASSWORD + "x") is None
    assert _auth(db, "nobody", PASSWORD) is None
    assert _user(db, user_id).failed_logins == 1


def test_locks_account_after_five_failures(db: Database) -> None:
    user_id = add_staff(db, "op1")
    for _ in range(4):
        assert _auth(db, "op1", "wrong-password") is None
        assert _locked_minutes(db, "op1") is None
    assert _auth(db, "op1", "wrong-password") is None
    assert _locked_minutes(db, "op1") == 15
    assert _user(db, user_id).locked_until == T0 + timedelta(minutes=15)
    later = T0 + timedelta(minutes=14)
    assert _auth(db, "op1", PASSWORD, now=later) is None  # even the right password
    assert _locked_minutes(db, "op1", now=later) == 1


def test_lock_lifts_after_lockout_minutes(db: Database) -> None:
    user_id = add_staff(db, "op1")
    for _ in range(5):
        _auth(db, "op1", "wrong-password")
    later = T0 + timedelta(minutes=15, seconds=1)
    assert _locked_minutes(db, "op1", now=later) is None
    assert _auth(db, "op1", PASSWORD, now=later) == user_id
    user = _user(db, user_id)
    assert user.failed_logins == 0 and user.locked_until is None


def test_success_resets_the_failure_count(db: Database) -> None:
    add_staff(db, "op1")
    for _ in range(4):
        _auth(db, "op1", "wrong-password")
    assert _auth(db, "op1", PASSWORD) is not None
    for _ in range(4):
        assert _auth(db, "op1", "wrong-password") is None
    assert _locked_minutes(db, "op1") is None  # four more failures: still not locked


def test_unknown_username_is_locked_after_the_same_number_of_failures(db: Database) -> None:
    throttle = FailureThrottle()
    for _ in range(4):
        assert _auth(db, "ghost", "wrong-password", throttle=throttle) is None
        assert _locked_minutes(db, "ghost", throttle=throttle) is None
    assert _auth(db, "ghost", "wrong-password", throttle=throttle) is None
    assert _locked_minutes(db, "ghost", throttle=throttle) == 15
    later = T0 + timedelta(minutes=16)
    assert _locked_minutes(db, "ghost", now=later, throttle=throttle) is None


def test_deactivated_user_cannot_sign_in(db: Database) -> None:
    user_id = add_staff(db, "op1")
    with db.session() as session:
        staff.set_active(session, session.get(StaffUser, user_id), False)  # type: ignore[arg-type]
    assert _auth(db, "op1", PASSWORD) is None


def test_rehashes_password_when_hash_parameters_change(db: Database) -> None:
    user_id = add_staff(db, "op1")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with db.session() as session:
        session.get(StaffUser, user_id).password_hash = weak  # type: ignore[union-attr]
    assert _auth(db, "op1", PASSWORD) == user_id
    new_hash = _user(db, user_id).password_hash
    assert new_hash != weak
    assert not staff.password_hasher().check_needs_rehash(new_hash)
    assert _auth(db, "op1", PASSWORD) == user_id


def test_sign_in_never_logs_username_or_password(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    add_staff(db, "secretname")
    caplog.set_level(logging.DEBUG)
    for password in ("wrong-password-1", PASSWORD):
        _auth(db, "secretname", password)
    text = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert caplog.records, "expected sign-in log lines"
    assert "secretname" not in text and "wrong-password-1" not in text and PASSWORD not in text
