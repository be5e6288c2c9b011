"""One listening turn on a media stream: the caller's audio in, a Speech or Silence out.

`StreamTurn` is opened by `media.py` when a step ends with a `Listen` that accepts speech
(and a recogniser is available) or that asks for a recording (`Listen.record`), even
keypad-only. Every inbound `media` payload is decoded once (8 kHz int16) and
- fed to a `Listener` (end of speech + Vosk, decoding in the model's thread pool), or,
  without a recogniser, to a bare `Endpointer`, so the end of a recorded answer is
  still found;
- kept, for record states, so the caller's own words can be written as a WAV file
  (`save_recording`) and given to the engine as `Speech.recording_url`.
Audio arriving while the prompt still plays counts (barge-in): `feed` returns True on
the frame where speech starts. Timings suit older callers: 1.2 s pause ends an answer,
15 s at most, and no answer within the Listen's timeout (after the prompt) is no input.
"""

from __future__ import annotations

import logging
import os
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.callflow.messages import Listen
from app.core.db import PRIVATE_FILE_MODE, make_private_dir
from app.speech.audio import TWILIO_RATE, AudioError, decode_twilio_payload, pcm_to_bytes
from app.speech.listen import Listener
from app.speech.recognizer import AsyncRecognizer
from app.speech.service import Speech
from app.speech.vad import EndpointConfig, Endpointer, EndpointEvent
from app.understanding.phrases import phrase_list

logger = logging.getLogger(__name__)

MAX_PAUSE_S = 1.2  # older callers pause inside an answer
MAX_UTTERANCE_S = 15.0
MAX_BAD_FRAMES = 50  # malformed payloads in one turn before it ends as "bad_audio"
MAX_RECORDING_S = 60.0  # audio kept for a recording, from the start of the turn
PRE_ROLL_S = 0.3  # kept before the detected start of speech (soft first syllables)
FULL_VOCABULARY = ("free_text", "keys")  # expects recognised without a phrase list
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


def speech_wanted(listen: Listen, speech: Speech | None) -> bool:
    """Whether this Listen should be answered by voice (a recogniser is available)."""
    return listen.input in ("speech", "both") and speech is not None and speech.available


def phrases_for(listen: Listen) -> list[str] | None:
    """The Vosk phrase list for the question; None means the full vocabulary."""
    if listen.expect in FULL_VOCABULARY:
        return None
    try:
        return phrase_list(listen.expect)
    except Exception:  # an unknown kind: better the full vocabulary than no recognition
        logger.warning("no phrase list for expect %r; using the full vocabulary", listen.expect)
        return None


@dataclass(frozen=True)
class TurnOutcome:
    """How a turn ended: `event` as in `ListenOutcome`, the text (may be empty), whether
    speech was heard at all, and the recorded answer (8 kHz int16) for record states."""

    event: str
    text: str = ""
    confidence: float = 0.0
    heard: bool = False
    audio: np.ndarray | None = None


