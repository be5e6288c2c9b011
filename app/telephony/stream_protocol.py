"""Twilio Media Streams messages: parse what Twilio sends, build what we send back.

Incoming (JSON text frames): `connected`, `start` (callSid, streamSid, customParameters),
`media` (base64 mu-law 8 kHz, 20 ms), `dtmf`, `mark` (echo of ours, once played), `stop`.
Outgoing: `media` (our audio), `mark` (tell me when playback reaches here), `clear` (drop
audio not yet played: barge-in). Nothing outside this module knows the JSON shapes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
MAX_MESSAGE_CHARS = 64_000


class StreamProtocolError(ValueError):
    """A frame that is not a Twilio Media Streams message."""


@dataclass(frozen=True)
class Connected:
    protocol: str = ""


@dataclass(frozen=True)
class Start:
    stream_sid: str
    call_sid: str
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    payload: str
    track: str = "inbound"


@dataclass(frozen=True)
class Dtmf:
    digit: str


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class Stop:
    call_sid: str = ""


@dataclass(frozen=True)
class Other:
    """A well-formed message of a kind we do not use (ignored, not an error)."""

    event: str


StreamMessage = Connected | Start | Media | Dtmf | Mark | Stop | Other


def parse(text: str | bytes) -> StreamMessage:
    """One WebSocket frame -> one message; StreamProtocolError says what is wrong."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise StreamProtocolError(f"frame too large ({len(text)} characters)")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StreamProtocolError(f"frame is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StreamProtocolError("frame is not a JSON object")
    event = data.get("event")
    if not isinstance(event, str):
        raise StreamProtocolError("frame has no 'event'")
    if event == "connected":
        return Connected(str(data.get("protocol", "")))
    if event == "start":
        start = _section(data, "start")
        params = start.get("customParameters") or {}
        if not isinstance(params, dict):
            raise StreamProtocolError("start.customParameters is not an object")
        return Start(
            stream_sid=_text(start, "streamSid", data.get("streamSid")),
            call_sid=_text(start, "callSid"),
            custom_parameters={str(k): str(v) for k, v in params.items()},
        )
    if event == "media":
        media = _section(data, "media")
        return Media(_text(media, "payload", allow_empty=True), str(media.get("track", "inbound")))
    if event == "dtmf":
        digit = _text(_section(data, "dtmf"), "digit")
        if len(digit) != 1 or digit not in "0123456789*#":
            raise StreamProtocolError(f"dtmf.digit {digit!r} is not a key")
        return Dtmf(digit)
    if event == "mark":
        return Mark(_text(_section(data, "mark"), "name"))
    if event == "stop":
        stop = data.get("stop")
        return Stop(str(stop.get("callSid", "")) if isinstance(stop, dict) else "")
    return Other(event)


def media_message(stream_sid: str, audio: bytes) -> str:
    payload = base64.b64encode(audio).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


def frames(audio: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    """Cut mu-law audio into 20 ms frames (the last one may be shorter)."""
    return [audio[i : i + size] for i in range(0, len(audio), size)]


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise StreamProtocolError(f"'{data.get('event')}' frame has no '{name}' object")
    return section


def _text(
    section: dict[str, Any], name: str, default: Any = None, *, allow_empty: bool = False
) -> str:
    value = section.get(name, default)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise StreamProtocolError(f"missing or invalid '{name}'")
    return value
