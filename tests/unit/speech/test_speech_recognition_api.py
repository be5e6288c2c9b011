"""Unit tests for the recognition API without audio models: grammar building, results,
keypad-only start-up, and the Listener driven by a fake recogniser."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from app.speech.audio import encode_twilio_payload
from app.speech.listen import MAX_BAD_FRAMES, Listener
from app.speech.recognizer import (
    AsyncRecognizer,
    RecognitionResult,
    ScriptedRecognizer,
    WordConfidence,
    build_grammar,
    join_results,
    parse_vosk_result,
    segment_phrase,
)
from app.speech.service import load_speech
from app.speech.vad import EndpointConfig

VOCAB = {"我", "要", "挂号", "医院", "打车", "是", "不是", "对", "[unk]", "yes", "no"}


def has_word(word: str) -> bool:
    return word in VOCAB


def test_segment_chinese_phrase_by_vocabulary() -> None:
    assert segment_phrase("我要挂号", has_word) == ["我", "要", "挂号"]
    assert segment_phrase("我要 打车", has_word) == ["我", "要", "打车"]
    assert segment_phrase("不是", has_word) == ["不是"]
    assert segment_phrase("yes no", has_word) == ["yes", "no"]


def test_grammar_reports_missing_words_instead_of_dropping_them() -> None:
    grammar, report = build_grammar(["我要挂号", "不是", "我要叫车", "maybe"], has_word)
    assert json.loads(grammar) == ["我 要 挂号", "不是", "[unk]"]
    assert report.missing == ["叫", "车", "maybe"]
    assert report.dropped_phrases == ["我要叫车", "maybe"]
    assert not report.ok


def test_grammar_without_unk_in_model() -> None:
    grammar, report = build_grammar(["yes"], lambda w: w == "yes")
    assert json.loads(grammar) == ["yes"] and not report.has_unk and report.ok


def test_parse_and_join_vosk_results() -> None:
    raw = json.dumps(
        {
            "result": [
                {"word": "我", "conf": 0.9, "start": 0.1, "end": 0.3},
                {"word": "挂号", "conf": 0.55, "start": 0.3, "end": 0.8},
            ],
            "text": "我 挂号",
        }
    )
    r = parse_vosk_result(raw)
    assert r.text == "我 挂号" and r.confidence == pytest.approx(0.55)
    assert r.needs_confirmation() and not r.needs_confirmation(threshold=0.5)
    joined = join_results([r, parse_vosk_result('{"text": ""}'), parse_vosk_result(raw)], "x")
    assert joined.text == "我 挂号 我 挂号" and len(joined.words) == 4 and joined.reason == "x"


def test_empty_and_unknown_results_need_confirmation() -> None:
    empty = RecognitionResult.nothing("silence")
    assert empty.is_empty and empty.confidence == 0 and empty.needs_confirmation()
    unk = RecognitionResult("[unk]", (WordConfidence("[unk]", 1.0),))
    assert unk.has_unknown and unk.needs_confirmation()


def test_keypad_only_when_model_missing(tmp_path) -> None:
    speech = load_speech(model_name="vosk-model-small-cn-0.22")
    assert speech.keypad_only and speech.model is None
    assert speech.status.startswith("keypad-only: no model at")
    assert "vosk-model-small-cn-0.22" in speech.status
    assert asyncio.run(speech.recognizer(["是"])) is None
    assert load_speech(tmp_path, "anything").status.startswith("keypad-only: no model manifest")
    assert "unknown model" in load_speech(model_name="nope").status


def test_keypad_only_when_model_is_broken(tmp_path) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps({"models": [{"name": "m", "url": "x", "sample_rate": 16000, "grammar": True}]})
    )
    for rel in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst"):
        (tmp_path / "m" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "m" / rel).write_bytes(b"garbage")
    speech = load_speech(tmp_path, "m")
    assert speech.keypad_only and "failed to load" in speech.status


def test_scripted_recognizer_satisfies_protocol() -> None:
    rec = ScriptedRecognizer(["是", RecognitionResult.nothing("silence")])
    assert isinstance(rec, AsyncRecognizer)

    async def go() -> list[str]:
        await rec.accept(b"\0\0")
        return [(await rec.final()).text, (await rec.final()).text, (await rec.final()).reason]

    assert asyncio.run(go()) == ["是", "", "script exhausted"]


def tone(seconds: float, rate: int = 8000) -> np.ndarray:
    n = np.arange(int(rate * seconds))
    return (6000 * np.sin(2 * np.pi * 300 * n / rate)).astype(np.int16)


async def feed(listener: Listener, samples: np.ndarray) -> list[bool]:
    starts = []
    for i in range(0, len(samples), 160):
        update = await listener.feed_payload(encode_twilio_payload(samples[i : i + 160]))
        starts.append(update.speech_started)
        if update.done:
            break
    return starts


def test_listener_with_fake_recognizer_reports_speech_and_result() -> None:
    async def go() -> tuple[list[bool], object]:
        rec = ScriptedRecognizer(["我 要 挂号"])
        listener = Listener(rec)
        audio = np.concatenate([np.zeros(4000, np.int16), tone(1.0), np.zeros(16000, np.int16)])
        starts = await feed(listener, audio)
        assert listener.done
        outcome = await listener.finish()
        assert rec.audio_bytes > 0  # decoded beside the detection, all of it by `finish`
        return starts, outcome

    starts, outcome = asyncio.run(go())
    assert starts.count(True) == 1
    assert outcome.event == "speech_end" and outcome.result.text == "我 要 挂号"  # type: ignore[attr-defined]
    assert outcome.speech_seconds == pytest.approx(1.0, abs=0.1)  # type: ignore[attr-defined]


def test_listener_decodes_the_answer_with_its_pre_roll_not_the_line_before_it() -> None:
    """A turn listens while its prompt plays: the 3 s of line before the answer are not
    decoded (only the last PRE_ROLL_S of it), and a turn with no speech decodes nothing."""

    async def go() -> tuple[int, int, str]:
        rec = ScriptedRecognizer(["我 要 挂号"])
        listener = Listener(rec)
        line = np.zeros(3 * 8000, np.int16)
        await feed(listener, np.concatenate([line, tone(1.0), np.zeros(16000, np.int16)]))
        text = (await listener.finish()).result.text
        quiet = ScriptedRecognizer(["noise guess"])
        silent = Listener(quiet, EndpointConfig(no_input_timeout=2))
        await feed(silent, line)
        await silent.finish()
        return rec.audio_bytes, quiet.audio_bytes, text

    decoded, decoded_silent, text = asyncio.run(go())
    seconds = decoded / 2 / 16000  # 16-bit at the model's 16 kHz
    assert text == "我 要 挂号"
    # pre-roll 0.5 s + the tone 1 s + the 1.2 s pause that ends it (+ filter tail)
    assert 2.6 < seconds < 2.9, seconds
    assert decoded_silent == 0


def test_listener_finds_the_end_of_speech_while_decoding_lags_behind() -> None:
    """A busy thread pool (30 ms per decode) does not hold up the detection: frames keep
    being read as they come, the waiting audio goes to the recogniser in larger pieces,
    and all of it is decoded by `finish`."""

    class SlowRecognizer(ScriptedRecognizer):
        accepts = 0

        async def accept(self, pcm: bytes) -> str:
            self.accepts += 1
            await asyncio.sleep(0.03)
            return await super().accept(pcm)

    async def go() -> tuple[float, int, int, str]:
        rec = SlowRecognizer(["是"])
        listener = Listener(rec)
        audio = np.concatenate([np.zeros(2400, np.int16), tone(0.6), np.zeros(10400, np.int16)])
        loop = asyncio.get_running_loop()
        started = loop.time()
        for i in range(0, len(audio), 160):
            update = await listener.feed_payload(encode_twilio_payload(audio[i : i + 160]))
            if update.done:
                break
            await asyncio.sleep(0.002)  # the next frame arrives
        detected = loop.time() - started
        text = (await listener.finish()).result.text
        return detected, rec.accepts, rec.audio_bytes, text

    detected, accepts, decoded, text = asyncio.run(go())
    assert detected < 1.0 and text == "是"  # decoding each frame in step took ~3 s
    assert accepts < 40  # ~95 frames were to be decoded, one trip each before
    assert decoded / 2 / 16000 > 0.6 + 1.2  # the answer and its pause, all decoded


def test_listener_silence_is_nothing_recognised_even_if_decoder_guesses() -> None:
    async def go():  # type: ignore[no-untyped-def]
        listener = Listener(ScriptedRecognizer(["noise guess"]), EndpointConfig(no_input_timeout=1))
        await feed(listener, np.zeros(16000, np.int16))
        return await listener.finish()

    outcome = asyncio.run(go())
    assert outcome.event == "no_input" and outcome.result.is_empty and not outcome.recognised


def test_listener_skips_garbage_frames_and_gives_up_on_a_garbage_stream() -> None:
    async def go():  # type: ignore[no-untyped-def]
        listener = Listener(ScriptedRecognizer(["是"]))
        for bad in ["%%%", "abc", "ÿ"]:
            update = await listener.feed_payload(bad)
            assert not update.done
        await feed(listener, np.concatenate([tone(0.5), np.zeros(12000, np.int16)]))
        first = await listener.finish()
        flood = Listener(ScriptedRecognizer([]))
        for _ in range(MAX_BAD_FRAMES):
            update = await flood.feed_payload("!!")
        return first, update, await flood.finish()

    first, update, flooded = asyncio.run(go())
    assert first.result.text == "是" and first.bad_frames == 3
    assert update.done and flooded.event == "bad_audio" and flooded.result.is_empty


def test_listener_finish_early_on_hangup() -> None:
    async def go():  # type: ignore[no-untyped-def]
        listener = Listener(ScriptedRecognizer(["是"]))
        await feed(listener, tone(0.5))
        return await listener.finish("hangup")

    outcome = asyncio.run(go())
    assert outcome.event == "hangup" and outcome.result.text == "是"
