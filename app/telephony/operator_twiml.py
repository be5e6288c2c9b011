"""TwiML around the operators' queue: waiting, the call-back offer, bridging and call-backs.

A picked-up caller and the operator meet in a conference named after the request
(`operator-request-N`): the caller's queued call is redirected into it once the operator
has answered (see docs/telephony.md, "Operators").
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from app import texts
from app.telephony.twiml import QUEUE_LEFT_PATH, QUEUE_WAIT_PATH, TwimlOptions, say

BASE = "/twilio/operators"
WAIT_PATH = QUEUE_WAIT_PATH
CHOICE_PATH = f"{BASE}/wait/choice"
LEFT_PATH = QUEUE_LEFT_PATH
ANSWER_PATH = f"{BASE}/answer"
CALLBACK_ANSWER_PATH = f"{BASE}/callback-answer"
CALLBACK_RESULT_PATH = f"{BASE}/callback-result"
STATUS_PATH = f"{BASE}/status"
WAIT_PAUSE_S = 20
OFFER_GATHER_S = 6
CALLBACK_RING_S = 30


def url(options: TwimlOptions, path: str, request_id: int | None = None) -> str:
    suffix = f"?request={request_id}" if request_id is not None else ""
    return f"{options.base_url}{path}{suffix}"


def conference_name(request_id: int) -> str:
    return f"operator-request-{request_id}"


def _conference(response: VoiceResponse, request_id: int) -> None:
    dial: Dial = response.dial()
    dial.conference(
        conference_name(request_id),
        beep="false",
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        wait_url="",
    )


def wait(options: TwimlOptions, *, offer_callback: bool) -> str:
    """One round of the queue's wait TwiML; Twilio asks again when it has played."""
    response = VoiceResponse()
    if offer_callback:
        gather = response.gather(
            input="dtmf",
            num_digits=1,
            timeout=OFFER_GATHER_S,
            action=url(options, CHOICE_PATH),
            method="POST",
        )
        say(gather, texts.spoken("operator_wait_offer"), "slow", options)
    else:
        say(response, texts.spoken("operator_wait"), "slow", options)
    response.pause(length=WAIT_PAUSE_S)
    return str(response.to_xml())


def callback_chosen(options: TwimlOptions) -> str:
    """The caller pressed 1: a goodbye, then out of the queue (the Enqueue action hangs up)."""
    response = VoiceResponse()
    say(response, texts.spoken("operator_callback_chosen"), "slow", options)
    response.leave()
    return str(response.to_xml())


def keep_waiting(options: TwimlOptions) -> str:
    response = VoiceResponse()
    say(response, texts.spoken("operator_keep_waiting"), "slow", options)
    return str(response.to_xml())


def caller_into_conference(request_id: int) -> str:
    """What the waiting caller's call is redirected to once the operator answered."""
    response = VoiceResponse()
    _conference(response, request_id)
    return str(response.to_xml())


def operator_bridge(request_id: int, options: TwimlOptions) -> str:
    response = VoiceResponse()
    say(response, texts.spoken("operator_bridge"), "normal", options)
    _conference(response, request_id)
    return str(response.to_xml())


def operator_told(key: str, options: TwimlOptions) -> str:
    """A sentence to the operator on their phone, then hang up."""
    response = VoiceResponse()
    say(response, texts.spoken(key), "normal", options)
    response.hangup()
    return str(response.to_xml())


def callback_dial(
    request_id: int, caller_number: str, caller_id: str, options: TwimlOptions
) -> str:
    """The operator answered a call-back: dial the caller, showing the hotline's number."""
    response = VoiceResponse()
    say(response, texts.spoken("operator_callback_dialing"), "normal", options)
    dial = response.dial(
        caller_id=caller_id,
        timeout=CALLBACK_RING_S,
        action=url(options, CALLBACK_RESULT_PATH, request_id),
        method="POST",
    )
    dial.number(caller_number)
    return str(response.to_xml())


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response.to_xml())


def empty() -> str:
    return str(VoiceResponse().to_xml())
