"""Prompt audio for media streams: text -> 8 kHz mu-law bytes, ready to send to Twilio.

`PromptAudio` is the seam. `EspeakPromptAudio` speaks Mandarin offline with the espeak-ng
bundled in the `espeakng-loader` package (voice `cmn`), slowed to the rate older callers
need; rendered prompts are cached, as the same sentences recur on every call. A
recorded-voice or cloud TTS implementation only has to provide `render`.
`PlaceholderToneAudio` is NOT speech: a short beep plus silence as long as the sentence
would take; it is used when espeak-ng is unavailable (a warning at start-up, and `/readyz`
reports the voice in use), and by tests.

numpy and the resampler load with the first prompt rendered, not with this module: a
keypad-only service that answers by webhooks never renders one (`default_prompt_audio`).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Protocol

from app.callflow.messages import Pace
from app.callflow.voice import ESPEAK_CHARS_PER_MINUTE, ESPEAK_VOICE, ESPEAK_WPM

logger = logging.getLogger(__name__)

SAMPLE_RATE = 8000
CACHE_SIZE = 256
PLACEHOLDER_STATUS = "placeholder tone: not speech, espeak-ng unavailable"


class PromptAudio(Protocol):
    @property
    def voice_status(self) -> str:
        """What callers hear, for `/readyz` and the start-up log."""
        ...

    def render(self, text: str, pace: Pace) -> bytes:
        """Speak `text`; return 8 kHz G.711 mu-law bytes."""
        ...


class EspeakPromptAudio:
    """Offline Mandarin synthesis with espeak-ng (robotic, but understandable and free)."""

    def __init__(self, voice: str = ESPEAK_VOICE, cache_size: int = CACHE_SIZE) -> None:
        self.voice = voice
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def voice_status(self) -> str:
        return f"espeak-ng ({self.voice})"

    def render(self, text: str, pace: Pace) -> bytes:
        key = (text, pace)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        audio = self._synthesise(text, pace)
        with self._lock:
            self._cache[key] = audio
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return audio

    def _synthesise(self, text: str, pace: Pace) -> bytes:
        from app.speech.audio import mulaw_encode, resample
        from app.speech.espeak import synthesize

        samples, rate = synthesize(text, voice=self.voice, words_per_minute=ESPEAK_WPM[pace])
        return mulaw_encode(resample(samples, rate, SAMPLE_RATE))


class PlaceholderToneAudio:
    """Not speech: a 440 Hz beep, then silence for as long as the sentence would take."""

    def __init__(self, *, seconds_scale: float = 1.0, max_seconds: float = 20.0) -> None:
        self.seconds_scale = seconds_scale
        self.max_seconds = max_seconds

    @property
    def voice_status(self) -> str:
        return PLACEHOLDER_STATUS

    def render(self, text: str, pace: Pace) -> bytes:
        import numpy as np

        from app.speech.audio import mulaw_encode

        beep_s = 0.2 * self.seconds_scale
        t = np.arange(int(SAMPLE_RATE * beep_s)) / SAMPLE_RATE
        beep = (3000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        spoken_s = len(text) * 60 / ESPEAK_CHARS_PER_MINUTE[pace] * self.seconds_scale
        silence = np.zeros(int(SAMPLE_RATE * min(spoken_s, self.max_seconds)), dtype=np.int16)
        return mulaw_encode(np.concatenate([beep, silence]))


def default_prompt_audio(*, warm: bool = True) -> PromptAudio:
    """espeak-ng when it works on this machine, else the placeholder (a logged warning).

    `warm`: check by speaking a first prompt (and load numpy and the resampler now, for a
    service with speech); otherwise only load espeak-ng and its voice (keypad-only start-up:
    the first prompt, if any, pays for the rest)."""
    try:
        espeak = EspeakPromptAudio()
        if warm:
            espeak.render("您好", "normal")
        else:
            from app.speech.espeak import check_voice

            check_voice(espeak.voice)
        return espeak
    except Exception as exc:
        logger.warning(
            "prompt voice: %s (%s): media-stream callers hear beeps, not prompts",
            PLACEHOLDER_STATUS,
            exc,
        )
        return PlaceholderToneAudio()


def duration_s(audio: bytes) -> float:
    return len(audio) / SAMPLE_RATE
