"""The admin's staff list (GET /console/users, no password hashes) and its one action:
"全部下线" (POST /console/users/{user_id}/signout) ends every session of a user; and an
operator's own phone (POST /console/users/{user_id}/phone), rung on 接听 and 回拨."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import console_router
from app.consoles.roles import DISPATCH_ROLES
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital.models import Hospital
from app.people.models import Community
from app.people.phones import mask_number
from app.staff import accounts, sessions
from app.staff.enums import StaffRole
from app.staff.models import StaffSession, StaffUser

logger = logging.getLogger(__name__)
router = console_router()

NOTICES = {"signout": "该用户的所有会话已结束。", "phone": "接听电话已保存。"}
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
    phone: str  # masked
    answers_calls: bool  # operators and admins pick callers up


@router.get("/console/users", response_class=Response)
def list_staff(
    request: Request, staff: AdminStaff, session: SessionDep, done: str = "",
    error: str | None = None,
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
            phone=mask_number(user.phone_number) if user.phone_number else "",
            answers_calls=user.role in DISPATCH_ROLES,
        )
        for user, hospital, community in rows
    ]
    return render(
        request, "users.html", {"users": users, "notice": NOTICES.get(done), "error": error}
    )


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


@router.post(
    "/console/users/{user_id}/phone", response_class=Response, dependencies=[CsrfProtected]
)
def set_phone(
    request: Request, user_id: int, staff: AdminStaff, session: SessionDep,
    phone_number: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """An operator's own phone; an invalid number shows the list again with the reason."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=NO_SUCH_USER)
    try:
        accounts.set_phone(session, user, phone_number)
    except accounts.StaffUserError as exc:
        session.rollback()
        response = list_staff(request, staff, session, error=str(exc))
        response.status_code = 400
        return response
    session.commit()
    logger.info(
        "staff phone set by admin",
        extra={"fields": {"staff_user_id": user_id, "admin_id": staff.id}},
    )
    return RedirectResponse("/console/users?done=phone", status_code=303)
