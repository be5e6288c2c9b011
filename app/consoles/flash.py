"""Post/Redirect/Get with a result to show once: the flash.

A console form that changes something answers 303 to a GET page, so reloading that page
never sends the form again. Most pages say what happened with `?done=<action>`; a result
that does not fit a URL (a refusal with what was typed, the counts of an import, a new API
token shown only once) travels as a flash instead:

- `redirect_with_flash(request, url, data)`: 303 to `url`, with `data` (JSON) kept **on
  the server** (`staff_flashes`, bound to the signed-in staff session) under the SHA-256
  of a random token; the cookie `ivr_flash` holds only that token: HttpOnly,
  SameSite=Strict, `Path` = the page's path, 2 minutes, Secure like the session cookie.
  What was typed (a caller's phone number, a token) is therefore never readable in a
  cookie, and another session, a forged or a replayed cookie shows nothing.
- `take_flash(request)` on that GET: the data (or None), deleted as it is read (shown
  once), and `forget_flash(request, response)` deletes the cookie.

Each call is its own short transaction (`app.state.db`), apart from the route's session,
which a refused action has just rolled back. Rows past their two minutes are deleted at
the next flash and by the daily retention job (app/retention/job.py); a session's rows go
with its row.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import delete

from app.consoles.session_cookie import cookie_secure
from app.core.config import Settings
from app.core.db import Database
from app.db.base import utcnow
from app.staff.models import StaffFlash
from app.staff.sessions import token_digest

FLASH_COOKIE = "ivr_flash"
FLASH_SECONDS = 120
TOKEN_BYTES = 32


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def _session_id(request: Request) -> int | None:
    """The signed-in staff session of this request (set by `optional_staff`)."""
    open_session = getattr(request.state, "staff_session", None)
    return getattr(open_session, "id", None)


def redirect_with_flash(request: Request, url: str, data: dict[str, Any]) -> RedirectResponse:
    """303 to `url`, carrying `data` to be shown once there."""
    response = RedirectResponse(url, status_code=303)
    session_id = _session_id(request)
    if session_id is None:  # console routes are signed in; nothing to bind it to otherwise
        return response
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    with _database(request).session() as work:
        work.execute(delete(StaffFlash).where(StaffFlash.expires_at < now))
        work.add(
            StaffFlash(
                token_hash=token_digest(token), session_id=session_id,
                data=json.dumps(data, ensure_ascii=False),
                expires_at=now + timedelta(seconds=FLASH_SECONDS),
            )
        )
    response.set_cookie(
        FLASH_COOKIE,
        token,
        path=urlsplit(url).path,
        max_age=FLASH_SECONDS,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(_settings(request)),
    )
    return response


def take_flash(request: Request) -> dict[str, Any] | None:
    """The data a redirect left for this page and this session (else None); read once."""
    token = request.cookies.get(FLASH_COOKIE) or ""
    session_id = _session_id(request)
    if not token or len(token) > 100 or session_id is None:
        return None
    with _database(request).session() as work:
        row = work.execute(
            delete(StaffFlash)
            .where(
                StaffFlash.token_hash == token_digest(token),
                StaffFlash.session_id == session_id,
                StaffFlash.expires_at >= utcnow(),
            )
            .returning(StaffFlash.data)
        ).first()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def forget_flash(request: Request, response: Response) -> None:
    """Delete the flash cookie (shown once)."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(
            FLASH_COOKIE,
            path=request.url.path,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(_settings(request)),
        )
