"""Deleting recordings Twilio keeps (the <Record> answers of callers) through its REST API.

A recording is referenced in the database by its URL,
`https://api.twilio.com/2010-04-01/Accounts/AC…/Recordings/RE…`; its sid is the last part.
Uses the real `twilio.rest.Client`, pointed at `settings.twilio_api_base` when set (tests:
the fake Twilio of tests/support/fake_twilio.py), like app/notify/sender.py. The twilio
client (with requests, ~0.06 s to import) is imported only when Twilio is configured, not
when `ivr serve` starts the retention job.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from app.core.config import Settings

# The twilio HTTP client logs each request at INFO; recording URLs are not personal data,
# but the same quiet logger as the outbox sender keeps the logs uniform.
_http_logger = logging.getLogger("app.retention.twilio_http")
_http_logger.setLevel(logging.WARNING)

_RECORDING = re.compile(r"/Recordings/(?P<sid>RE[0-9a-fA-F]{32})(?:\.(?:wav|mp3|json))?/?$")


class RecordingDeleteError(Exception):
    """Twilio did not confirm the deletion; the recording may still be there."""


class RecordingDeleter(Protocol):
    def delete(self, sid: str) -> None:
        """Delete the recording `sid` (already gone counts as deleted); raise
        RecordingDeleteError otherwise."""
        ...


def twilio_recording_sid(url: str) -> str | None:
    """The recording sid of a Twilio recording URL, None for anything else."""
    if "://" not in url:
        return None
    match = _RECORDING.search(url.split("?", 1)[0])
    return match["sid"] if match else None


class TwilioRecordings:
    """Deletes recordings with the twilio client (DELETE …/Recordings/{sid}.json)."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise ValueError("IVR_TWILIO_ACCOUNT_SID and IVR_TWILIO_AUTH_TOKEN must be set")
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        http = TwilioHttpClient(timeout=timeout, logger=_http_logger)
        self.client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=http
        )
        if settings.twilio_api_base:
            self.client.api.base_url = settings.twilio_api_base.rstrip("/")

    def delete(self, sid: str) -> None:
        from twilio.base.exceptions import TwilioRestException

        try:
            deleted = self.client.recordings(sid).delete()
        except TwilioRestException as exc:
            if exc.status == 404:  # deleted earlier (by hand, or a run that died afterwards)
                return
            raise RecordingDeleteError(f"Twilio HTTP {exc.status} code {exc.code}") from exc
        except Exception as exc:  # timeouts, refused connections: nothing is known
            raise RecordingDeleteError(type(exc).__name__) from exc
        if not deleted:
            raise RecordingDeleteError("Twilio did not confirm the deletion")


class NoTwilio:
    """Twilio is not configured: every Twilio recording stays, reported as not deleted."""

    def delete(self, sid: str) -> None:
        raise RecordingDeleteError("Twilio is not configured (IVR_TWILIO_ACCOUNT_SID/AUTH_TOKEN)")


def default_deleter(settings: Settings) -> RecordingDeleter:
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioRecordings(settings)
    return NoTwilio()
