"""One listening turn on a call: Twilio media frames in, a `ListenOutcome` out.

`Listener` ties the pieces together for the telephony layer:

    base64 mu-law 8 kHz -> int16 -> end-of-speech detection (on the 8 kHz frames)
    -> level normalisation -> resampling to the model rate -> recogniser

Nothing is decoded before the caller starts talking: until the end-of-speech detector
hears speech, frames only fill a pre-roll of the last `PRE_ROLL_S`, which goes to the
recogniser with the first speech frame. A turn is open while its prompt plays (for
barge-in), so most of its audio is the line during the prompt; Vosk's acoustic model costs
as much on that as on speech, and the result of a turn without speech is "nothing
recognised" anyway.

Decoding does not hold up the detection: the audio for the recogniser is handed to it by
one task per turn, in order, everything that gathered while the previous piece was being
decoded at once, so a call's end of speech is found in real time even while the shared
thread pool is busy with other calls; `finish()` waits for what is still queued.

Feed it every `media` payload with `feed_payload()`; it returns a `ListenUpdate` saying
whether the caller has started talking (send Twilio `clear` for barge-in), the current
partial text, and whether the turn is over. When it is over, `finish()` returns the
outcome. Malformed frames are logged and skipped (never raised), so garbage from the
network cannot end a call; an utterance that never ends is cut at `max_utterance`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

import numpy as np

from app.core import metrics
from app.speech.audio import (
    TWILIO_RATE,
    AudioError,
    StreamNormaliser,
    StreamResampler,
    decode_twilio_payload,
    pcm_to_bytes,
)
from app.speech.recognizer import AsyncRecognizer, RecognitionResult
from app.speech.vad import EndpointConfig, Endpointer, EndpointEvent

log = logging.getLogger(__name__)

MAX_BAD_FRAMES = 50  # after this many malformed frames in one turn, stop listening
PRE_ROLL_S = 0.5  # audio before the detected start of speech that is still decoded


@dataclass(frozen=True)
class ListenUpdate:
    speech_started: bool = False  # true on the frame where speech starts (barge-in)
    partial: str = ""
    done: bool = False


@dataclass(frozen=True)
class ListenOutcome:
    """Result of a turn. `result.is_empty` means "nothing recognised"; `event` says why
    the turn ended ("speech_end", "no_input", "max_length", "bad_audio", "hangup")."""

    event: str
    result: RecognitionResult
    speech_seconds: float = 0.0
    bad_frames: int = 0

    @property
    def recognised(self) -> bool:
        return not self.result.is_empty


class Listener:
    def __init__(
        self,
        recognizer: AsyncRecognizer,
        config: EndpointConfig | None = None,
        *,
        input_rate: int = TWILIO_RATE,
        normalise: bool = True,
    ) -> None:
        self.recognizer = recognizer
        self.endpointer = Endpointer(config)
        self.input_rate = input_rate
        self._resampler = StreamResampler(input_rate, recognizer.sample_rate)
        self._normaliser = StreamNormaliser() if normalise else None
        self._frame_len = input_rate * self.endpointer.config.frame_ms // 1000
        self._pending = np.zeros(0, dtype=np.int16)
        # Before the caller starts talking, frames wait here (the last PRE_ROLL_S) instead
        # of being decoded: the recogniser hears the answer, not the line during the prompt.
        self._pre_roll: deque[np.ndarray] = deque(
            maxlen=max(1, round(PRE_ROLL_S * 1000 / self.endpointer.config.frame_ms))
        )
        self._ended: str | None = None
        self.bad_frames = 0
        self.partial = ""
        # Decoding runs beside the end-of-speech detection, not in step with it: audio for
        # the recogniser waits here, and one task per turn hands it over in order, all that
        # has gathered at once (fewer trips to the thread pool under load).
        self._to_decode: list[bytes] = []
        self._decoder: asyncio.Task[None] | None = None
        self._decode_error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._ended is not None

    async def feed_payload(self, payload: str | bytes) -> ListenUpdate:
        """Feed one Twilio `media.payload`. Bad frames are logged and skipped."""
        if self.done:
            return ListenUpdate(partial=self.partial, done=True)
        try:
            samples = decode_twilio_payload(payload)
        except AudioError as exc:
            self.bad_frames += 1
            log.warning("skipping malformed media frame: %s", exc)
            if self.bad_frames >= MAX_BAD_FRAMES:
                self._ended = "bad_audio"
            return ListenUpdate(partial=self.partial, done=self.done)
        return await self.feed_pcm(samples)

    async def feed_pcm(self, samples: np.ndarray) -> ListenUpdate:
        """Feed int16 samples at `input_rate` (any length; cut into 20 ms frames)."""
        if self.done:
            return ListenUpdate(partial=self.partial, done=True)
        started = False
        buf = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        n_frames = len(buf) // self._frame_len
        self._pending = buf[n_frames * self._frame_len :]
        to_decode: list[np.ndarray] = []
        for i in range(n_frames):
            frame = buf[i * self._frame_len : (i + 1) * self._frame_len]
            event = self.endpointer.process(frame)
            if self._normaliser is not None:
                frame = self._normaliser.process(frame)
            resampled = self._resampler.process(frame)
            if event is EndpointEvent.SPEECH_START:
                started = True
                to_decode.extend(self._pre_roll)  # the start of the answer, kept
                self._pre_roll.clear()
            if self.endpointer.speech_start_frame is None:
                self._pre_roll.append(resampled)
            else:
                to_decode.append(resampled)
            if event is not None and event is not EndpointEvent.SPEECH_START:
                self._ended = event.value
                break
        if to_decode:
            self._decode(pcm_to_bytes(np.concatenate(to_decode)))
            await asyncio.sleep(0)  # the decoding task takes it now if it is idle
        return ListenUpdate(speech_started=started, partial=self.partial, done=self.done)

    def _decode(self, pcm: bytes) -> None:
        self._to_decode.append(pcm)
        if self._decoder is None or self._decoder.done():
            self._decoder = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._to_decode and self._decode_error is None:
            pcm = b"".join(self._to_decode)
            self._to_decode.clear()
            try:
                self.partial = await self.recognizer.accept(pcm)
            except Exception as exc:  # raised again by `finish`
                self._decode_error = exc

    def cancel(self) -> None:
        """Stop decoding: the turn was dropped (a key answered instead)."""
        self._to_decode.clear()
        if self._decoder is not None and not self._decoder.done():
            self._decoder.cancel()

    async def finish(self, event: str | None = None) -> ListenOutcome:
        """End the turn (at `done`, or early, e.g. "hangup") and get the final result."""
        reason = event or self._ended or "stopped"
        if self.endpointer.done is None and not self._ended:
            self._ended = reason
        tail = self._resampler.flush()
        heard = self.endpointer.speech_start_frame is not None
        if tail.size and heard:
            self._decode(pcm_to_bytes(tail))
        if self._decoder is not None:
            await self._decoder  # what is still waiting is decoded before the final result
        if self._decode_error is not None:
            raise self._decode_error
        with metrics.recognition("stream"):
            result = await self.recognizer.final()
        if reason == "no_input" or not heard:
            # Nothing above the speech threshold: ignore whatever the decoder guessed
            # from line noise, so silence is reliably "nothing recognised".
            result = RecognitionResult.nothing(reason if reason != "speech_end" else "silence")
        elif result.is_empty:
            result = RecognitionResult.nothing(reason)
        else:
            result = RecognitionResult(text=result.text, words=result.words, reason=reason)
        return ListenOutcome(
            event=reason,
            result=result,
            speech_seconds=self._speech_seconds(),
            bad_frames=self.bad_frames,
        )

    def _speech_seconds(self) -> float:
        ep = self.endpointer
        if ep.speech_start_frame is None:
            return 0.0
        end = ep.speech_end_frame if ep.speech_end_frame is not None else ep.frames_seen
        return (end - ep.speech_start_frame) * ep.config.frame_ms / 1000
