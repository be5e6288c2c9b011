"""Staff accounts of the consoles, their server-side sessions and sign-in throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Timestamped, UTCDateTime, str_enum, utcnow
from app.staff.enums import StaffRole


class StaffUser(Timestamped, Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(
            "role != 'hospital_staff' OR hospital_id IS NOT NULL", name="hospital_staff_bound"
        ),
        CheckConstraint(
            "role != 'community_staff' OR community_id IS NOT NULL", name="community_staff_bound"
        ),
        CheckConstraint(
            "role != 'hospital_admin' OR hospital_id IS NOT NULL", name="hospital_admin_bound"
        ),
        CheckConstraint(
            "role != 'family_doctor' OR hospital_id IS NOT NULL", name="family_doctor_bound"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    """Made by `ivr demo` with a published password: refused in production."""
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_number: Mapped[str | None] = mapped_column(String(32))
    """An operator's own phone: picking up a caller or calling back rings it first."""


class StaffSession(Base):
    """One sign-in. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    """signed_out, password, deactivated, role, everywhere, idle or expired."""


class StaffFlash(Base):
    """What a refused console form left to show once on the page it redirects to
    (app/consoles/flash.py). Kept here, not in the cookie: it may hold what was typed (a
    caller's number). The cookie holds a random token; only its SHA-256 is stored. Gone
    when shown, when its session's row is deleted, or at the next flash once expired."""

    __tablename__ = "staff_flashes"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("staff_sessions.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[str] = mapped_column(Text)  # JSON
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginThrottle(Base):
    """Recent failed sign-ins of one key: a (username, client address) pair or an address.

    Keys are SHA-256 digests, so neither usernames nor addresses are stored in clear;
    `account_digest` (the digest of the username) lets `ivr users unlock` find an
    account's rows.
    """

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffAudit(Base):
    """One change an admin made to a staff account: who, to whom, what, when.

    `detail` is a short Chinese line (the new role and scope, a masked phone number,
    how many throttles were cleared); never a password or its hash.
    """

    __tablename__ = "staff_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")
