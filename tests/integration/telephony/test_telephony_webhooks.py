"""Twilio voice webhooks over real HTTP: signatures, a whole call by keys, retries,
silence, hang-ups and malformed requests, against SQLite and PostgreSQL."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sqlalchemy import select
from telephony_harness import CALLER, HOTLINE, Hotline, HotlineFactory, register_caller

from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.telephony.stream_token import StreamTokens

SID = "CA" + "0123456789abcdef" * 2


def start(hotline: Hotline, sid: str = SID, caller: str = CALLER) -> ET.Element:
    response = hotline.post(
        "/twilio/voice", {"CallSid": sid, "From": caller, "To": HOTLINE, "CallStatus": "ringing"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.text)


def press(hotline: Hotline, step: int, digits: str, sid: str = SID) -> str:
    response = hotline.post(f"/twilio/voice/step?step={step}", {"CallSid": sid, "Digits": digits})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return response.text


def silence(hotline: Hotline, step: int, sid: str = SID) -> str:
    response = hotline.post(f"/twilio/voice/step?step={step}&silence=1", {"CallSid": sid})
    assert response.status_code == 200, response.text
    return response.text


def gather_step(twiml: str | ET.Element) -> int:
    root = ET.fromstring(twiml) if isinstance(twiml, str) else twiml
    gather = root.find("Gather")
    assert gather is not None, ET.tostring(root, encoding="unicode")
    match = re.search(r"step=(\d+)$", gather.attrib["action"])
    assert match
    return int(match.group(1))


def spoken(twiml: str | ET.Element) -> str:
    root = ET.fromstring(twiml) if isinstance(twiml, str) else twiml
    return "".join(p.text or "" for p in root.iter("prosody"))


def test_whole_taxi_call_by_keys_queues_exactly_one_ride(hotline: Hotline) -> None:
    register_caller(hotline.db)
    root = start(hotline)
    assert "张奶奶您好" in spoken(root)
    gather = root.find("Gather")
    assert gather is not None and gather.find("Say") is not None  # keys barge in
    assert root.find("Redirect") is not None and "silence=1" in (root.find("Redirect").text or "")
    confirm = press(hotline, gather_step(root), "1")
    assert "车到家接您" in spoken(confirm)
    done = press(hotline, gather_step(confirm), "1")
    done_root = ET.fromstring(done)
    assert "再见" in spoken(done_root)
    assert [child.tag for child in done_root][-1] == "Hangup"  # after the last Say
    assert hotline.rides() == [(RideStatus.QUEUED, SID)]
    assert hotline.steps(SID) == ["start", "step:1:keys", "step:2:keys"]


def test_retried_step_returns_identical_twiml_and_books_once(hotline: Hotline) -> None:
    register_caller(hotline.db)
    first = press(hotline, gather_step(press(hotline, gather_step(start(hotline)), "1")), "1")
    again = hotline.post("/twilio/voice/step?step=2", {"CallSid": SID, "Digits": "1"})
    assert again.status_code == 200
    assert again.text == first
    assert hotline.rides() == [(RideStatus.QUEUED, SID)]
    assert hotline.steps(SID) == ["start", "step:1:keys", "step:2:keys"]


def test_retried_incoming_call_webhook_starts_the_call_once(hotline: Hotline) -> None:
    first = ET.tostring(start(hotline))
    assert ET.tostring(start(hotline)) == first
    assert hotline.calls() == 1
    assert hotline.steps(SID) == ["start"]


def test_stale_step_re_serves_the_current_prompt_without_a_new_step(hotline: Hotline) -> None:
    register_caller(hotline.db)
    confirm = press(hotline, gather_step(start(hotline)), "1")
    stale = silence(hotline, 1)  # step 1 was answered by keys; its silence never happened
    assert stale == confirm
    assert hotline.steps(SID) == ["start", "step:1:keys"]


def test_silence_re_prompts_then_queues_for_a_person(hotline: Hotline) -> None:
    root = start(hotline)
    again = silence(hotline, gather_step(root))
    assert "叫车，按1。挂号，按2。约车，按3。转人工，按0。" in spoken(again)  # the simpler wording
    handed_over = ET.fromstring(silence(hotline, gather_step(again)))
    assert handed_over.find("Enqueue") is not None
    assert handed_over.find("Enqueue").text == "operators"
    assert hotline.call_status(SID) == "transferred"


def test_zero_dials_the_operator_number_when_configured(hotline_factory: HotlineFactory) -> None:
    hotline = hotline_factory(operator_number="+868710000999")
    root = ET.fromstring(press(hotline, gather_step(start(hotline)), "0"))
    dial = root.find("Dial")
    assert dial is not None and dial.findtext("Number") == "+868710000999"
    assert dial.attrib["action"].endswith("/twilio/voice/after-dial")
    missed = hotline.post(
        "/twilio/voice/after-dial", {"CallSid": SID, "DialCallStatus": "no-answer"}
    )
    assert ET.fromstring(missed.text).find("Enqueue") is not None
    talked = hotline.post(
        "/twilio/voice/after-dial", {"CallSid": SID, "DialCallStatus": "completed"}
    )
    assert ET.fromstring(talked.text).find("Hangup") is not None


def test_caller_hanging_up_mid_flow_marks_the_draft_ride(hotline: Hotline) -> None:
    register_caller(hotline.db)
    press(hotline, gather_step(start(hotline)), "1")
    assert hotline.rides() == [(RideStatus.DRAFT, SID)]
    response = hotline.post("/twilio/voice/status", {"CallSid": SID, "CallStatus": "completed"})
    assert response.status_code == 200
    assert hotline.rides() == [(RideStatus.CALLER_HUNG_UP, SID)]
    assert hotline.call_status(SID) == "caller_hung_up"
    repeated = hotline.post("/twilio/voice/status", {"CallSid": SID, "CallStatus": "completed"})
    assert repeated.status_code == 200
    assert hotline.steps(SID) == ["start", "step:1:keys", "hangup"]


def test_status_for_an_unknown_call_is_204_and_writes_nothing(hotline: Hotline) -> None:
    response = hotline.post("/twilio/voice/status", {"CallSid": SID, "CallStatus": "completed"})
    assert response.status_code == 204
    ringing = hotline.post("/twilio/voice/status", {"CallSid": SID, "CallStatus": "ringing"})
    assert ringing.status_code == 204
    assert hotline.calls() == 0


def test_forged_or_missing_signature_is_403_and_writes_nothing(hotline: Hotline) -> None:
    params = {"CallSid": SID, "From": CALLER, "To": HOTLINE}
    forged = hotline.post("/twilio/voice", params, signature="bm90IGEgc2lnbmF0dXJl")
    missing = hotline.post("/twilio/voice", params, signature=None)
    tampered_sig = hotline.sign("/twilio/voice", params)
    tampered = hotline.post(
        "/twilio/voice", {**params, "From": "+8613900000000"}, signature=tampered_sig
    )
    # Signed for the loopback URL the app sees, not the public one Twilio calls: refused.
    internal = hotline.post(
        "/twilio/voice", params, signature=hotline.sign("/twilio/voice", params, base=hotline.base)
    )
    for response in (forged, missing, tampered, internal):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/plain")
    assert hotline.calls() == 0


def test_malformed_webhook_is_400_with_a_clear_message(hotline: Hotline) -> None:
    no_sid = hotline.post("/twilio/voice", {"From": CALLER})
    assert no_sid.status_code == 400
    assert "CallSid" in no_sid.text
    json_body = hotline.post(
        "/twilio/voice", {}, content='{"CallSid": "x"}', content_type="application/json"
    )
    assert json_body.status_code == 400
    bad_step = hotline.post("/twilio/voice/step?step=abc", {"CallSid": SID, "Digits": "1"})
    assert bad_step.status_code == 400 and "step" in bad_step.text
    bad_digits = hotline.post("/twilio/voice/step?step=1", {"CallSid": SID, "Digits": "1; DROP"})
    assert bad_digits.status_code == 400
    assert hotline.calls() == 0


def test_a_control_character_in_a_field_is_400_not_a_database_error(hotline: Hotline) -> None:
    """Twilio sends none; PostgreSQL stores no NUL and TwiML (XML) can carry none back."""
    for path, fields in (
        ("/twilio/voice", {"CallSid": SID, "From": CALLER + "\x00", "To": HOTLINE}),
        ("/twilio/voice/stream", {"CallSid": SID, "From": CALLER, "To": "\x1b" + HOTLINE}),
        ("/twilio/voice/step?step=1", {"CallSid": SID, "RecordingUrl": "https://a\x00"}),
    ):
        answer = hotline.post(path, fields)
        assert answer.status_code == 400 and "control characters" in answer.text, path
    assert hotline.calls() == 0
    assert hotline.post("/twilio/voice", {"CallSid": SID, "From": CALLER}).status_code == 200


def test_a_reminder_id_past_an_integer_column_is_400(hotline: Hotline) -> None:
    fields = {"CallSid": SID, "From": HOTLINE, "To": CALLER}
    for reminder in ("2147483648", "999999999999999999"):
        answer = hotline.post(f"/twilio/reminder/answer?reminder={reminder}", fields)
        assert answer.status_code == 400 and "reminder" in answer.text, reminder


def test_step_for_an_unknown_call_apologises_and_hands_over(hotline: Hotline) -> None:
    response = hotline.post("/twilio/voice/step?step=3", {"CallSid": SID, "Digits": "1"})
    assert response.status_code == 200
    root = ET.fromstring(response.text)
    assert "对不起" in spoken(root)
    assert root.find("Enqueue") is not None
    assert hotline.calls() == 0


def test_internal_failure_still_answers_with_a_transfer(hotline: Hotline) -> None:
    hotline.app.state.call_service = None  # anything blowing up inside the route
    response = hotline.post("/twilio/voice", {"CallSid": SID, "From": CALLER})
    assert response.status_code == 200
    assert ET.fromstring(response.text).find("Enqueue") is not None


def test_stream_entry_connects_to_the_public_wss_url(hotline: Hotline) -> None:
    response = hotline.post("/twilio/voice/stream", {"CallSid": SID, "From": CALLER, "To": HOTLINE})
    root = ET.fromstring(response.text)
    connect = root.find("Connect")
    assert connect is not None
    assert connect.attrib["action"] == "https://hotline.example.org/twilio/voice/stream/ended"
    stream = connect.find("Stream")
    assert stream is not None and stream.attrib["url"] == "wss://hotline.example.org/twilio/media"
    params = {p.attrib["name"]: p.attrib["value"] for p in stream.iter("Parameter")}
    assert params.keys() == {"From", "To", "token"}
    assert (params["From"], params["To"]) == (CALLER, HOTLINE)
    # The token binds the stream to this call SID and these numbers.
    tokens = StreamTokens(hotline.settings.secret_key)
    assert not tokens.accept(params["token"], SID, "+8613900000000", HOTLINE)
    assert tokens.accept(params["token"], SID, CALLER, HOTLINE)


def test_unregistered_caller_records_the_pickup_place_for_the_operator(hotline: Hotline) -> None:
    """Keypad-only deployment (no speech model): the caller's own words are still kept."""
    root = start(hotline, caller="+8613812345678")
    after_menu = ET.fromstring(press(hotline, gather_step(root), "1"))
    record = after_menu.find("Record")
    assert record is not None and record.attrib["playBeep"] == "true"
    assert "#" in record.attrib["finishOnKey"] and "0" in record.attrib["finishOnKey"]
    step = int(re.search(r"step=(\d+)$", record.attrib["action"]).group(1))  # type: ignore[union-attr]
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    response = hotline.post(
        f"/twilio/voice/step?step={step}",
        {"CallSid": SID, "RecordingUrl": recording, "RecordingDuration": "4", "Digits": "#"},
    )
    assert response.status_code == 200, response.text
    assert "已经录下来了" in spoken(response.text)
    press(hotline, gather_step(response.text), "1")
    assert hotline.rides() == [(RideStatus.QUEUED, SID)]
    with hotline.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.pickup_recording_url == recording and ride.pickup_transcript is None


def test_zero_during_a_recording_still_reaches_a_person(hotline: Hotline) -> None:
    root = start(hotline, caller="+8613812345678")
    record = ET.fromstring(press(hotline, gather_step(root), "1")).find("Record")
    assert record is not None
    step = int(re.search(r"step=(\d+)$", record.attrib["action"]).group(1))  # type: ignore[union-attr]
    response = hotline.post(
        f"/twilio/voice/step?step={step}",
        {"CallSid": SID, "RecordingUrl": "https://api.twilio.com/x/RE2", "Digits": "0"},
    )
    assert ET.fromstring(response.text).find("Enqueue") is not None
