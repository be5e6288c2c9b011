"""Twilio Media Streams messages in and out."""

from __future__ import annotations

import base64
import json

import pytest

from app.telephony import stream_protocol as proto


def test_parses_each_twilio_message() -> None:
    start = proto.parse(
        json.dumps(
            {
                "event": "start",
                "streamSid": "MZ1",
                "start": {"streamSid": "MZ1", "callSid": "CA1", "customParameters": {"From": "+1"}},
            }
        )
    )
    assert start == proto.Start("MZ1", "CA1", {"From": "+1"})
    assert proto.parse('{"event":"connected","protocol":"Call"}') == proto.Connected("Call")
    assert proto.parse('{"event":"media","media":{"payload":"AA==","track":"inbound"}}') == (
        proto.Media("AA==", "inbound")
    )
    assert proto.parse('{"event":"dtmf","dtmf":{"digit":"#"}}') == proto.Dtmf("#")
    assert proto.parse('{"event":"mark","mark":{"name":"3:0"}}') == proto.Mark("3:0")
    assert proto.parse('{"event":"stop","stop":{"callSid":"CA1"}}') == proto.Stop("CA1")
    assert proto.parse('{"event":"something-new"}') == proto.Other("something-new")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"event": 5}', "no 'event'"),
        ('{"event": "start"}', "no 'start' object"),
        ('{"event": "start", "start": {"streamSid": "MZ"}}', "callSid"),
        ('{"event": "dtmf", "dtmf": {"digit": "x"}}', "not a key"),
        ('{"event": "mark", "mark": {}}', "name"),
        (
            '{"event": "start", "start": {"streamSid": "a", "callSid": "b", '
            '"customParameters": [1]}}',
            "customParameters",
        ),
    ],
)
def test_malformed_frames_raise_a_clear_error(frame: str, message: str) -> None:
    with pytest.raises(proto.StreamProtocolError, match=message):
        proto.parse(frame)


def test_oversized_frame_is_refused() -> None:
    with pytest.raises(proto.StreamProtocolError, match="too large"):
        proto.parse("x" * (proto.MAX_MESSAGE_CHARS + 1))


def test_outgoing_messages() -> None:
    media = json.loads(proto.media_message("MZ1", b"\xff\x7f"))
    assert media == {"event": "media", "streamSid": "MZ1", "media": {"payload": "/38="}}
    assert base64.b64decode(media["media"]["payload"]) == b"\xff\x7f"
    assert json.loads(proto.mark_message("MZ1", "2:1")) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "2:1"},
    }
    assert json.loads(proto.clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}


def test_audio_is_cut_into_20_ms_frames() -> None:
    chunks = proto.frames(b"\x00" * 400)
    assert [len(c) for c in chunks] == [160, 160, 80]
