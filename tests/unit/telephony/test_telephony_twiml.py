"""Engine outputs -> TwiML: Mandarin, slow, barge-in, silence redirect, transfer, hang-up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.callflow.messages import Hangup, Listen, Say, Transfer
from app.callflow.voice import TWILIO_VOICE
from app.telephony import twiml

OPTIONS = twiml.TwimlOptions(base_url="https://hotline.example.org")


def parse(outputs: list, step: int = 4, options: twiml.TwimlOptions = OPTIONS) -> ET.Element:
    return ET.fromstring(twiml.render(outputs, step=step, options=options))


def test_prompts_are_mandarin_and_slowed_for_older_callers() -> None:
    root = parse([Say("您好。"), Say("请按1。", pace="slow"), Hangup()])
    says = root.findall("Say")
    assert [s.attrib["language"] for s in says] == ["cmn-CN", "cmn-CN"]
    assert says[0].attrib["voice"] == TWILIO_VOICE
    assert [s.find("prosody").attrib["rate"] for s in says] == ["85%", "70%"]
    assert [s.findtext("prosody") for s in says] == ["您好。", "请按1。"]


def test_listen_gathers_keys_around_the_prompt_then_redirects_silence() -> None:
    root = parse([Say("欢迎。"), Say("请按1。"), Listen(expect="intent", timeout_s=10)])
    assert [c.tag for c in root] == ["Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "timeout": "10",
        "finishOnKey": "",
        "action": "https://hotline.example.org/twilio/voice/step?step=4",
        "method": "POST",
    }
    assert len(gather.findall("Say")) == 2  # a key interrupts either prompt
    assert root.findtext("Redirect") == (
        "https://hotline.example.org/twilio/voice/step?step=4&silence=1"
    )


def test_multi_digit_listen_ends_on_hash() -> None:
    root = parse([Say("请输入身份证号。"), Listen(expect="id", max_digits=18, finish_on_key="#")])
    gather = root.find("Gather")
    assert gather.attrib["numDigits"] == "18" and gather.attrib["finishOnKey"] == "#"


def test_speech_only_listen_still_gathers_keys_so_zero_and_star_work() -> None:
    root = parse([Say("请说科室。"), Listen(expect="department", input="speech")])
    assert root.find("Gather").attrib["input"] == "dtmf"


def test_speech_capture_seam_records_and_any_key_ends_the_recording() -> None:
    options = twiml.TwimlOptions(base_url="https://h.example", speech_capture=True)
    root = parse([Say("请说科室。"), Listen(expect="department", input="both")], options=options)
    assert [c.tag for c in root] == ["Say", "Record", "Redirect"]
    assert root.find("Record").attrib["finishOnKey"] == "0123456789*#"


def test_a_recorded_answer_ends_on_a_short_silence_not_on_the_pound_key() -> None:
    """The pickup address is recorded: the caller is told "说完等一等就好", so the
    recording ends on silence; any key (0 for a person, * to repeat) still ends it."""
    options = twiml.TwimlOptions(base_url="https://h.example")
    listen = Listen(expect="free_text", input="speech", record=True, timeout_s=10)
    record = parse([Say("请在嘀一声后，说在哪里接您。"), listen], options=options).find("Record")
    assert record is not None and record.attrib["playBeep"] == "true"
    assert int(record.attrib["timeout"]) == twiml.RECORD_END_SILENCE_S <= 5
    assert set("0*#") <= set(record.attrib["finishOnKey"])


def test_answers_of_several_keys_are_gathered_even_when_speech_is_on() -> None:
    """A recording ends at the first key: an ID number typed by keypad must be gathered."""
    options = twiml.TwimlOptions(base_url="https://h.example", speech_capture=True)
    listen = Listen(expect="digits", input="both", max_digits=18, finish_on_key="#")
    root = parse([Say("请输入身份证号。"), listen], options=options)
    assert root.find("Record") is None
    assert root.find("Gather").attrib["numDigits"] == "18"


def test_transfer_without_operator_number_queues_the_caller() -> None:
    root = parse([Say("正在转接。"), Transfer(reason="0")])
    assert [c.tag for c in root] == ["Say", "Say", "Enqueue"]
    assert root.findtext("Enqueue") == twiml.OPERATOR_QUEUE


def test_transfer_dials_the_operator_then_asks_what_next() -> None:
    options = twiml.TwimlOptions(base_url="https://h.example", operator_number="+868710000999")
    root = parse([Say("正在转接。"), Transfer(reason="0")], options=options)
    dial = root.find("Dial")
    assert dial.findtext("Number") == "+868710000999"
    assert dial.attrib["action"] == "https://h.example/twilio/voice/after-dial"
    sip = twiml.TwimlOptions(base_url="https://h.example", operator_number="sip:desk@pbx.example")
    assert parse([Transfer(reason="0")], options=sip).find("Dial").findtext("Sip") == (
        "sip:desk@pbx.example"
    )


def test_after_dial_hangs_up_only_when_the_operator_answered() -> None:
    assert ET.fromstring(twiml.after_dial("completed", OPTIONS)).find("Hangup") is not None
    for status in ("no-answer", "busy", "failed", None):
        assert ET.fromstring(twiml.after_dial(status, OPTIONS)).find("Enqueue") is not None


def test_hangup_comes_after_the_last_sentence() -> None:
    root = parse([Say("已经为您叫车。"), Say("再见。"), Hangup()])
    assert [c.tag for c in root] == ["Say", "Say", "Hangup"]


def test_text_is_escaped() -> None:
    root = parse([Say("A & B <c>"), Hangup()])
    assert root.find("Say").findtext("prosody") == "A & B <c>"


def test_has_next_move() -> None:
    assert not twiml.has_next_move([])
    assert not twiml.has_next_move([Say("x")])
    assert twiml.has_next_move([Say("x"), Listen(expect="keys")])
