"""Reading Twilio webhook fields: anything Twilio could not have sent is refused early.

Each helper raises `WebhookRejected(400, ...)` with a message that names the field, so a
misconfigured webhook (wrong URL, a test tool posting JSON) is easy to diagnose and no
engine step is run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.datastructures import FormData

from app.telephony.signature import WebhookRejected

_SID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^[0-9*#]{0,64}$")
_STEP = re.compile(r"^[0-9]{1,6}$")
MAX_STEP = 100_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def call_sid(form: FormData | Mapping[str, str]) -> str:
    value = text(form, "CallSid")
    if not value:
        raise WebhookRejected(400, "malformed Twilio webhook: CallSid is missing")
    if not _SID.match(value):
        raise WebhookRejected(400, "malformed Twilio webhook: CallSid is not a call id")
    return value


def optional_number(form: FormData | Mapping[str, str], name: str) -> str | None:
    value = text(form, name).strip()
    if len(value) > 64:
        raise WebhookRejected(400, f"malformed Twilio webhook: {name} is too long")
    return value or None


def digits(form: FormData | Mapping[str, str]) -> str:
    value = text(form, "Digits").strip()
    if not _DIGITS.match(value):
        raise WebhookRejected(400, "malformed Twilio webhook: Digits must be 0-9, * or #")
    return value


def step_number(raw: str | None) -> int | None:
    """The step a Gather answers. Digits of another script (`²`, `٣`) are no step this
    service ever served: None, answered as a stale step (the latest prompt again)."""
    if raw is not None and raw.isdigit() and not raw.isascii():
        return None
    if raw is None or not _STEP.match(raw) or int(raw) > MAX_STEP:
        raise WebhookRejected(400, "malformed Twilio webhook: ?step= must be a step number")
    return int(raw)


def text(form: FormData | Mapping[str, str], name: str) -> str:
    """A field as text; a control character (NUL, ESC, ... but tab and newlines) is refused:
    Twilio sends none, PostgreSQL stores no NUL, and TwiML (XML) can carry none back."""
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WebhookRejected(400, f"malformed Twilio webhook: {name} must be text, not a file")
    if _CONTROL.search(value):
        raise WebhookRejected(400, f"malformed Twilio webhook: {name} holds control characters")
    return value
