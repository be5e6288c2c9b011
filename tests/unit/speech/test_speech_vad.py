"""Unit tests for end-of-speech detection with the slow-speaker timings."""

from __future__ import annotations

import numpy as np

from app.speech.vad import EndpointConfig, Endpointer, EndpointEvent, split_frames

RATE = 8000
FRAME = 160


def tone(seconds: float, amp: float = 6000) -> np.ndarray:
    n = np.arange(int(RATE * seconds))
    return (amp * np.sin(2 * np.pi * 300 * n / RATE)).astype(np.int16)


def noise(seconds: float, dbfs: float = -65.0, seed: int = 1) -> np.ndarray:
    amp = 32768 * 10 ** (dbfs / 20)
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(RATE * seconds)) * amp).astype(np.int16)


def run(samples: np.ndarray, config: EndpointConfig | None = None) -> list[tuple[float, str]]:
    ep = Endpointer(config)
    events = []
    for frame in split_frames(samples, RATE):
        ev = ep.process(frame)
        if ev is not None:
            events.append((round(ep.elapsed, 2), ev.value))
    return events


def test_silence_times_out_after_eight_seconds() -> None:
    events = run(noise(10))
    assert events == [(8.0, "no_input")]


def test_pause_inside_answer_does_not_end_it() -> None:
    audio = np.concatenate([noise(1), tone(1), noise(1.0), tone(1), noise(2)])
    events = run(audio)
    assert [e for _, e in events] == ["speech_start", "speech_end"]
    start, end = events[0][0], events[1][0]
    assert 1.0 <= start <= 1.1
    assert end == 4.0 + 1.2  # last speech frame at 4.0 s plus the 1.2 s pause


def test_longer_pause_ends_answer() -> None:
    audio = np.concatenate([noise(0.5), tone(1), noise(1.3), tone(1)])
    events = run(audio)
    assert events[-1] == (2.7, "speech_end")


def test_never_ending_utterance_is_cut_at_max_length() -> None:
    events = run(np.concatenate([noise(0.5), tone(20)]))
    assert events[-1][1] == "max_length"
    assert 15.4 <= events[-1][0] <= 15.6


def test_configurable_timings() -> None:
    cfg = EndpointConfig(max_pause=0.5, no_input_timeout=2.0, max_utterance=3.0)
    assert run(noise(3), cfg) == [(2.0, "no_input")]
    events = run(np.concatenate([tone(1), noise(1)]), cfg)
    assert events[-1] == (1.5, "speech_end")


def test_steady_background_noise_is_not_speech() -> None:
    events = run(noise(9, dbfs=-38.0))
    assert events == [(8.0, "no_input")]


def test_short_click_is_not_speech() -> None:
    audio = np.concatenate([noise(1), tone(0.04, amp=20000), noise(8)])
    assert [e for _, e in run(audio)] == ["no_input"]


def test_quiet_speaker_above_line_noise_is_detected() -> None:
    audio = np.concatenate([noise(1, dbfs=-70), tone(1, amp=300), noise(2, dbfs=-70)])
    assert [e for _, e in run(audio)] == ["speech_start", "speech_end"]


def test_no_events_after_done() -> None:
    ep = Endpointer(EndpointConfig(no_input_timeout=0.1))
    events = [ep.process(np.zeros(FRAME, np.int16)) for _ in range(10)]
    assert events.count(EndpointEvent.NO_INPUT) == 1
    assert ep.done is EndpointEvent.NO_INPUT


def test_empty_frames_count_as_silence() -> None:
    ep = Endpointer()
    assert ep.process(np.zeros(0, np.int16)) is None
