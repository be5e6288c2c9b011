"""The Twilio sender: SMS through Messages.json, voice calls through Calls.json.

Uses the real `twilio.rest.Client`. `settings.twilio_api_base` (tests: a fake Twilio on
loopback) replaces the `api` domain's base URL (`client.api.base_url`), which is what
every `/2010-04-01/Accounts/...` request is built from.

Errors are classified for the worker: a 4xx other than 429 is permanent; 429, 5xx,
timeouts and connection errors are transient, and transient errors after which Twilio may
still have created the message are flagged `ambiguous` (see messages.TransientSendError).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse
from urllib3.exceptions import NewConnectionError

from app.callflow.voice import LANGUAGE, NOTIFICATION_PROSODY_RATE, TWILIO_VOICE
from app.core.config import Settings
from app.notify.enums import OutboxKind
from app.notify.outgoing import Outgoing, PermanentSendError, SendError, TransientSendError

STATUS_CALLBACK_PATH = "/twilio/notify/status"
LOOKUP_SLACK = timedelta(minutes=5)
LOOKUP_LIMIT = 20

# twilio's HTTP client logs every request at INFO (list look-ups put the To number in the
# query string), so it gets a logger of its own that only passes warnings.
_http_logger = logging.getLogger("app.notify.twilio_http")
_http_logger.setLevel(logging.WARNING)


class Sender(Protocol):
    """What the worker needs from a provider."""

    def send(self, message: Outgoing) -> str:
        """Send now; return the provider's sid. Raises SendError subclasses."""
        ...

    def find_sent(self, message: Outgoing, exclude: set[str]) -> str | None:
        """The sid of this message if the provider already has it (ignoring `exclude`)."""
        ...


def call_twiml(text: str) -> str:
    """TwiML that reads `text` slowly in Mandarin, pauses, and reads it once more."""
    response = VoiceResponse()
    for index in range(2):
        if index:
            response.pause(length=1)
        say = response.say(voice=TWILIO_VOICE, language=LANGUAGE)
        say.prosody(text, rate=NOTIFICATION_PROSODY_RATE)
    return str(response)


def status_callback_url(settings: Settings, message_id: int) -> str:
    """Where Twilio posts delivery status; `ref` lets a callback find a message whose sid
    was never recorded (the worker stopped between Twilio's answer and the commit)."""
    return f"{settings.public_base_url.rstrip('/')}{STATUS_CALLBACK_PATH}?ref={message_id}"


def flow_call_machine_detection(message: Outgoing) -> str | None:
    """Twilio's `MachineDetection` for a `flow_call` whose body asks for it (Enable or
    DetectMessageEnd); None: no detection."""
    value = json.loads(message.body).get("machine_detection")
    return str(value) if value else None


def flow_call_urls(settings: Settings, message: Outgoing) -> tuple[str, str]:
    """A `flow_call` body names the paths Twilio fetches when the call is answered and
    posts its status to (e.g. the appointment reminder's); `ref` finds the outbox row."""
    paths = json.loads(message.body)
    base = settings.public_base_url.rstrip("/")
    joiner = "&" if "?" in paths["status"] else "?"
    return base + paths["answer"], f"{base}{paths['status']}{joiner}ref={message.id}"


class TwilioSender:
    """Sends outbox messages with the twilio client; one instance per worker thread."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise ValueError("IVR_TWILIO_ACCOUNT_SID and IVR_TWILIO_AUTH_TOKEN must be set")
        if not settings.twilio_from_number:
            raise ValueError("IVR_TWILIO_FROM_NUMBER must be set")
        self.settings = settings
        self.timeout = timeout
        http = TwilioHttpClient(timeout=timeout, logger=_http_logger)
        self.client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=http
        )
        if settings.twilio_api_base:
            self.client.api.base_url = settings.twilio_api_base.rstrip("/")

    def send(self, message: Outgoing) -> str:
        callback = status_callback_url(self.settings, message.id)
        sender = self.settings.twilio_from_number
        try:
            if message.kind == OutboxKind.SMS:
                sms = self.client.messages.create(
                    to=message.to_number,
                    from_=sender,
                    body=message.body,
                    status_callback=callback,
                )
                return str(sms.sid)
            if message.kind == OutboxKind.FLOW_CALL:
                answer, status = flow_call_urls(self.settings, message)
                detection = flow_call_machine_detection(message)
                extra = {"machine_detection": detection} if detection else {}
                call = self.client.calls.create(
                    to=message.to_number,
                    from_=sender,
                    url=answer,
                    method="POST",
                    status_callback=status,
                    status_callback_method="POST",
                    **extra,
                )
                return str(call.sid)
            call = self.client.calls.create(
                to=message.to_number,
                from_=sender,
                twiml=call_twiml(message.body),
                status_callback=callback,
            )
            return str(call.sid)
        except Exception as exc:
            raise classify(exc, "send") from exc

    def find_sent(self, message: Outgoing, exclude: set[str]) -> str | None:
        """Look for a message Twilio created for us since the row was written.

        SMS match on recipient, sender and body; calls (whose TwiML Twilio does not return)
        on recipient and sender only. Sids already recorded in the outbox are excluded.
        """
        since = message.created_at - LOOKUP_SLACK
        sender = self.settings.twilio_from_number
        try:
            if message.kind == OutboxKind.SMS:
                for sms in self.client.messages.list(
                    to=message.to_number, from_=sender, limit=LOOKUP_LIMIT
                ):
                    if (
                        sms.sid not in exclude
                        and sms.body == message.body
                        and (sms.date_created is None or sms.date_created >= since)
                    ):
                        return str(sms.sid)
                return None
            for call in self.client.calls.list(
                to=message.to_number, from_=sender, limit=LOOKUP_LIMIT
            ):
                if call.sid not in exclude and (
                    call.date_created is None or call.date_created >= since
                ):
                    return str(call.sid)
            return None
        except Exception as exc:
            raise classify(exc, "lookup") from exc


def classify(exc: BaseException, action: str = "send") -> SendError:
    """Map one exception from the twilio client to a permanent or transient error."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, TwilioRestException):
        text = f"{action}: Twilio HTTP {exc.status} code {exc.code}: {exc.msg}"
        if exc.status == 429 or exc.status >= 500:
            return TransientSendError(text, ambiguous=False)
        return PermanentSendError(text)
    if isinstance(exc, requests.ConnectTimeout) or _refused(exc):
        return TransientSendError(
            f"{action}: Twilio unreachable: {type(exc).__name__}", ambiguous=False
        )
    if isinstance(exc, requests.RequestException):
        return TransientSendError(
            f"{action}: no answer from Twilio ({type(exc).__name__}); outcome unknown",
            ambiguous=True,
        )
    return TransientSendError(f"{action}: {type(exc).__name__}: {exc}", ambiguous=True)


def _refused(exc: BaseException) -> bool:
    """True when the connection was never opened, so the request cannot have arrived."""
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)
