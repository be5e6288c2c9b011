"""Recordings of what callers said after a <Record>: fetch them from Twilio, recognise them.

The recording URL itself is what matters most: it is stored with the request so a person
can listen to the caller's own words. Recognition is a bonus: without a speech model, or
when the download fails, the text is empty and the flow carries on with the recording.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.core import metrics
from app.core.config import Settings
from app.speech.service import Speech

logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_S = 4.0  # Twilio waits 15 s for the whole webhook


def media_url(recording_url: str) -> str:
    """Twilio serves a recording as WAV when `.wav` is appended to its URL."""
    return recording_url if recording_url.endswith((".wav", ".mp3")) else recording_url + ".wav"


def fetch_recording(recording_url: str, settings: Settings) -> bytes:
    import httpx  # on first use: ~0.05 s that `ivr serve` need not spend starting

    auth = None
    if settings.twilio_account_sid and settings.twilio_auth_token:
        auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    response = httpx.get(
        media_url(recording_url), auth=auth, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True
    )
    response.raise_for_status()
    return response.content


def transcribe(
    recording_url: str,
    *,
    speech: Speech | None,
    settings: Settings,
    phrases: Sequence[str] | None = None,
) -> str:
    """What the caller said, or "" when it cannot be known (keypad-only, bad audio)."""
    if speech is None or speech.model is None:
        return ""
    import httpx

    from app.speech.audio import AudioError, load_recording  # numpy: with a model only

    try:
        audio = fetch_recording(recording_url, settings)
        recording = load_recording(audio, speech.model.sample_rate)
        with metrics.recognition("recording"):
            recognizer = speech.model.recognizer(phrases)
            recognizer.accept(recording.samples.tobytes())
            return recognizer.final("recording").text.strip()
    except (httpx.HTTPError, AudioError) as exc:
        logger.warning("recording not recognised: %s", type(exc).__name__)
        return ""
