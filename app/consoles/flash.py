"""Post/Redirect/Get with a result to show once: the flash cookie.

A console form that changes something answers 303 to a GET page, so reloading that page
never sends the form again. Most pages say what happened with `?done=<action>`; a result
that does not fit a URL (the counts of an import, a new API token shown only once) travels
in the flash cookie instead:

- `redirect_with_flash(request, url, data)`: 303 to `url`, with `data` (JSON) in the
  cookie `ivr_flash`: HttpOnly, SameSite=Strict, `Path` = the page's path, 2 minutes,
  Secure like the session cookie, and signed (HMAC-SHA256 with the secret key over the
  data and the signed-in session), so another session or a forged cookie shows nothing.
- `take_flash(request)` on that GET: the data (or None), and `forget_flash(request,
  response)` deletes the cookie, so a reload or a later visit shows it no more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from app.consoles.session_cookie import cookie_secure, session_token_from
from app.core.config import Settings

FLASH_COOKIE = "ivr_flash"
FLASH_SECONDS = 120


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _mac(request: Request, payload: str) -> str:
    bound = session_token_from(request) or ""
    message = f"flash|{bound}|{payload}".encode()
    return hmac.new(_settings(request).secret_key.encode(), message, hashlib.sha256).hexdigest()


def redirect_with_flash(request: Request, url: str, data: dict[str, Any]) -> RedirectResponse:
    """303 to `url`, carrying `data` to be shown once there."""
    payload = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload}.{_mac(request, payload)}",
        path=urlsplit(url).path,
        max_age=FLASH_SECONDS,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(_settings(request)),
    )
    return response


def take_flash(request: Request) -> dict[str, Any] | None:
    """The data a redirect left for this page, if it is genuine (else None)."""
    raw = request.cookies.get(FLASH_COOKIE) or ""
    payload, _, mac = raw.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(request, payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
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
