"""The end of a call over signed Twilio webhooks: every draft ride the call left is
settled, and a step URL no Gather of ours carried gets the stale-step answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from telephony_harness import Hotline, register_caller
from test_telephony_media_stream import SID as STREAM_SID
from test_telephony_media_stream import begin, closed, echo, open_stream, prompt, run
from test_telephony_media_stream import press as press_key
from test_telephony_webhooks import SID, gather_step, press, spoken, start

from app.taxi.enums import RideStatus


def test_step_with_a_non_ascii_digit_gets_the_stale_step_answer(hotline: Hotline) -> None:
    register_caller(hotline.db)
    confirm = press(hotline, gather_step(start(hotline)), "1")
    for odd in ("%C2%B2", "%D9%A3", "%EF%BC%92"):  # ², Arabic-Indic 3, full-width 2
        path = f"/twilio/voice/step?step={odd}"
        response = hotline.post(path, {"CallSid": SID, "Digits": "1"})
        assert response.status_code == 200, (odd, response.text)
        assert response.text == confirm  # the latest prompt again, nothing applied
    assert hotline.rides() == [(RideStatus.DRAFT, SID)]
    assert hotline.steps(SID) == ["start", "step:1:keys"]


def test_pressing_zero_in_the_taxi_flow_hands_the_draft_to_a_person(hotline: Hotline) -> None:
    register_caller(hotline.db)
    confirm = press(hotline, gather_step(start(hotline)), "1")
    handed = ET.fromstring(press(hotline, gather_step(confirm), "0"))
    assert handed.find("Enqueue") is not None
    assert hotline.rides() == [(RideStatus.HANDED_TO_PERSON, SID)]
    ended = hotline.post("/twilio/voice/status", {"CallSid": SID, "CallStatus": "completed"})
    assert ended.status_code == 200
    assert hotline.rides() == [(RideStatus.HANDED_TO_PERSON, SID)]


def test_two_failures_in_the_taxi_flow_hand_the_draft_to_a_person(hotline: Hotline) -> None:
    register_caller(hotline.db)
    confirm = press(hotline, gather_step(start(hotline)), "1")
    again = press(hotline, gather_step(confirm), "7")
    assert "对，按1" in spoken(again)
    handed = ET.fromstring(press(hotline, gather_step(again), "7"))
    assert handed.find("Enqueue") is not None
    assert hotline.rides() == [(RideStatus.HANDED_TO_PERSON, SID)]


def test_a_hand_over_on_the_media_stream_settles_the_draft_before_the_stream_closes(
    hotline: Hotline,
) -> None:
    register_caller(hotline.db)

    async def call() -> None:
        ws = await open_stream(hotline)
        await begin(ws, hotline)
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await press_key(ws, "1")
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        await press_key(ws, "0")
        _, names, _ = await prompt(ws)
        await echo(ws, names)
        assert await closed(ws)

    run(call())
    assert hotline.rides() == [(RideStatus.HANDED_TO_PERSON, STREAM_SID)]
    ended = hotline.post("/twilio/voice/stream/ended", {"CallSid": STREAM_SID})
    assert ET.fromstring(ended.text).find("Enqueue") is not None  # still reaches a person
    assert hotline.rides() == [(RideStatus.HANDED_TO_PERSON, STREAM_SID)]
