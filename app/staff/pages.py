"""The admin's staff list (GET /console/users, no password hashes) and its one action:
"全部下线" (POST /console/users/{user_id}/signout) ends every session of a user."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital.models import Hospital
from app.people.models import Community
from app.staff import sessions
from app.staff.enums import StaffRole
from app.staff.models import StaffSession, StaffUser

logger = logging.getLogger(__name__)
router = console_router()

NOTICES = {"signout": "该用户的所有会话已结束。"}
NO_SUCH_USER = "没有这个账号。"


@dataclass(frozen=True)
class StaffRow:
    """What the list shows of a user: never the password hash."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    unit: str
    active: bool
    last_login_at: datetime | None
    open_sessions: int


@router.get("/console/users", response_class=Response)
def list_staff(
    request: Request, staff: AdminStaff, session: SessionDep, done: str = ""
) -> Response:
    open_counts: dict[int, int] = {
        user_id: count
        for user_id, count in session.execute(
            select(StaffSession.staff_user_id, func.count())
            .where(StaffSession.ended_at.is_(None))
            .group_by(StaffSession.staff_user_id)
        )
    }
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
            last_login_at=user.last_login_at,
            open_sessions=open_counts.get(user.id, 0),
        )
        for user, hospital, community in rows
    ]
    return render(request, "users.html", {"users": users, "notice": NOTICES.get(done)})


@router.post(
    "/console/users/{user_id}/signout", response_class=Response, dependencies=[CsrfProtected]
)
def sign_out_everywhere(
    user_id: int, staff: AdminStaff, session: SessionDep, now: NowDep
) -> Response:
    """End every session of the user at once (an admin's own included, if chosen)."""
    if session.get(StaffUser, user_id) is None:
        raise HTTPException(status_code=404, detail=NO_SUCH_USER)
    sessions.end_user_sessions(
        session, user_id=user_id, now=now, reason="everywhere"
    )
    session.commit()
    logger.info(
        "staff signed out everywhere by admin",
        extra={"fields": {"staff_user_id": user_id, "admin_id": staff.id}},
    )
    return RedirectResponse("/console/users?done=signout", status_code=303)
