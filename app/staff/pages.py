"""用户管理 (/console/users, admins only): the staff list (never a password hash), the
account lifecycle and its audit trail (the last `AUDIT_ROWS` entries).

Every action is a CSRF-protected POST that goes through `app.staff.accounts`,
`app.staff.sessions` or `app.staff.throttle` (the rules live there, not here) and writes
one `staff_audit` row in the same transaction:

- POST /console/users: create a user (role, hospital or community as the role needs,
  an initial password typed twice);
- POST /console/users/{id}/password: a new password (the user's sessions end);
- POST /console/users/{id}/deactivate (a ticked confirmation) and .../reactivate;
- POST /console/users/{id}/role: role and scope (the user's sessions end);
- POST /console/users/{id}/unlock: forget the failed sign-ins of the username;
- POST /console/users/{id}/signout: "全部下线", end every session of a user;
- POST /console/users/{id}/phone: an operator's own phone, rung on 接听 and 回拨.

Refused input shows the page again (HTTP 400) with the Chinese reason and the form as
it was sent (passwords are never sent back). An admin cannot deactivate their own
account or change their own role; `accounts` refuses to leave no active admin.
Log lines carry ids only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import console_router
from app.consoles.roles import DISPATCH_ROLES, ROLE_LABELS, role_label
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital.models import Hospital
from app.people.models import Community
from app.people.phones import mask_number
from app.staff import accounts, audit, sessions, throttle
from app.staff.accounts import StaffUserError
from app.staff.enums import StaffRole
from app.staff.models import StaffSession, StaffUser

logger = logging.getLogger(__name__)
router = console_router()

AUDIT_ROWS = 50
NOTICES = {
    "signed_out": "该用户的所有会话已结束。",
    "phone": "接听电话已保存。",
    "created": "账号已创建。",
    "password": "密码已重设，该用户需要用新密码重新登录。",
    "deactivated": "账号已停用，该用户的所有会话已结束。",
    "reactivated": "账号已恢复启用。",
    "role": "角色已修改，该用户需要重新登录。",
    "unlocked": "已解除该用户名的登录限制。",
}
NO_SUCH_USER = "没有这个账号。"
PASSWORDS_DIFFER = "两次输入的密码不一致。"
CONFIRM_DEACTIVATE = "请勾选“确认停用”后再提交。"
NOT_YOURSELF = "不能停用自己的账号或修改自己的角色，请让另一位管理员操作。"

# Generous bounds: anything longer is refused by FastAPI; the real rules are in accounts.
Text = Annotated[str, Form(max_length=200)]
Secret = Annotated[str, Form(max_length=1000)]


@dataclass(frozen=True)
class StaffRow:
    """What the list shows of a user: never the password hash."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    hospital_id: int | None
    community_id: int | None
    unit: str
    active: bool
    last_login_at: datetime | None
    open_sessions: int
    phone: str  # masked
    answers_calls: bool  # operators and admins pick callers up
    is_self: bool


def _staff_rows(session: Session, staff: StaffUser) -> list[StaffRow]:
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
    return [
        StaffRow(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            hospital_id=user.hospital_id,
            community_id=user.community_id,
            unit=hospital or community or "",
            active=user.active,
            last_login_at=user.last_login_at,
            open_sessions=open_counts.get(user.id, 0),
            phone=mask_number(user.phone_number) if user.phone_number else "",
            answers_calls=user.role in DISPATCH_ROLES,
            is_self=user.id == staff.id,
        )
        for user, hospital, community in rows
    ]


def _page(
    request: Request,
    staff: StaffUser,
    session: Session,
    *,
    notice: str | None = None,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    open_user: int | None = None,
) -> Response:
    context: dict[str, Any] = {
        "users": _staff_rows(session, staff),
        "notice": notice,
        "error": error,
        "kept": kept or {},
        "open_user": open_user,
        "roles": list(ROLE_LABELS.items()),
        "hospitals": session.execute(
            select(Hospital.id, Hospital.name).order_by(Hospital.name)
        ).all(),
        "communities": session.execute(
            select(Community.id, Community.name).order_by(Community.name)
        ).all(),
        "audit_rows": audit.recent(session, limit=AUDIT_ROWS),
    }
    return render(request, "users.html", context)


def _refused(
    request: Request,
    staff: StaffUser,
    session: Session,
    error: str,
    *,
    kept: dict[str, str] | None = None,
    open_user: int | None = None,
) -> Response:
    """Roll the change back and show the page again with the reason and the form kept."""
    session.rollback()
    response = _page(request, staff, session, error=error, kept=kept, open_user=open_user)
    response.status_code = 400
    return response


def _done(
    session: Session,
    staff: StaffUser,
    user: StaffUser,
    action: str,
    now: datetime,
    detail: str = "",
) -> Response:
    """Audit, commit, log (ids only) and go back to the list with the notice."""
    audit.record(
        session, actor_id=staff.id, target_id=user.id, action=action, now=now, detail=detail
    )
    session.commit()
    logger.info(
        "staff account changed by admin",
        extra={"fields": {"staff_user_id": user.id, "admin_id": staff.id, "action": action}},
    )
    return RedirectResponse(f"/console/users?done={action}", status_code=303)


def _user(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=NO_SUCH_USER)
    return user


