"""The staff session cookie: a random token naming a session kept on the server.

The cookie `ivr_staff` holds only the token of a row in `staff_sessions`
(`app.staff.sessions`); the server decides whether it is still valid, so sign-out, a
password change, deactivation and "sign out everywhere" end it at once. It is HttpOnly,
SameSite=Lax, Secure when `secure_cookies` or in production, and is a browser-session
cookie (no Max-Age): the server enforces the idle timeout and the absolute lifetime.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response

from app.core.config import Settings
from app.staff.sessions import SessionLimits

SESSION_COOKIE = "ivr_staff"


def cookie_secure(settings: Settings) -> bool:
    return settings.secure_cookies or settings.is_production


def session_limits(settings: Settings) -> SessionLimits:
    return SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_lifetime_hours),
    )


def session_token_from(request: Request) -> str | None:
    """The token in the request's cookie, unchecked (the server looks it up)."""
    return request.cookies.get(SESSION_COOKIE) or None


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings),
    )


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(settings)
    )
