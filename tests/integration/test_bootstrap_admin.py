"""The bootstrap admin is created once, only while no admin exists, and its password is
never logged (app/staff/bootstrap.py)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.staff import accounts
from app.staff.bootstrap import BootstrapOutcome, bootstrap_admin
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

PASSWORD = "first-admin-pass-2026"


def admins(db: Database) -> list[str]:
    with db.session() as session:
        query = select(StaffUser.username).where(StaffUser.role == StaffRole.ADMIN)
        return list(session.scalars(query))


def test_an_empty_database_gets_the_bootstrap_admin_who_can_sign_in(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), db.session() as session:
        outcome = bootstrap_admin(session, username="Root.Admin", password=PASSWORD)
    assert outcome is BootstrapOutcome.CREATED
    assert admins(db) == ["root.admin"]
    with db.session() as session:
        user = accounts.get_user_by_username(session, "root.admin")
        assert user is not None and user.active
        assert accounts.password_hasher().verify(user.password_hash, PASSWORD)
    logged = " ".join(r.getMessage() + str(getattr(r, "fields", "")) for r in caplog.records)
    assert "bootstrap admin created" in logged and PASSWORD not in logged


def test_bootstrap_does_nothing_once_any_admin_exists(db: Database) -> None:
    with db.session() as session:
        accounts.create_user(
            session,
            username="chief",
            display_name="chief",
            password="another-admin-pass",
            role=StaffRole.ADMIN,
        )
    with db.session() as session:
        outcome = bootstrap_admin(session, username="root.admin", password=PASSWORD)
    assert outcome is BootstrapOutcome.ADMIN_EXISTS
    assert admins(db) == ["chief"]


def test_bootstrap_twice_creates_one_admin(db: Database) -> None:
    for expected in (BootstrapOutcome.CREATED, BootstrapOutcome.ADMIN_EXISTS):
        with db.session() as session:
            assert bootstrap_admin(session, username="root.admin", password=PASSWORD) is expected
    assert admins(db) == ["root.admin"]


def test_a_non_admin_does_not_count_as_the_first_admin(db: Database) -> None:
    with db.session() as session:
        accounts.create_user(
            session,
            username="li.op",
            display_name="li",
            password="operator-pass-2026",
            role=StaffRole.OPERATOR,
        )
    with db.session() as session:
        assert bootstrap_admin(session, username="root.admin", password=PASSWORD) == "created"
    assert admins(db) == ["root.admin"]


def test_a_weak_bootstrap_password_is_refused_and_nothing_is_created(db: Database) -> None:
    with pytest.raises(accounts.StaffUserError), db.session() as session:
        bootstrap_admin(session, username="root.admin", password="short")
    assert admins(db) == []
