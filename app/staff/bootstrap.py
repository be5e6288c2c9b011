"""The first admin of an empty database, from the environment (`ivr start`).

`IVR_BOOTSTRAP_ADMIN_USERNAME` and `IVR_BOOTSTRAP_ADMIN_PASSWORD` name an admin that is
created once: only while the database has no admin at all. On every later start (or once
the admin has been renamed, or another admin exists) it does nothing, so the variables may
stay set; remove them once the admin has signed in and changed the password. The password
goes through the normal policy and is never logged or echoed.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.staff import accounts
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

logger = logging.getLogger(__name__)


class BootstrapOutcome(StrEnum):
    CREATED = "created"
    ADMIN_EXISTS = "an admin already exists; nothing created"


def admin_exists(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(StaffUser.role == StaffRole.ADMIN))))


def bootstrap_admin(session: Session, *, username: str, password: str) -> BootstrapOutcome:
    """Create the admin `username` unless any admin exists (flushed, not committed).

    Raises `accounts.StaffUserError` for a username or password the policy refuses.
    """
    if admin_exists(session):
        logger.info("bootstrap admin: an admin already exists; nothing created")
        return BootstrapOutcome.ADMIN_EXISTS
    user = accounts.create_user(
        session,
        username=username,
        display_name=accounts.normalize_username(username),
        password=password,
        role=StaffRole.ADMIN,
    )
    logger.info("bootstrap admin created", extra={"fields": {"staff_user_id": user.id}})
    return BootstrapOutcome.CREATED