class StreamTurn:
    """Listening for one answer; `feed` every inbound payload, then `finish` once."""

    def __init__(
        self, config: EndpointConfig, recognizer: AsyncRecognizer | None, *, record: bool
    ) -> None:
        self.recognizer = recognizer
        self.listener = Listener(recognizer, config) if recognizer is not None else None
        self.endpointer = self.listener.endpointer if self.listener else Endpointer(config)
        self.record = record
        self.bad_frames = 0
        self._frame_len = TWILIO_RATE * config.frame_ms // 1000
        self._pending = np.zeros(0, dtype=np.int16)  # keypad-only: samples short of a frame
        self._kept: list[np.ndarray] = []
        self._kept_samples = 0
        self._ended: str | None = None

    @classmethod
    async def open(
        cls, listen: Listen, speech: Speech | None, *, prompt_left_s: float = 0.0
    ) -> StreamTurn | None:
        """A turn for `listen`, or None when neither speech nor a recording is wanted.

        No input is declared `listen.timeout_s` after the prompt's expected end (frames
        arrive in real time, so counting frames from now measures that)."""
        wants_speech = speech_wanted(listen, speech)
        if not wants_speech and not listen.record:
            return None
        config = EndpointConfig(
            max_pause=MAX_PAUSE_S,
            no_input_timeout=max(prompt_left_s, 0.0) + listen.timeout_s,
            max_utterance=MAX_UTTERANCE_S,
        )
        recognizer = None
        if wants_speech and speech is not None:
            try:
                recognizer = await speech.recognizer(phrases_for(listen))
            except Exception:
                logger.exception("could not open a recogniser; listening without one")
        if recognizer is None and not listen.record:
            return None
        return cls(config, recognizer, record=listen.record)

    @property
    def heard(self) -> bool:
        """The caller has started talking in this turn."""
        return self.endpointer.speech_start_frame is not None

    @property
    def done(self) -> bool:
        return self._ended is not None

    async def feed(self, payload: str) -> bool:
        """Feed one `media.payload`; True on the frame where speech starts (barge-in)."""
        if self.done:
            return False
        try:
            samples = decode_twilio_payload(payload)
        except AudioError as exc:
            self.bad_frames += 1
            logger.warning("skipping malformed media payload: %s", exc)
            if self.bad_frames >= MAX_BAD_FRAMES:
                self._ended = "bad_audio"
            return False
        if self.record and self._kept_samples < MAX_RECORDING_S * TWILIO_RATE:
            self._kept.append(samples)
            self._kept_samples += len(samples)
        if self.listener is not None:
            update = await self.listener.feed_pcm(samples)
            if update.done:
                self._ended = self.endpointer.done.value if self.endpointer.done else "stopped"
            return update.speech_started
        return self._endpoint(samples)

    def _endpoint(self, samples: np.ndarray) -> bool:
        """Keypad-only: end-of-speech detection on 20 ms frames, without a recogniser."""
        buf = np.concatenate([self._pending, samples])
        n = len(buf) // self._frame_len
        self._pending = buf[n * self._frame_len :]
        started = False
        for i in range(n):
            event = self.endpointer.process(buf[i * self._frame_len : (i + 1) * self._frame_len])
            if event is EndpointEvent.SPEECH_START:
                started = True
            elif event is not None:
                self._ended = event.value
                break
        return started

    async def finish(self, reason: str | None = None) -> TurnOutcome:
        """End the turn (at `done`, or early: "speech_end" for `#`, "no_input" on the
        timer) and get what the caller said."""
        event = reason or self._ended or "stopped"
        heard = self.heard
        text, confidence = "", 0.0
        if self.listener is not None:
            try:
                outcome = await self.listener.finish(event)
                text, confidence = outcome.result.text.strip(), outcome.result.confidence
            except Exception:
                logger.exception("recognition failed; the answer counts as not recognised")
        await self.close()
        audio = self._answer_audio() if self.record and heard else None
        return TurnOutcome(event, text, confidence, heard, audio)

    def _answer_audio(self) -> np.ndarray:
        """The kept audio from just before the start of speech to the end."""
        if not self._kept:
            return np.zeros(0, dtype=np.int16)
        audio = np.concatenate(self._kept)
        start_frame = self.endpointer.speech_start_frame or 0
        start = max(0, start_frame * self._frame_len - int(PRE_ROLL_S * TWILIO_RATE))
        return audio[start:]

    async def close(self) -> None:
        """Release the recogniser (a cancelled turn, or after `finish`)."""
        if self.listener is not None:
            self.listener.cancel()
        recognizer, self.recognizer = self.recognizer, None
        if recognizer is not None:
            try:
                await recognizer.close()
            except Exception:
                logger.exception("could not close the recogniser")


def save_recording(folder: Path, call_sid: str, step: int, audio: np.ndarray) -> str:
    """Write the answer as 8 kHz 16-bit mono WAV `<callSid>-<step>.wav` in `folder`;
    return its path relative to `folder` (what the dispatch console serves).
    The folder is owner-only (0700) and the file 0600: recordings are personal data."""
    make_private_dir(folder)
    name = f"{_SAFE_NAME.sub('_', call_sid) or 'call'}-{step}.wav"
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as raw, wave.open(raw, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TWILIO_RATE)
        out.writeframes(pcm_to_bytes(audio))
    return name
