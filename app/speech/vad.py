"""Energy-based voice activity detection and end-of-speech, tuned for slow older speakers.

PyPI `vosk` 0.3.45 cannot change the model's endpointer, so the end of an answer is
decided here, on 20 ms frames, independently of the recogniser:

- the noise floor is set from the first frame, then tracked from quiet frames, and a
  frame counts as speech when it is `margin_db` above the floor (and above
  `min_speech_dbfs`);
- speech *starts* after `start_frames` consecutive speech frames (60 ms by default);
- inside an answer a frame more than `silence_drop_db` below the caller's own (smoothed)
  speech level counts as a pause, so a line that gets noisier mid-answer cannot keep
  the turn open;
- speech *ends* after `max_pause` seconds of non-speech (default 1.2 s: older callers
  pause inside an answer, so this is longer than the usual 0.5-0.8 s);
- `no_input_timeout` (default 8 s) ends the turn when nobody starts answering;
- `max_utterance` (default 15 s) ends an answer that never stops (TV in the background,
  an open line), so a call can never hang in "listening".

`Endpointer.process(frame)` returns an `EndpointEvent` when something happens, else None.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from app.speech.audio import rms_dbfs


@dataclass(frozen=True)
class EndpointConfig:
    """Timings in seconds; levels in dBFS. Defaults suit older callers on a phone line."""

    max_pause: float = 1.2
    no_input_timeout: float = 8.0
    max_utterance: float = 15.0
    frame_ms: int = 20
    start_frames: int = 3
    margin_db: float = 10.0
    min_speech_dbfs: float = -48.0
    initial_floor_dbfs: float = -60.0
    max_initial_floor_dbfs: float = -30.0
    min_floor_dbfs: float = -75.0
    silence_drop_db: float = 30.0

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds * 1000 / self.frame_ms))


class EndpointEvent(enum.Enum):
    SPEECH_START = "speech_start"  # the caller started talking (barge-in trigger)
    SPEECH_END = "speech_end"  # the answer ended with a long enough pause
    NO_INPUT = "no_input"  # nobody started talking within `no_input_timeout`
    MAX_LENGTH = "max_length"  # the answer went on for `max_utterance`


class Endpointer:
    """Frame-by-frame state machine: waiting -> speaking -> done."""

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.floor_dbfs = self.config.initial_floor_dbfs
        self.frames_seen = 0
        self.in_speech = False
        self.done: EndpointEvent | None = None
        self.speech_start_frame: int | None = None
        self.speech_end_frame: int | None = None
        self.speech_level_dbfs = -120.0  # smoothed level of the caller's speech frames
        self._run = 0  # consecutive speech frames while waiting
        self._silence = 0  # consecutive non-speech frames while speaking

    @property
    def elapsed(self) -> float:
        return self.frames_seen * self.config.frame_ms / 1000

    def is_speech(self, level_dbfs: float) -> bool:
        threshold = max(self.config.min_speech_dbfs, self.floor_dbfs + self.config.margin_db)
        return level_dbfs >= threshold

    def _track_floor(self, level: float, speech: bool) -> None:
        if not speech:
            # Fall quickly, rise slowly, so a burst of noise does not lift the floor much.
            rate = 0.3 if level < self.floor_dbfs else 0.02
            self.floor_dbfs += rate * (max(level, self.config.min_floor_dbfs) - self.floor_dbfs)

    def process(self, frame: np.ndarray) -> EndpointEvent | None:
        """Feed one frame (normally 20 ms of int16 samples at any rate)."""
        if self.done is not None:
            return None
        cfg = self.config
        self.frames_seen += 1
        level = rms_dbfs(frame)
        if self.frames_seen == 1:
            # Calibrate on the first frame, so a steady noisy line is not taken for speech;
            # capped so a caller already talking is still heard once they pause for breath.
            self.floor_dbfs = min(max(level, cfg.min_floor_dbfs), cfg.max_initial_floor_dbfs)
        speech = self.is_speech(level)
        self._track_floor(level, speech)
        if not self.in_speech:
            self._run = self._run + 1 if speech else 0
            if self._run >= cfg.start_frames:
                self.in_speech = True
                self.speech_level_dbfs = level
                self.speech_start_frame = self.frames_seen - self._run
                self._silence = 0
                return EndpointEvent.SPEECH_START
            if self.frames_seen >= cfg.frames(cfg.no_input_timeout):
                self.done = EndpointEvent.NO_INPUT
                return self.done
            return None
        # Inside an answer, a frame far below the caller's own level is a pause even if the
        # line got noisier meanwhile (the floor is not tracked while the caller talks).
        if speech and level < self.speech_level_dbfs - cfg.silence_drop_db:
            speech = False
        if speech:
            self.speech_level_dbfs += 0.05 * (level - self.speech_level_dbfs)
        self._silence = 0 if speech else self._silence + 1
        if self._silence >= cfg.frames(cfg.max_pause):
            self.in_speech = False
            self.speech_end_frame = self.frames_seen - self._silence
            self.done = EndpointEvent.SPEECH_END
            return self.done
        assert self.speech_start_frame is not None
        if self.frames_seen - self.speech_start_frame >= cfg.frames(cfg.max_utterance):
            self.speech_end_frame = self.frames_seen
            self.done = EndpointEvent.MAX_LENGTH
            return self.done
        return None


def split_frames(samples: np.ndarray, rate: int, frame_ms: int = 20) -> list[np.ndarray]:
    """Cut a buffer into frames of `frame_ms` (the last one may be shorter)."""
    n = rate * frame_ms // 1000
    return [samples[i : i + n] for i in range(0, len(samples), n)]
