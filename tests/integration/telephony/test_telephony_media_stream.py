"""The Media Streams WebSocket over a real socket, playing Twilio's part: connected,
start, dtmf, mark echoes, stop. Prompts come back as media frames + marks, keys pressed
during a prompt clear it, and the call is persisted like any other."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import websockets
from telephony_harness import CALLER, HOTLINE, PUBLIC_BASE, Hotline, register_caller
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.taxi.enums import RideStatus
from app.telephony import stream_token

SID = "CA" + "fedcba9876543210" * 2
STREAM = "MZ" + "0" * 32


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


async def open_stream(hotline: Hotline, *, signed: bool = True) -> ClientConnection:
    headers = {}
    if signed:
        headers["X-Twilio-Signature"] = hotline.sign(
            "/twilio/media", {}, base=PUBLIC_BASE.replace("https://", "wss://")
        )
    return await connect(hotline.ws_base + "/twilio/media", additional_headers=headers)


async def send(ws: ClientConnection, event: str, **body: Any) -> None:
    await ws.send(json.dumps({"event": event, "streamSid": STREAM, **body}))


def stream_parameters(hotline: Hotline, sid: str = SID) -> dict[str, str]:
    """What Twilio passes to the stream: the <Parameter>s of the signed TwiML webhook's
    <Connect><Stream> (From, To and the per-call token)."""
    twiml = hotline.post("/twilio/voice/stream", {"CallSid": sid, "From": CALLER, "To": HOTLINE})
    stream = ET.fromstring(twiml.text).find("Connect/Stream")
    assert stream is not None
    return {p.attrib["name"]: p.attrib["value"] for p in stream.iter("Parameter")}


async def begin(
    ws: ClientConnection,
    hotline: Hotline,
    *,
    sid: str = SID,
    parameters: dict[str, str] | None = None,
) -> None:
    """`connected` and `start` as Twilio sends them after reading the call's TwiML."""
    if parameters is None:
        parameters = stream_parameters(hotline, sid)
    await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
    await send(
        ws,
        "start",
        sequenceNumber="1",
        start={
            "streamSid": STREAM,
            "callSid": sid,
            "accountSid": "AC" + "1" * 32,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": parameters,
        },
    )


async def prompt(
    ws: ClientConnection, quiet_s: float = 0.4
) -> tuple[int, list[str], list[dict[str, Any]]]:
    """Read one step's prompts, until the server has been quiet for `quiet_s`:
    (media frames, mark names, everything received)."""
    frames, names, seen = 0, [], []
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), 10 if not names else quiet_s)
        except TimeoutError:
            return frames, names, seen
        message = json.loads(raw)
        seen.append(message)
        if message["event"] == "media":
            assert message["streamSid"] == STREAM
            assert len(base64.b64decode(message["media"]["payload"])) <= 160
            frames += 1
        elif message["event"] == "mark":
            names.append(message["mark"]["name"])


async def echo(ws: ClientConnection, names: list[str]) -> None:
    for name in names:
        await send(ws, "mark", mark={"name": name})


async def press(ws: ClientConnection, digit: str) -> None:
    await send(ws, "dtmf", dtmf={"track": "inbound_track", "digit": digit})


async def closed(ws: ClientConnection, within: float = 5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), within)
    except ConnectionClosed:
        return True
    return False


def test_call_by_keys_over_the_media_stream_is_played_and_persisted(hotline: Hotline) -> None:
    register_caller(hotline.db)

    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        frames, names, _ = await prompt(ws)  # greeting by name + menu
        assert frames > 0 and names and all(n.startswith("1:") for n in names)
        await echo(ws, names)
        await press(ws, "1")
        _, names, _ = await prompt(ws)  # confirm pickup at home
        await echo(ws, names)
        await press(ws, "1")
        _, names, _ = await prompt(ws)  # the goodbye, then hang up
        # The bot waits for the goodbye to be heard before closing the stream.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.5)
        await echo(ws, names)
        assert await closed(ws)

    run(call())
    assert hotline.rides() == [(RideStatus.QUEUED, SID)]
    assert hotline.steps(SID) == ["start", "step:1:keys", "step:2:keys"]
    assert hotline.call_status(SID) == "completed"
    after = hotline.post(
        "/twilio/voice/stream/ended", {"CallSid": SID, "CallStatus": "in-progress"}
    )
    assert ET.fromstring(after.text).find("Hangup") is not None


