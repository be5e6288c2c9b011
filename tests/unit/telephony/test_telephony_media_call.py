"""The media-stream call loop with a fake socket and a fake engine: silence after the
prompt, digits collected up to `#`, and the goodbye played to its mark before closing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.callflow.messages import Hangup, Listen, Say
from app.calls.service import StepResult
from app.telephony import stream_token
from app.telephony.media import MediaCall
from app.telephony.prompt_audio import PlaceholderToneAudio
from app.telephony.stream_token import StreamTokens

AUDIO = PlaceholderToneAudio(seconds_scale=0.01)
SECRET = "k" * 40


class FakeSocket:
    def __init__(self) -> None:
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.closed = False

    def feed(self, **message: Any) -> None:
        self.incoming.put_nowait({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self) -> dict[str, Any]:
        return await self.incoming.get()

    async def send_text(self, text: str) -> None:
        message = json.loads(text)
        self.sent.append(message)
        if message["event"] == "mark":  # Twilio echoes marks once played
            self.feed(event="mark", mark=message["mark"])

    async def close(self, code: int = 1000) -> None:
        self.closed = True
        self.incoming.put_nowait({"type": "websocket.disconnect"})


class FakeService:
    """Step 1 asks for an 18-digit number; anything else says goodbye and hangs up."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def handle(self, *, call_id: str, event: Any, event_key: str, channel: Any) -> StepResult:
        self.events.append((event_key, event))
        if event_key == "start":
            listen = Listen(expect="id", max_digits=18, finish_on_key="#", timeout_s=1)
            return StepResult([Say("请输入号码。"), listen], 1, False)
        return StepResult([Say("再见。"), Hangup()], len(self.events), True)


def start(socket: FakeSocket) -> None:
    socket.feed(event="connected")
    token = stream_token.issue(SECRET, "CA1", "", "")
    socket.feed(
        event="start",
        start={"streamSid": "MZ1", "callSid": "CA1", "customParameters": {"token": token}},
    )


def run_call(socket: FakeSocket, service: FakeService) -> None:
    call = MediaCall(socket, service, AUDIO, StreamTokens(SECRET))  # type: ignore[arg-type]
    asyncio.run(asyncio.wait_for(call.run(), 10))


def test_no_key_after_the_prompt_is_silence() -> None:
    socket, service = FakeSocket(), FakeService()
    start(socket)
    run_call(socket, service)
    assert [key for key, _ in service.events] == ["start", "step:1:silence"]
    assert socket.closed


def test_digits_are_collected_until_hash() -> None:
    async def scenario() -> tuple[FakeSocket, FakeService]:
        socket, service = FakeSocket(), FakeService()
        start(socket)
        for digit in "53010219450101123*#":
            socket.feed(event="dtmf", dtmf={"digit": digit})
        call = MediaCall(socket, service, AUDIO, StreamTokens(SECRET))  # type: ignore[arg-type]
        await call.run()
        return socket, service

    socket, service = asyncio.run(asyncio.wait_for(scenario(), 10))
    keys = [(key, getattr(event, "digits", None)) for key, event in service.events]
    assert keys[1] == ("step:1:keys", "53010219450101123*")
    # Only the first prompt was cleared (barge-in); the goodbye played to its mark.
    events = [m["event"] for m in socket.sent]
    assert events.count("clear") == 1
    assert events.index("clear") < events.index("mark", events.index("clear"))
    assert socket.sent[-1] == {"event": "mark", "streamSid": "MZ1", "mark": {"name": "2:0"}}
    assert socket.closed


class HungUpSocket(FakeSocket):
    """Twilio closed the stream (the caller hung up) while the prompt was being sent."""

    async def send_text(self, text: str) -> None:
        from starlette.websockets import WebSocketDisconnect

        raise WebSocketDisconnect(code=1006)


def test_a_caller_gone_while_the_prompt_is_sent_is_a_hang_up_not_an_error(caplog: Any) -> None:
    socket, service = HungUpSocket(), FakeService()
    start(socket)
    with caplog.at_level("INFO", logger="app.telephony.media"):
        run_call(socket, service)
    assert [key for key, _ in service.events] == ["start", "hangup"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
