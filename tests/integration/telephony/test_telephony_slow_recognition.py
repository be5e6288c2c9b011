"""A slow recogniser on a real, Twilio-signed call (over HTTP, SQLite + PostgreSQL): when a
recording's text takes longer than the hold time, the caller hears 请稍等 and Twilio is
redirected to a signed continue URL for the same step; the words then reach the engine as
one speech event. A fast recogniser answers directly.

Only the speech model is a stand-in (it sleeps as long as told, then answers `text`); the
recording is fetched over HTTP from a loopback server standing in for Twilio's.
"""

from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest
from telephony_harness import HOTLINE, PUBLIC_BASE, Hotline, HotlineFactory, register_caller

from app import texts
from app.speech.recognizer import RecognitionResult
from app.speech.service import Speech
from app.telephony.pending_recognition import MAX_HOLDS, RecognitionJobs

SID = "CA" + "0a1b2c3d4e5f6a7b" * 2
CALLER = "+8613800000001"


class _SlowRecognizer:
    def __init__(self, model: _SlowModel, delay: float) -> None:
        self.model = model
        self.delay = delay

    def accept(self, audio: bytes) -> None:
        pass

    def final(self, reason: str = "") -> RecognitionResult:
        time.sleep(self.delay)
        if self.model.gate is not None:
            assert self.model.gate.wait(timeout=60), "the test never let the recognition finish"
        return RecognitionResult(text=self.model.text, reason=reason)


class _SlowModel:
    """A Vosk stand-in whose n-th recognition takes `delays[n]` seconds (the last repeats)
    and, given a `gate`, does not finish before the test opens it."""

    sample_rate = 8000

    def __init__(
        self, text: str, delays: Sequence[float], gate: threading.Event | None = None
    ) -> None:
        self.text = text
        self.delays = list(delays)
        self.gate = gate
        self.recognitions = 0

    def recognizer(self, phrases: Sequence[str] | None = None) -> _SlowRecognizer:
        delay = self.delays[min(self.recognitions, len(self.delays) - 1)]
        self.recognitions += 1
        return _SlowRecognizer(self, delay)


def _speaking(factory: HotlineFactory, model: _SlowModel, **settings: object) -> Hotline:
    hotline = factory(**settings)
    hotline.app.state.speech = Speech(model=model, status="stand-in")  # type: ignore[arg-type]
    register_caller(hotline.db, CALLER)
    return hotline


def _menu_step(hotline: Hotline) -> int:
    started = hotline.post(
        "/twilio/voice", {"CallSid": SID, "From": CALLER, "To": HOTLINE, "CallStatus": "ringing"}
    )
    assert started.status_code == 200, started.text
    return _record_step(started.text)


def _record_step(twiml: str) -> int:
    record = ET.fromstring(twiml).find("Record")
    assert record is not None, twiml
    match = re.search(r"step=(\d+)$", record.attrib["action"])
    assert match
    return int(match.group(1))


def _answer(hotline: Hotline, step: int, recording: str) -> tuple[str, float]:
    began = time.monotonic()
    reply = hotline.post(
        f"/twilio/voice/step?step={step}",
        {"CallSid": SID, "RecordingUrl": recording, "RecordingDuration": "3"},
    )
    assert reply.status_code == 200, reply.text
    return reply.text, time.monotonic() - began


def _holding_redirect(twiml: str) -> str:
    """The path + query Twilio is sent to after the holding sentence."""
    root = ET.fromstring(twiml)
    said = [p.text for p in root.iter("prosody")]
    assert said == [texts.spoken("recognition_hold")], twiml
    assert root.find("Record") is None and root.find("Gather") is None
    url = root.findtext("Redirect")
    assert url and url.startswith(PUBLIC_BASE), twiml
    return url.removeprefix(PUBLIC_BASE)


def _follow(hotline: Hotline, path: str) -> str:
    reply = hotline.post(path, {"CallSid": SID, "CallStatus": "in-progress"})
    assert reply.status_code == 200, reply.text
    return reply.text