def test_key_pressed_during_a_prompt_clears_it_first(hotline: Hotline) -> None:
    register_caller(hotline.db)

    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        await prompt(ws)  # not echoed: still "playing"
        await press(ws, "1")
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert first == {"event": "clear", "streamSid": STREAM}
        frames, names, _ = await prompt(ws)
        assert frames > 0 and names and all(n.startswith("2:") for n in names)
        await ws.close()

    run(call())
    assert hotline.steps(SID)[:2] == ["start", "step:1:keys"]


def test_stop_mid_flow_hangs_up_and_marks_the_draft_ride(hotline: Hotline) -> None:
    register_caller(hotline.db)

    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await press(ws, "1")
        await prompt(ws)
        await send(ws, "stop", stop={"accountSid": "AC" + "1" * 32, "callSid": SID})
        assert await closed(ws)

    run(call())
    assert hotline.rides() == [(RideStatus.CALLER_HUNG_UP, SID)]
    assert hotline.call_status(SID) == "caller_hung_up"
    assert hotline.steps(SID)[-1] == "hangup"


def test_socket_closed_without_stop_still_hangs_up(hotline: Hotline) -> None:
    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        await prompt(ws)
        await ws.close()

    run(call())
    for _ in range(50):  # the server notices the close asynchronously
        if hotline.call_status(SID) == "caller_hung_up":
            break
        asyncio.run(asyncio.sleep(0.05))
    assert hotline.call_status(SID) == "caller_hung_up"


def test_garbage_frames_are_ignored_and_the_call_goes_on(hotline: Hotline) -> None:
    async def call() -> None:
        ws = await open_stream(hotline)
        await ws.send("this is not json")
        await ws.send(json.dumps({"event": 5}))
        await ws.send(json.dumps({"event": "dtmf", "dtmf": {"digit": "x"}}))
        await ws.send(b"\x00\xff binary")
        await begin(ws, hotline)
        await ws.send("{broken")
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await send(ws, "media", media={"track": "inbound", "payload": "//8="})
        await press(ws, "0")  # a person
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        assert await closed(ws)

    run(call())
    assert hotline.call_status(SID) == "transferred"
    after = hotline.post("/twilio/voice/stream/ended", {"CallSid": SID})
    assert ET.fromstring(after.text).find("Enqueue") is not None


def test_unsigned_media_stream_is_refused(hotline: Hotline) -> None:
    async def call() -> None:
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            await open_stream(hotline, signed=False)
        assert refused.value.response.status_code == 403

    run(call())
    assert hotline.calls() == 0


def _forged(hotline: Hotline, case: str) -> dict[str, str]:
    """Stream parameters an attacker could bring, holding one observed signed handshake."""
    genuine = stream_parameters(hotline)
    if case == "no token":
        return {"From": CALLER, "To": HOTLINE}
    if case == "another caller's number":
        return {**genuine, "From": "+8613900000000"}
    if case == "another call's token":
        return stream_parameters(hotline, sid="CA" + "1" * 32)
    if case == "expired token":
        old = stream_token.issue(
            hotline.settings.secret_key, SID, CALLER, HOTLINE, now=time.time() - 120
        )
        return {**genuine, "token": old}
    return {**genuine, "token": genuine["token"][:-2] + "xx"}  # tampered


@pytest.mark.parametrize(
    "case",
    ["no token", "another caller's number", "another call's token", "expired token", "tampered"],
)
def test_a_start_without_this_calls_token_opens_no_call(hotline: Hotline, case: str) -> None:
    """The handshake signature covers only the fixed URL; the per-call token from the
    call's own TwiML is what binds a stream to a call and its numbers."""
    register_caller(hotline.db)
    parameters = _forged(hotline, case)

    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline, parameters=parameters)
        assert await closed(ws)

    run(call())
    assert hotline.calls() == 0


def test_a_token_opens_one_stream_only(hotline: Hotline) -> None:
    parameters = stream_parameters(hotline)

    async def call() -> None:
        first = await open_stream(hotline)
        await begin(first, hotline, parameters=parameters)
        frames, _, _ = await prompt(first)
        assert frames > 0  # the greeting plays on the genuine stream
        second = await open_stream(hotline)
        await begin(second, hotline, parameters=parameters)
        assert await closed(second)
        await first.close()

    run(call())
    assert hotline.calls() == 1
