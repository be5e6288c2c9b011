"""app.staff.accounts against the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from app.core.db import Database
from app.staff import accounts as staff
from app.staff.accounts import StaffUserError
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.live_server import PASSWORD, add_community, add_hospital, add_staff

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _auth(db: Database, username: str, password: str, now: datetime = T0,
          address: str = "192.0.2.1") -> int | None:
    with db.session() as session:
        attempt = staff.authenticate(
            session, username=username, password=password, now=now, address=address,
        )
        return attempt.user.id if attempt.user else None


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
    with pytest.raises(StaffUserError, match="用户名"), db.session() as session:
        staff.create_user(session, username="zhaoli", display_name="赵丽",
                          password="zhaoli-2024-pass", role=StaffRole.OPERATOR)


def test_rejects_duplicate_username_whatever_the_case(db: Database) -> None:
    add_staff(db, "wangfang")
    with pytest.raises(StaffUserError, match="已被使用"):
        add_staff(db, "WangFang")


def test_hospital_staff_must_be_bound_to_exactly_one_hospital(db: Database) -> None:
    hospital_id = add_hospital(db)
    community_id = add_community(db)
    with pytest.raises(StaffUserError):
        add_staff(db, "nurse1", StaffRole.HOSPITAL_STAFF)
    with pytest.raises(StaffUserError):
        add_staff(db, "nurse2", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id,
                  community_id=community_id)
    with pytest.raises(StaffUserError, match="没有编号"):
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
    assert _auth(db, "op1", PASSWORD) == user_id


def test_deactivated_user_cannot_sign_in(db: Database) -> None:
    user_id = add_staff(db, "op1")
    with db.session() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        staff.set_active(session, user, False, now=T0)
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
