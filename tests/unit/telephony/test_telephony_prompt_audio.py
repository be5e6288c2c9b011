"""Prompt audio for media streams: 8 kHz mu-law, slower for the slow pace, cached."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.telephony.prompt_audio import EspeakPromptAudio, PlaceholderToneAudio, duration_s

TEXT = "您好，这里是长者服务热线。"


def test_placeholder_lasts_about_as_long_as_the_sentence() -> None:
    audio = PlaceholderToneAudio().render(TEXT, "normal")
    assert 5 < duration_s(audio) < 7  # 13 characters at 135 a minute, plus a beep
    assert duration_s(PlaceholderToneAudio().render(TEXT, "slow")) > duration_s(audio)


_PACES = """
import json
from app.telephony.prompt_audio import EspeakPromptAudio, duration_s
espeak = EspeakPromptAudio()
print(json.dumps({pace: duration_s(espeak.render(%r, pace)) for pace in ("normal", "slow")}))
"""


def test_espeak_speaks_mandarin_at_an_elderly_pace() -> None:
    # Measured in a fresh interpreter: espeak-ng keeps state between utterances (see
    # tests/support/spoken.py), and once in a full parallel run the same sentence came out
    # at three times the pace after whatever that worker had synthesised before.
    try:
        EspeakPromptAudio().render("好", "normal")
    except Exception as exc:  # espeak-ng missing on this machine
        pytest.skip(f"espeak-ng unavailable: {exc}")
    out = subprocess.run(
        [sys.executable, "-c", _PACES % TEXT], check=True, capture_output=True, text=True
    ).stdout
    seconds = json.loads(out)
    chars_per_minute = len(TEXT) * 60 / seconds["normal"]
    assert 100 < chars_per_minute < 160
    assert seconds["slow"] > seconds["normal"]


def test_espeak_audio_is_cached() -> None:
    espeak = EspeakPromptAudio()
    try:
        normal = espeak.render(TEXT, "normal")
    except Exception as exc:  # espeak-ng missing on this machine
        pytest.skip(f"espeak-ng unavailable: {exc}")
    assert espeak.render(TEXT, "normal") is normal
