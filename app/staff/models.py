"""Staff accounts of the consoles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Timestamped, UTCDateTime, str_enum
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
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
