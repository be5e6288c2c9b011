"""GET/POST /login and POST /logout."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.consoles import csrf
from app.consoles.auth import NowDep, OptionalStaff, UnknownUserThrottle
from app.consoles.http import console_router
from app.consoles.session_cookie import clear_session, decode_session_cookie, issue_session
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.staff import accounts

logger = logging.getLogger(__name__)
router = console_router()

HOME = "/console"
BAD_CREDENTIALS = "用户名或密码错误"
LOCKED = "尝试次数过多，请 {minutes} 分钟后再试"
LOGIN_EXPIRED = "登录页面已过期，请重新输入用户名和密码。"
MAX_FIELD = 1024


def safe_next(target: str | None) -> str:
    """Only local absolute paths; anything else (other hosts, schemes) goes home."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(ch in target for ch in "\r\n\t\\") or target.startswith("/login"):
        return HOME
    return target


def _login_page(
    request: Request, *, next_path: str, username: str = "", error: str | None = None,
    status_code: int = 200, headers: dict[str, str] | None = None,
) -> Response:
    request.state.csrf_token = csrf.login_token(request)
    context = {"next": next_path, "username": username, "error": error}
    return render(request, "login.html", context, status_code=status_code, headers=headers)


@router.get("/login", response_class=Response)
def login_form(request: Request, staff: OptionalStaff, next: str = HOME) -> Response:
    if staff is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login", response_class=Response)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    throttle: UnknownUserThrottle,
    username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    csrf_token: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FIELD)] = HOME,
) -> Response:
    next_path = safe_next(next)
    username = username.strip()
    if not csrf.login_token_is_valid(request, csrf_token):
        return _login_page(
            request, next_path=next_path, username=username, error=LOGIN_EXPIRED, status_code=403
        )
    user = accounts.authenticate(
        session,
        username=username,
        password=password,
        now=now,
        max_failures=settings.login_max_failures,
        lockout_minutes=settings.login_lockout_minutes,
        unknown_users=throttle,
    )
    if user is None:
        remaining = accounts.lockout_remaining(
            session, username=username, now=now, unknown_users=throttle
        )
        if remaining is not None:
            minutes = accounts.retry_after_minutes(remaining)
            return _login_page(
                request, next_path=next_path, username=username,
                error=LOCKED.format(minutes=minutes), status_code=429,
                headers={"retry-after": str(int(remaining.total_seconds()) + 1)},
            )
        return _login_page(
            request, next_path=next_path, username=username, error=BAD_CREDENTIALS,
            status_code=401,
        )
    response = RedirectResponse(next_path, status_code=303)
    issue_session(response, settings, user, now)
    csrf.clear_csrf_cookie(response, settings)
    logger.info("staff signed in", extra={"fields": {"staff_user_id": user.id}})
    return response


@router.post("/logout", response_class=Response, dependencies=[csrf.CsrfProtected])
def logout(request: Request, settings: SettingsDep) -> Response:
    staff_session = decode_session_cookie(request, settings)
    response = RedirectResponse("/login", status_code=303)
    clear_session(response, settings)
    if staff_session is not None:
        logger.info("staff signed out", extra={"fields": {"staff_user_id": staff_session.user_id}})
    return response
