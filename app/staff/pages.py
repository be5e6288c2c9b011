"""GET /console/users: the staff list, for admins only (no password hashes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital.models import Hospital
from app.people.models import Community
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

router = console_router()


@dataclass(frozen=True)
class StaffRow:
    """What the list shows of a user: never the password hash."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    unit: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def _future(when: datetime | None, now: datetime) -> datetime | None:
    return when if when is not None and when > now else None


@router.get("/console/users", response_class=Response)
def list_staff(request: Request, staff: AdminStaff, session: SessionDep, now: NowDep) -> Response:
    rows = session.execute(
        select(StaffUser, Hospital.name, Community.name)
        .outerjoin(Hospital, StaffUser.hospital_id == Hospital.id)
        .outerjoin(Community, StaffUser.community_id == Community.id)
        .order_by(StaffUser.role, StaffUser.username)
    ).all()
    users = [
        StaffRow(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit=hospital or community or "",
            active=user.active,
            locked_until=_future(user.locked_until, now),
            last_login_at=user.last_login_at,
        )
        for user, hospital, community in rows
    ]
    return render(request, "users.html", {"users": users})
