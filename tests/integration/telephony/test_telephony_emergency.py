"""An emergency said on a real, Twilio-signed call (over HTTP, SQLite + PostgreSQL): the
caller hears the 120 advice slowly and is queued for a person at once; the call records
the reason and the emergency flag.

Only the speech model is a stand-in (no Chinese Vosk model on the test machine): it
returns what Vosk would for the recording, words separated by spaces, and notes the phrase
list it was given. The recording is fetched over HTTP, the hotline runs the real flows,
the real understanding layer and the real database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from telephony_harness import HOTLINE, Hotline, HotlineFactory, register_caller

from app.callflow.voice import PROSODY_RATE
from app.calls.enums import CallStatus, TransferReason
from app.calls.models import Call
from app.hotline import build_call_service
from app.speech.recognizer import RecognitionResult
from app.speech.service import Speech

SID = "CA" + "fedcba9876543210" * 2
CALLER = "+8613800000001"
HEARD = "胸口 疼 得 很 喘 不 过 气"  # recogniser style: spaces, no punctuation


class _StandInRecognizer:
    def __init__(self, model: _StandInModel) -> None:
        self.model = model

    def accept(self, audio: bytes) -> None:
        self.model.audio_bytes += len(audio)

    def final(self, reason: str = "") -> RecognitionResult:
        return RecognitionResult(text=self.model.text, reason=reason)


class _StandInModel:
    """What the hotline needs of a Vosk model for a recording, answering `text`."""

    sample_rate = 8000

    def __init__(self, text: str) -> None:
        self.text = text
        self.phrases: list[Sequence[str] | None] = []
        self.audio_bytes = 0

    def recognizer(self, phrases: Sequence[str] | None = None) -> _StandInRecognizer:
        self.phrases.append(phrases)
        return _StandInRecognizer(self)


def _speaking_hotline(factory: HotlineFactory, model: _StandInModel) -> Hotline:
    hotline = factory()
    app = hotline.app
    app.state.call_service = build_call_service(hotline.settings, app.state.db)  # real words
    app.state.speech = Speech(model=model, status="stand-in")  # type: ignore[arg-type]
    return hotline


def _record_step(twiml: str) -> int:
    record = ET.fromstring(twiml).find("Record")
    assert record is not None, twiml
    match = re.search(r"step=(\d+)$", record.attrib["action"])
    assert match
    return int(match.group(1))


def test_an_emergency_said_at_the_menu_is_queued_at_once_with_the_120_advice(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    model = _StandInModel(HEARD)
    hotline = _speaking_hotline(hotline_factory, model)
    register_caller(hotline.db, CALLER)
    started = hotline.post(
        "/twilio/voice", {"CallSid": SID, "From": CALLER, "To": HOTLINE, "CallStatus": "ringing"}
    )
    assert started.status_code == 200, started.text
    step = _record_step(started.text)  # a speech model: the menu records the answer

    answered = hotline.post(
        f"/twilio/voice/step?step={step}",
        {"CallSid": SID, "RecordingUrl": recordings, "RecordingDuration": "3"},
    )

    assert answered.status_code == 200, answered.text
    root = ET.fromstring(answered.text)
    advice = [p for p in root.iter("prosody") if "拨打120" in (p.text or "")]
    assert advice and advice[0].attrib["rate"] == PROSODY_RATE["slow"]
    assert root.findtext("Enqueue") == "operators"
    assert root.find("Record") is None and root.find("Gather") is None
    assert model.audio_bytes > 0  # the recording was fetched and heard
    menu_phrases = model.phrases[0]
    assert menu_phrases is not None and "救命" in menu_phrases and "喘不过气" in menu_phrases
    with hotline.db.session() as session:
        call = session.get(Call, SID)
        assert call is not None
        assert call.status == CallStatus.TRANSFERRED
        assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True


def test_ordinary_words_at_the_menu_are_not_an_emergency(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    hotline = _speaking_hotline(hotline_factory, _StandInModel("我 家 猫 跑 了"))
    register_caller(hotline.db, CALLER)
    started = hotline.post(
        "/twilio/voice", {"CallSid": SID, "From": CALLER, "To": HOTLINE, "CallStatus": "ringing"}
    )
    answered = hotline.post(
        f"/twilio/voice/step?step={_record_step(started.text)}",
        {"CallSid": SID, "RecordingUrl": recordings, "RecordingDuration": "3"},
    )
    root = ET.fromstring(answered.text)
    assert root.find("Enqueue") is None and root.find("Record") is not None
    assert "拨打120" not in answered.text
    with hotline.db.session() as session:
        call = session.get(Call, SID)
        assert call is not None and call.transfer_reason is None and call.emergency is False
