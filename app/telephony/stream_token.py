"""Per-call tokens that bind a media stream to the call whose TwiML started it.

Twilio signs the media-stream handshake over the fixed `wss://.../twilio/media` URL only,
so one observed signature header would otherwise open streams for ever, for any caller
number. The TwiML that connects a call to the stream (`/twilio/voice/stream`, itself a
signed webhook) therefore carries a `token` custom parameter: an HMAC, keyed by the
service's secret key, over the call SID, the From and To numbers and an expiry a short
time ahead. The stream's `start` message must bring that token back with the same call
SID and numbers, before it expires and only once; otherwise the socket is closed and no
call is started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time

TOKEN_PARAMETER = "token"
TOKEN_TTL_S = 60  # Twilio opens the stream within a second or two of reading the TwiML


def _mac(secret: str, call_sid: str, from_number: str, to_number: str, expires: int) -> str:
    message = f"media-stream|{call_sid}|{from_number}|{to_number}|{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(
    secret: str, call_sid: str, from_number: str, to_number: str, *, now: float | None = None
) -> str:
    """A token for this call, valid for `TOKEN_TTL_S` seconds from `now`."""
    expires = int((time.time() if now is None else now) + TOKEN_TTL_S)
    return f"{expires}.{_mac(secret, call_sid, from_number, to_number, expires)}"


class StreamTokens:
    """Checks tokens and remembers the used ones until they expire (one process)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def accept(
        self,
        token: str | None,
        call_sid: str,
        from_number: str,
        to_number: str,
        *,
        now: float | None = None,
    ) -> bool:
        """True once for a valid, unexpired token issued for exactly this call."""
        if not token or "." not in token or len(token) > 128:
            return False
        expires_text, mac = token.split(".", 1)
        if not expires_text.isdigit():
            return False
        expires = int(expires_text)
        current = time.time() if now is None else now
        if expires < current:
            return False
        expected = _mac(self._secret, call_sid, from_number, to_number, expires)
        if not hmac.compare_digest(mac, expected):
            return False
        with self._lock:
            self._used = {t: e for t, e in self._used.items() if e >= current}
            if token in self._used:
                return False
            self._used[token] = expires
        return True
