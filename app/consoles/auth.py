"""The dependencies that guard console routes: who is signed in, and what they may see.

Every request looks up its session on the server (`app.staff.sessions`, the cookie only
names it): an ended, idle or expired session, or a deactivated user, sends the browser back
to /login.

Use in routes::

    @router.get("/dispatch")
    def queue(staff: DispatchStaff, ...): ...          # operator or admin

    @router.get("/hospital/{hospital_id}/slots")
    def slots(hospital_id: int, staff: HospitalConsoleStaff, ...):
        ensure_hospital_access(staff, hospital_id)        # own hospital only, admin all
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response

from app.consoles.http import wants_html
from app.consoles.roles import (
    COMMUNITY_CONSOLE_ROLES,
    DISPATCH_ROLES,
    FAMILY_DOCTOR_ROLES,
    HOSPITAL_ADMIN_ROLES,
    HOSPITAL_CONSOLE_ROLES,
)
from app.consoles.session_cookie import (
    SESSION_COOKIE,
    clear_session,
    session_limits,
    session_token_from,
)
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.staff.sessions import resume_session

SIGN_IN_REQUIRED = "请先登录。"
FORBIDDEN_ROLE = "您的账号无权使用此页面。"
FORBIDDEN_HOSPITAL = "您只能查看本院的数据。"
FORBIDDEN_COMMUNITY = "您只能查看本社区的数据。"


def get_now() -> datetime:
    """The current time; tests override this dependency to move the clock."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]


# --- dependencies -----------------------------------------------------------------------


def optional_staff(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> StaffUser | None:
    """The signed-in, active user, or None. Sets request.state.staff for templates."""
    token = session_token_from(request)
    if token is None:
        return None
    staff_session = resume_session(session, token=token, now=now, limits=session_limits(settings))
    # Commit `last_seen_at` (or the end of a stale session) now, not after the response:
    # the next request must see it, and the write lock must not last the whole request.
    session.commit()
    if staff_session is None:
        return None
    request.state.staff = staff_session.user
    request.state.staff_session = staff_session
    return staff_session.user


OptionalStaff = Annotated[StaffUser | None, Depends(optional_staff)]


def _sign_in_required(request: Request, settings: Settings) -> HTTPException:
    headers: dict[str, str] = {}
    if SESSION_COOKIE in request.cookies:
        cleared = Response()
        clear_session(cleared, settings)
        headers["set-cookie"] = cleared.headers["set-cookie"]
    if wants_html(request):
        target = "/login"
        if request.method == "GET":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(path, safe="")
        headers["location"] = target
        return HTTPException(status_code=303, detail=SIGN_IN_REQUIRED, headers=headers)
    return HTTPException(status_code=401, detail=SIGN_IN_REQUIRED, headers=headers)


def current_staff(request: Request, staff: OptionalStaff, settings: SettingsDep) -> StaffUser:
    """The signed-in user; otherwise 303 to /login for pages, 401 for other requests."""
    if staff is None:
        raise _sign_in_required(request, settings)
    return staff


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


def require_role(*roles: StaffRole) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting only the given roles (admin is not implied: list it)."""
    allowed = frozenset(roles)

    def dependency(staff: CurrentStaff) -> StaffUser:
        if staff.role not in allowed:
            raise HTTPException(status_code=403, detail=FORBIDDEN_ROLE)
        return staff

    return dependency


AdminStaff = Annotated[StaffUser, Depends(require_role(StaffRole.ADMIN))]
DispatchStaff = Annotated[StaffUser, Depends(require_role(*DISPATCH_ROLES))]
HospitalConsoleStaff = Annotated[StaffUser, Depends(require_role(*HOSPITAL_CONSOLE_ROLES))]
CommunityConsoleStaff = Annotated[StaffUser, Depends(require_role(*COMMUNITY_CONSOLE_ROLES))]
HospitalAdminStaff = Annotated[StaffUser, Depends(require_role(*HOSPITAL_ADMIN_ROLES))]
FamilyDoctorStaff = Annotated[StaffUser, Depends(require_role(*FAMILY_DOCTOR_ROLES))]
# Family doctors are bound to a hospital too, but see only their own signed patients
# (/family-doctor), never the hospital console: they are not in this set.
HOSPITAL_BOUND_ROLES = frozenset({StaffRole.HOSPITAL_STAFF, StaffRole.HOSPITAL_ADMIN})


# --- per-hospital and per-community access ----------------------------------------------


def can_access_hospital(staff: StaffUser, hospital_id: int) -> bool:
    """Admins see every hospital; hospital staff and admins only their own; others none."""
    if staff.role is StaffRole.ADMIN:
        return True
    return staff.role in HOSPITAL_BOUND_ROLES and staff.hospital_id == hospital_id


def ensure_hospital_access(staff: StaffUser, hospital_id: int) -> None:
    if not can_access_hospital(staff, hospital_id):
        raise HTTPException(status_code=403, detail=FORBIDDEN_HOSPITAL)


def hospital_scope(staff: StaffUser) -> int | None:
    """The hospital id to filter queries by, or None for all (admin). 403 for other roles."""
    if staff.role is StaffRole.ADMIN:
        return None
    if staff.role in HOSPITAL_BOUND_ROLES and staff.hospital_id is not None:
        return staff.hospital_id
    raise HTTPException(status_code=403, detail=FORBIDDEN_HOSPITAL)


def can_access_community(staff: StaffUser, community_id: int) -> bool:
    if staff.role is StaffRole.ADMIN:
        return True
    return staff.role is StaffRole.COMMUNITY_STAFF and staff.community_id == community_id


def ensure_community_access(staff: StaffUser, community_id: int) -> None:
    if not can_access_community(staff, community_id):
        raise HTTPException(status_code=403, detail=FORBIDDEN_COMMUNITY)


def community_scope(staff: StaffUser) -> int | None:
    """The community id to filter people by, or None for all (admin). 403 for other roles."""
    if staff.role is StaffRole.ADMIN:
        return None
    if staff.role is StaffRole.COMMUNITY_STAFF and staff.community_id is not None:
        return staff.community_id
    raise HTTPException(status_code=403, detail=FORBIDDEN_COMMUNITY)
