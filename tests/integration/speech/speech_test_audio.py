"""Helpers for speech integration tests: Korean speech synthesised with espeak-ng and
sent through the phone path (8 kHz, mu-law, base64 20 ms frames)."""

from __future__ import annotations

import numpy as np

from app.speech.audio import TWILIO_RATE, encode_twilio_payload
from support.spoken import spoken_8k

# Phrases whose words the Korean model knows; espeak-ng's Korean is rough, so tests
# assert on the ones it recognises reliably (checked on this model).
PHRASES = ["네", "아니요", "불러 주세요", "병원 예약", "감사합니다", "안녕하세요", "내일", "오늘"]
RELIABLE = ["아니요", "병원 예약", "오늘"]


def _speech_8k(text: str) -> np.ndarray:
    return spoken_8k(text, "ko")


def phone_audio(*parts: str | float) -> np.ndarray:
    """8 kHz int16 audio: strings are spoken, numbers are seconds of quiet line noise."""
    rng = np.random.default_rng(7)
    chunks = []
    for part in parts:
        if isinstance(part, str):
            chunks.append(_speech_8k(part))
        else:
            chunks.append((rng.standard_normal(int(part * TWILIO_RATE)) * 20).astype(np.int16))
    return np.concatenate(chunks)


def to_payloads(samples: np.ndarray) -> list[str]:
    """20 ms Twilio media payloads (base64 mu-law)."""
    return [encode_twilio_payload(samples[i : i + 160]) for i in range(0, len(samples), 160)]
