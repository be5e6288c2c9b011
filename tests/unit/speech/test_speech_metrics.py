"""The recogniser's final result is timed for /metrics, and its errors are counted."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from app.speech.listen import Listener
from app.speech.recognizer import RecognitionResult, ScriptedRecognizer


def sample(name: str, source: str = "stream") -> float:
    return REGISTRY.get_sample_value(name, {"source": source}) or 0.0


class BrokenRecognizer(ScriptedRecognizer):
    async def final(self) -> RecognitionResult:
        raise RuntimeError("recogniser connection lost")


def test_a_final_recognition_is_timed_as_a_stream_recognition() -> None:
    timed = sample("ivr_recognition_seconds_count")
    failed = sample("ivr_recognition_failures_total")
    asyncio.run(Listener(ScriptedRecognizer(["是"])).finish("hangup"))
    assert sample("ivr_recognition_seconds_count") == timed + 1
    assert sample("ivr_recognition_failures_total") == failed


def test_a_recogniser_error_is_counted_as_a_failure_and_still_raised() -> None:
    timed = sample("ivr_recognition_seconds_count")
    failed = sample("ivr_recognition_failures_total")
    with pytest.raises(RuntimeError):
        asyncio.run(Listener(BrokenRecognizer([])).finish("hangup"))
    assert sample("ivr_recognition_failures_total") == failed + 1
    assert sample("ivr_recognition_seconds_count") == timed
