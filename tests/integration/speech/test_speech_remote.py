"""The remote recogniser against a small Vosk-WebSocket-protocol server on 127.0.0.1
that wraps the real Vosk model (the same protocol as alphacep's vosk-server)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
import vosk
from speech_test_audio import PHRASES, phone_audio, to_payloads
from websockets.asyncio.server import ServerConnection, serve

from app.speech.audio import resample
from app.speech.listen import Listener
from app.speech.recognizer import SpeechModel
from app.speech.remote import RemoteRecognizer, RemoteRecognizerError
from app.speech.service import load_speech

pytestmark = pytest.mark.vosk


def vosk_server(model: SpeechModel) -> Callable[[ServerConnection], Awaitable[None]]:
    async def handler(ws: ServerConnection) -> None:
        loop = asyncio.get_running_loop()
        rec = None
        async for message in ws:
            if isinstance(message, str):
                data = json.loads(message)
                if "config" in data:
                    cfg = data["config"]
                    args = [model.vosk_model, float(cfg.get("sample_rate", 16000))]
                    if "phrase_list" in cfg:
                        args.append(json.dumps(cfg["phrase_list"], ensure_ascii=False))
                    rec = vosk.KaldiRecognizer(*args)
                    rec.SetWords(bool(cfg.get("words")))
                    continue
                if data.get("eof") and rec is not None:
                    await ws.send(rec.FinalResult())
                    await ws.close()
                    return
            elif rec is not None:
                done = await loop.run_in_executor(None, rec.AcceptWaveform, message)
                await ws.send(rec.Result() if done else rec.PartialResult())

    return handler


async def recognise_remote(url: str, text: str) -> tuple[str, list[str], str]:
    audio8 = phone_audio(0.5, text, 2.0)
    async with RemoteRecognizer(url, PHRASES) as remote:
        listener = Listener(remote)
        partials = []
        for payload in to_payloads(audio8):
            update = await listener.feed_payload(payload)
            partials.append(update.partial)
            if update.done:
                break
            await asyncio.sleep(0.001)  # frames arrive apart; decoding goes on meanwhile
        outcome = await listener.finish()
    return outcome.result.text, partials, outcome.event


def test_remote_recogniser_matches_local(model: SpeechModel) -> None:
    async def go() -> tuple[str, list[str], str, float]:
        async with serve(vosk_server(model), "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            text, partials, event = await recognise_remote(f"ws://127.0.0.1:{port}", "병원 예약")
            words_conf = 0.0
            async with RemoteRecognizer(f"ws://127.0.0.1:{port}", PHRASES) as rec:
                pcm = resample(phone_audio(0.3, "오늘", 0.5), 8000, 16000).tobytes()
                await rec.accept(pcm)
                final = await rec.final()
                words_conf = final.confidence
            return text, partials, event, words_conf

    text, partials, event, conf = asyncio.run(go())
    assert text == "병원 예약" and event == "speech_end"
    assert any(partials)
    assert 0 < conf <= 1


def test_remote_via_speech_service(model: SpeechModel) -> None:
    async def go() -> str:
        async with serve(vosk_server(model), "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            speech = load_speech(remote_url=f"ws://127.0.0.1:{port}")
            assert speech.available and "remote" in speech.status
            rec = await speech.recognizer(PHRASES)
            assert rec is not None
            await rec.accept(resample(phone_audio(0.3, "아니요", 0.5), 8000, 16000).tobytes())
            return (await rec.final()).text

    assert asyncio.run(go()) == "아니요"


def test_unreachable_remote_server_is_a_clear_error() -> None:
    async def go() -> None:
        await RemoteRecognizer("ws://127.0.0.1:9", PHRASES, timeout=2).connect()

    with pytest.raises(RemoteRecognizerError, match="cannot reach"):
        asyncio.run(go())


def test_server_dropping_the_connection_is_a_clear_error() -> None:
    async def rude(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.close()

    async def go() -> None:
        async with serve(rude, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            rec = await RemoteRecognizer(f"ws://127.0.0.1:{port}").connect()
            await asyncio.sleep(0.05)
            await rec.accept(b"\0\0" * 160)

    with pytest.raises(RemoteRecognizerError):
        asyncio.run(go())
