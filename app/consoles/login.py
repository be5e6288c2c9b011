"""GET/POST /login and POST /logout."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.consoles import csrf
from app.consoles.auth import NowDep, OptionalStaff
from app.consoles.http import console_router
from app.consoles.session_cookie import clear_session, session_token_from, set_session_cookie
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.staff import accounts, sessions
from app.staff.throttle import ThrottlePolicy

logger = logging.getLogger(__name__)
router = console_router()

HOME = "/console"
BAD_CREDENTIALS = "用户名或密码错误"
THROTTLED = "尝试次数过多，请{seconds}秒后再试"
DEMO_REFUSED = "演示账号不能在正式环境中登录。"
BUSY_SECONDS = 5
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


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    return ThrottlePolicy(
        free_failures=settings.login_free_failures,
        address_free_failures=settings.login_address_free_failures,
        first_delay=timedelta(seconds=settings.login_first_delay_seconds),
        max_delay=timedelta(seconds=settings.login_max_delay_seconds),
    )


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client is not None else "unknown"


@router.post("/login", response_class=Response)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
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
    try:
        attempt = accounts.authenticate(
            session,
            username=username,
            password=password,
            address=client_address(request),
            now=now,
            policy=throttle_policy(settings),
            refuse_demo=settings.is_production,
        )
    except accounts.HashingBusy:
        attempt = accounts.SignIn(retry_after=BUSY_SECONDS)
    if attempt.retry_after is not None:
        return _login_page(
            request, next_path=next_path, username=username,
            error=THROTTLED.format(seconds=attempt.retry_after), status_code=429,
            headers={"retry-after": str(attempt.retry_after)},
        )
    if attempt.demo_refused:
        return _login_page(
            request, next_path=next_path, username=username, error=DEMO_REFUSED,
            status_code=403,
        )
    if attempt.user is None:
        session.commit()  # the failure counts even though the answer is an error page
        return _login_page(
            request, next_path=next_path, username=username, error=BAD_CREDENTIALS,
            status_code=401,
        )
    user = attempt.user
    token = sessions.start_session(session, user=user, now=now)
    session.commit()  # before answering: the next request must find the session
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, settings, token)
    csrf.clear_csrf_cookie(response, settings)
    logger.info("staff signed in", extra={"fields": {"staff_user_id": user.id}})
    return response


@router.post("/logout", response_class=Response, dependencies=[csrf.CsrfProtected])
def logout(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> Response:
    """End the session on the server (a copied cookie stops working) and drop the cookie."""
    token = session_token_from(request)
    if token is not None:
        sessions.end_session(session, token=token, now=now)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    clear_session(response, settings)
    logger.info("staff signed out")
    return response
