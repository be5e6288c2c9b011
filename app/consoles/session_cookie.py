"""Staff sessions in a signed cookie.

The cookie `ivr_staff` holds the user id, a random session id (CSRF tokens are bound to
it), the issue time and a stamp of the password hash, signed with `settings.secret_key`.
It is HttpOnly, SameSite=Lax, Secure when `secure_cookies` or in production, and lasts
12 hours from sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.config import Settings
from app.staff.models import StaffUser

SESSION_COOKIE = "ivr_staff"
SESSION_MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class StaffSession:
    user_id: int
    sid: str
    issued_at: datetime
    stamp: str

    def is_current(self, now: datetime) -> bool:
        return self.issued_at - CLOCK_SKEW <= now < self.issued_at + SESSION_MAX_AGE


def cookie_secure(settings: Settings) -> bool:
    return settings.secure_cookies or settings.is_production


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="ivr-staff-session")


def password_stamp(settings: Settings, password_hash: str) -> str:
    """A short keyed digest of the password hash: a new password ends old sessions."""
    key = settings.secret_key.encode()
    return hmac.new(key, b"pw|" + password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def decode_session_cookie(request: Request, settings: Settings) -> StaffSession | None:
    """The session in the request's cookie if its signature is valid (expiry not checked)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw)
        return StaffSession(
            user_id=int(data["u"]),
            sid=str(data["s"]),
            issued_at=datetime.fromtimestamp(int(data["i"]), UTC),
            stamp=str(data["p"]),
        )
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


def issue_session(
    response: Response, settings: Settings, user: StaffUser, now: datetime
) -> StaffSession:
    """Start a fresh session (new session id) for the user on this response."""
    session = StaffSession(
        user_id=user.id,
        sid=secrets.token_urlsafe(18),
        issued_at=now.replace(microsecond=0),
        stamp=password_stamp(settings, user.password_hash),
    )
    payload = {
        "u": session.user_id,
        "s": session.sid,
        "i": int(session.issued_at.timestamp()),
        "p": session.stamp,
    }
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(settings).dumps(payload),
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings),
    )
    return session


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(settings)
    )
