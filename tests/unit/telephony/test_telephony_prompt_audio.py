"""Prompt audio for media streams: 8 kHz mu-law, slower for the slow pace, cached."""

from __future__ import annotations

import pytest

from app.telephony.prompt_audio import EspeakPromptAudio, PlaceholderToneAudio, duration_s

TEXT = "您好，这里是长者服务热线。"


def test_placeholder_lasts_about_as_long_as_the_sentence() -> None:
    audio = PlaceholderToneAudio().render(TEXT, "normal")
    assert 5 < duration_s(audio) < 7  # 13 characters at 135 a minute, plus a beep
    assert duration_s(PlaceholderToneAudio().render(TEXT, "slow")) > duration_s(audio)


def test_espeak_speaks_mandarin_at_an_elderly_pace() -> None:
    espeak = EspeakPromptAudio()
    try:
        normal = espeak.render(TEXT, "normal")
    except Exception as exc:  # espeak-ng missing on this machine
        pytest.skip(f"espeak-ng unavailable: {exc}")
    chars_per_minute = len(TEXT) * 60 / duration_s(normal)
    assert 100 < chars_per_minute < 160
    assert duration_s(espeak.render(TEXT, "slow")) > duration_s(normal)
    assert espeak.render(TEXT, "normal") is normal  # cached