def _optional_id(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise StaffUserError(f"{what}选择不对，请重新选择。")
    return int(value)


def _scope(session: Session, user: StaffUser) -> str:
    """角色（所属医院或社区）, for the audit trail."""
    unit = None
    if user.hospital_id is not None:
        hospital = session.get(Hospital, user.hospital_id)
        unit = hospital.name if hospital else None
    elif user.community_id is not None:
        community = session.get(Community, user.community_id)
        unit = community.name if community else None
    return f"{role_label(user.role)}（{unit}）" if unit else role_label(user.role)


@router.get("/console/users", response_class=Response)
def list_staff(
    request: Request,
    staff: AdminStaff,
    session: SessionDep,
    done: str = "",
) -> Response:
    return _page(request, staff, session, notice=NOTICES.get(done))


@router.post("/console/users", response_class=Response, dependencies=[CsrfProtected])
def create_staff(
    request: Request,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    username: Text = "",
    display_name: Text = "",
    role: Text = "",
    hospital_id: Text = "",
    community_id: Text = "",
    password: Secret = "",
    password_confirm: Secret = "",
) -> Response:
    """Create a staff user; every rule is checked by `accounts.create_user`."""
    kept = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "hospital_id": hospital_id,
        "community_id": community_id,
    }
    try:
        if password != password_confirm:
            raise StaffUserError(PASSWORDS_DIFFER)
        user = accounts.create_user(
            session,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            hospital_id=_optional_id(hospital_id, "医院"),
            community_id=_optional_id(community_id, "社区"),
        )
    except StaffUserError as exc:
        return _refused(request, staff, session, str(exc), kept=kept)
    return _done(
        session, staff, user, audit.CREATED, now, f"{user.display_name}，{_scope(session, user)}"
    )


@router.post(
    "/console/users/{user_id}/password", response_class=Response, dependencies=[CsrfProtected]
)
def reset_password(
    request: Request,
    user_id: int,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    password: Secret = "",
    password_confirm: Secret = "",
) -> Response:
    """A new password (told to the user in person); every session of the user ends."""
    user = _user(session, user_id)
    try:
        if password != password_confirm:
            raise StaffUserError(PASSWORDS_DIFFER)
        accounts.set_password(session, user, password, now=now)
    except StaffUserError as exc:
        return _refused(request, staff, session, str(exc), open_user=user_id)
    return _done(session, staff, user, audit.PASSWORD, now)


@router.post(
    "/console/users/{user_id}/deactivate", response_class=Response, dependencies=[CsrfProtected]
)
def deactivate(
    request: Request,
    user_id: int,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    confirm: Text = "",
) -> Response:
    """Deactivate a user (ticked confirmation): sign-in refused, sessions end at once."""
    user = _user(session, user_id)
    try:
        if user.id == staff.id:
            raise StaffUserError(NOT_YOURSELF)
        if confirm != "yes":
            raise StaffUserError(CONFIRM_DEACTIVATE)
        accounts.set_active(session, user, False, now=now)
    except StaffUserError as exc:
        return _refused(request, staff, session, str(exc), open_user=user_id)
    return _done(session, staff, user, audit.DEACTIVATED, now)


@router.post(
    "/console/users/{user_id}/reactivate", response_class=Response, dependencies=[CsrfProtected]
)
def reactivate(user_id: int, staff: AdminStaff, session: SessionDep, now: NowDep) -> Response:
    user = _user(session, user_id)
    accounts.set_active(session, user, True, now=now)
    return _done(session, staff, user, audit.REACTIVATED, now)


@router.post("/console/users/{user_id}/role", response_class=Response, dependencies=[CsrfProtected])
def change_role(
    request: Request,
    user_id: int,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    role: Text = "",
    hospital_id: Text = "",
    community_id: Text = "",
) -> Response:
    """Role and scope (checked like at creation); the user signs in again."""
    user = _user(session, user_id)
    kept = {"role": role, "hospital_id": hospital_id, "community_id": community_id}
    before = _scope(session, user)
    try:
        if user.id == staff.id:
            raise StaffUserError(NOT_YOURSELF)
        accounts.set_role(
            session,
            user,
            role=role,
            hospital_id=_optional_id(hospital_id, "医院"),
            community_id=_optional_id(community_id, "社区"),
            now=now,
        )
    except StaffUserError as exc:
        return _refused(request, staff, session, str(exc), kept=kept, open_user=user_id)
    return _done(session, staff, user, audit.ROLE, now, f"{before} → {_scope(session, user)}")


@router.post(
    "/console/users/{user_id}/unlock", response_class=Response, dependencies=[CsrfProtected]
)
def unlock(user_id: int, staff: AdminStaff, session: SessionDep, now: NowDep) -> Response:
    """Forget the failed sign-ins of the username, from every address."""
    user = _user(session, user_id)
    cleared = throttle.clear_account(session, username=user.username)
    return _done(session, staff, user, audit.UNLOCKED, now, f"清除{cleared}条登录失败记录")


@router.post(
    "/console/users/{user_id}/signout", response_class=Response, dependencies=[CsrfProtected]
)
def sign_out_everywhere(
    user_id: int, staff: AdminStaff, session: SessionDep, now: NowDep
) -> Response:
    """End every session of the user at once (an admin's own included, if chosen)."""
    user = _user(session, user_id)
    ended = sessions.end_user_sessions(session, user_id=user_id, now=now, reason="everywhere")
    return _done(session, staff, user, audit.SIGNED_OUT, now, f"结束{ended}个会话")


@router.post(
    "/console/users/{user_id}/phone", response_class=Response, dependencies=[CsrfProtected]
)
def set_phone(
    request: Request,
    user_id: int,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    phone_number: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """An operator's own phone; an invalid number shows the list again with the reason."""
    user = _user(session, user_id)
    try:
        stored = accounts.set_phone(session, user, phone_number)
    except StaffUserError as exc:
        return _refused(request, staff, session, str(exc), open_user=user_id)
    return _done(session, staff, user, audit.PHONE, now, mask_number(stored) if stored else "清除")
