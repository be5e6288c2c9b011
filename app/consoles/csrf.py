"""CSRF protection for every console form.

Signed-in users: the token is an HMAC of the session token in the `ivr_staff` cookie (a
session kept on the server, see `app.staff.sessions`), so it changes with every sign-in
and cannot be made without the secret key.
Before sign-in (the login form): a random seed in the HttpOnly cookie `ivr_csrf` and a
token that is an HMAC of that seed (signed double-submit).

Templates get `csrf_token` and `csrf_field` from the context (see templating.py)::

    <input type="hidden" name="{{ csrf_field }}" value="{{ csrf_token }}">

POST routes add `dependencies=[CsrfProtected]`; scripts may send the token in the
`X-CSRF-Token` header instead. A missing or wrong token is a 403 with a Chinese message.
Put `CurrentStaff` (or a role dependency) before it so an expired session redirects to
the sign-in page rather than failing the token check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Depends, HTTPException, Request, Response

from app.consoles.session_cookie import cookie_secure, session_token_from
from app.core.config import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "ivr_csrf"
CSRF_FAILED = "表单校验失败：页面可能已过期。请返回上一页，刷新后再提交。"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _mac(settings: Settings, purpose: str, value: str) -> str:
    message = f"csrf|{purpose}|{value}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _valid_seed(seed: str | None) -> bool:
    return seed is not None and 20 <= len(seed) <= 64 and seed.isascii()


def login_token(request: Request) -> str:
    """The pre-session token; creates the seed cookie (set by `attach_csrf_cookie`)."""
    seed = request.cookies.get(CSRF_COOKIE)
    if not _valid_seed(seed):
        seed = getattr(request.state, "csrf_new_seed", None) or secrets.token_urlsafe(24)
        request.state.csrf_new_seed = seed
    assert seed is not None
    return _mac(_settings(request), "login", seed)


def session_token(settings: Settings, session_token: str) -> str:
    return _mac(settings, "session", session_token)


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms."""
    forced: str | None = getattr(request.state, "csrf_token", None)
    if forced:
        return forced
    settings = _settings(request)
    staff_token = session_token_from(request)
    if staff_token is not None:
        return session_token(settings, staff_token)
    return login_token(request)


def attach_csrf_cookie(request: Request, response: Response) -> None:
    """Set the pre-session seed cookie if this request created one."""
    seed = getattr(request.state, "csrf_new_seed", None)
    if seed:
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            path="/",
            httponly=True,
            samesite="lax",
            secure=cookie_secure(_settings(request)),
        )


def clear_csrf_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        CSRF_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(settings)
    )


def _matches(submitted: object, expected: str | None) -> bool:
    return (
        isinstance(submitted, str)
        and expected is not None
        and hmac.compare_digest(submitted.encode(), expected.encode())
    )


async def submitted_token(request: Request) -> object:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_FORM_TYPES):
        return (await request.form()).get(CSRF_FIELD)
    return None


def login_token_is_valid(request: Request, submitted: object) -> bool:
    seed = request.cookies.get(CSRF_COOKIE)
    if not _valid_seed(seed):
        return False
    assert seed is not None
    return _matches(submitted, _mac(_settings(request), "login", seed))


async def verify_csrf(request: Request) -> None:
    """Dependency: 403 unless the request carries this session's token."""
    settings = _settings(request)
    submitted = await submitted_token(request)
    staff_token = session_token_from(request)
    if staff_token is not None:
        valid = _matches(submitted, session_token(settings, staff_token))
    else:
        valid = login_token_is_valid(request, submitted)
    if not valid:
        raise HTTPException(status_code=403, detail=CSRF_FAILED)


CsrfProtected = Depends(verify_csrf)
