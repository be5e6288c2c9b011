"""Signing of appointment pushes; the HIS side can copy this file as it is (stdlib only).

Every push carries two headers:

    X-IVR-Timestamp: 1795000000                      (Unix seconds when it was sent)
    X-IVR-Signature: v1=<hex HMAC-SHA256>            (key: the hospital's webhook secret)

The signature is over ``f"{timestamp}.".encode() + body`` (the raw request body bytes).
A receiver recomputes it with `verify`, which refuses a tampered body or timestamp and a
timestamp further than `tolerance` from its own clock (a replayed old request). Within
the tolerance a receiver that must also refuse an exact replay remembers the signatures
it has seen for that long; the resource's `meta.versionId` tells repeats of one version.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-IVR-Timestamp"
SIGNATURE_HEADER = "X-IVR-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-IVR-Signature value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers to send with `body`."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: signature(secret, ts, body)}


def verify(
    secret: str,
    body: bytes,
    timestamp_header: str | None,
    signature_header: str | None,
    *,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when the headers prove `body` came from the hotline within `tolerance` seconds."""
    if not timestamp_header or not signature_header or not timestamp_header.isdigit():
        return False
    ts = int(timestamp_header)
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, ts, body), signature_header)
