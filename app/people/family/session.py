"""The family page's session: a signed cookie naming the mobile verified by SMS code.

`ivr_family` holds `number.expiry.mac` (HMAC-SHA256 with the secret key); it is valid for
`LIFETIME` after the code was accepted and cannot be made or extended without the key.
HttpOnly, SameSite=Lax, Secure like the staff cookie. Nothing is kept on the server.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from fastapi import Request, Response

from app.consoles.session_cookie import cookie_secure
from app.core.config import Settings

COOKIE = "ivr_family"
LIFETIME = timedelta(minutes=30)


def _mac(settings: Settings, number: str, expiry: int) -> str:
    message = f"family-session|{number}|{expiry}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def start(response: Response, settings: Settings, *, number: str, now: datetime) -> None:
    expiry = int((now + LIFETIME).timestamp())
    value = f"{number}.{expiry}.{_mac(settings, number, expiry)}"
    response.set_cookie(
        COOKIE,
        value,
        path="/family",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings),
        max_age=int(LIFETIME.total_seconds()),
    )


def end(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/family", httponly=True, samesite="lax", secure=cookie_secure(settings)
    )


def verified_number(request: Request, settings: Settings, now: datetime) -> str | None:
    """The number of a valid, unexpired session cookie, else None."""
    parts = (request.cookies.get(COOKIE) or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    number, expiry, mac = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(mac.encode(), _mac(settings, number, expiry).encode()):
        return None
    return number if now.timestamp() < expiry else None