def test_a_slow_recognition_holds_the_caller_then_the_redirect_asks_the_next_question(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    finished = threading.Event()
    model = _SlowModel("我要叫车", delays=[0.0], gate=finished)
    hotline = _speaking(hotline_factory, model)
    step = _menu_step(hotline)

    first, took = _answer(hotline, step, recordings)

    assert took < 30  # answered after the hold time (2 s), not after the recognition
    redirect = _holding_redirect(first)
    assert f"step={step}&wait=1" in redirect
    assert hotline.steps(SID) == ["start"]  # nothing applied yet

    finished.set()  # the recognition ends while the caller hears 请稍等
    following = _follow(hotline, redirect)

    assert texts.spoken("recognition_hold") not in following
    assert _record_step(following) == step + 1  # the taxi flow's next question
    assert hotline.steps(SID) == ["start", f"step:{step}:speech"]
    assert model.recognitions == 1
    # A Twilio retry of the redirect gets the same answer; the event is not applied twice.
    assert _follow(hotline, redirect) == following
    assert hotline.steps(SID) == ["start", f"step:{step}:speech"]


def test_a_fast_recognition_answers_directly_without_the_holding_sentence(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    model = _SlowModel("我要叫车", delays=[0.0])
    hotline = _speaking(hotline_factory, model)
    step = _menu_step(hotline)

    reply, _ = _answer(hotline, step, recordings)

    assert texts.spoken("recognition_hold") not in reply
    assert ET.fromstring(reply).find("Redirect") is not None  # the next question's silence
    assert _record_step(reply) == step + 1
    assert hotline.steps(SID) == ["start", f"step:{step}:speech"]
    assert model.recognitions == 1


def test_a_redirect_reaching_a_process_without_the_job_recognises_again(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    model = _SlowModel("我要叫车", delays=[3.0, 0.0])
    hotline = _speaking(hotline_factory, model)
    step = _menu_step(hotline)
    redirect = _holding_redirect(_answer(hotline, step, recordings)[0])

    hotline.app.state.recognition_jobs = RecognitionJobs()  # as another service process
    following = _follow(hotline, redirect)

    assert _record_step(following) == step + 1
    assert model.recognitions == 2
    assert hotline.steps(SID) == ["start", f"step:{step}:speech"]


def test_a_recognition_that_never_finishes_counts_as_not_understood_after_bounded_holds(
    hotline_factory: HotlineFactory, recordings: str
) -> None:
    never = threading.Event()
    model = _SlowModel("我要叫车", delays=[0.0], gate=never)
    hotline = _speaking(hotline_factory, model, recognition_hold_seconds=0.2)
    step = _menu_step(hotline)

    try:
        reply = _answer(hotline, step, recordings)[0]
        holds = 0
        while texts.spoken("recognition_hold") in reply:
            holds += 1
            assert holds <= MAX_HOLDS, reply
            reply = _follow(hotline, _holding_redirect(reply))
    finally:
        never.set()  # lets the abandoned recognition thread end

    assert holds == MAX_HOLDS
    assert hotline.steps(SID) == ["start", f"step:{step}:speech"]  # applied as not heard
    assert _record_step(reply) == step + 1  # the menu is asked again, never silence
    assert model.recognitions == 1


@pytest.mark.parametrize(
    "query",
    ["wait=abc&recording=https%3A%2F%2Fapi.twilio.com%2FRE1", "wait=99&recording=x", "wait=1"],
)
def test_a_malformed_continue_url_is_refused_and_nothing_is_applied(
    hotline_factory: HotlineFactory, recordings: str, query: str
) -> None:
    hotline = _speaking(hotline_factory, _SlowModel("我要叫车", delays=[0.0]))
    step = _menu_step(hotline)

    reply = hotline.post(
        f"/twilio/voice/step?step={step}&{query}", {"CallSid": SID, "CallStatus": "in-progress"}
    )

    assert reply.status_code == 400 and "malformed" in reply.text
    assert hotline.steps(SID) == ["start"]
