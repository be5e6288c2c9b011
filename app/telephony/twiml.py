"""Engine outputs -> TwiML, built with twilio's `VoiceResponse`.

- `Say` is spoken in Mandarin, slowed down for older callers with SSML `<prosody rate>`.
- `Listen` becomes `<Gather input="dtmf">` *containing* the prompts before it, so a key
  pressed during a prompt interrupts it (barge-in), followed by a `<Redirect>` to the
  same step with `silence=1`: when the caller presses nothing, Twilio falls through to
  the redirect and the silence reaches the engine as a `Silence` event.
- `Transfer` dials the operator number; with none configured the caller waits in the
  `operators` queue, shown on the operators' panel (app/telephony/operator_routes.py
  answers its wait URL and action; operators pick a caller up from the panel).
- `Hangup` comes after the last `<Say>`, so the caller always hears the last sentence.

Voice, language and speaking rates are in `app.callflow.voice`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from app import texts
from app.callflow.messages import Listen, Output, Pace, Say
from app.callflow.voice import LANGUAGE, PROSODY_RATE, TWILIO_VOICE

OPERATOR_QUEUE = "operators"
DIAL_TIMEOUT_S = 30  # ring the operator this long before queueing the caller instead
RECORD_FINISH_KEYS = "0123456789*#"
RECORD_MAX_LENGTH_S = 15
# A recording ends on this much silence (Twilio's <Record timeout>), never on a key the
# caller must remember: prompts say "说完等一等就好". Longer pauses of an older caller
# thinking of a house number fit; the question's own timeout_s (the wait for an answer
# at a <Gather>) may be longer and is not used here. A key still ends it (0 a person).
RECORD_END_SILENCE_S = 5

STEP_PATH = "/twilio/voice/step"
AFTER_DIAL_PATH = "/twilio/voice/after-dial"
# The operators' queue (app/telephony/operator_routes.py): what a waiting caller hears, and
# where Twilio reports how the caller left the queue.
QUEUE_WAIT_PATH = "/twilio/operators/wait"
QUEUE_LEFT_PATH = "/twilio/operators/left"

Parent: TypeAlias = VoiceResponse | Gather


@dataclass(frozen=True)
class TwimlOptions:
    """Where things go; absolute URLs are built from the public base URL."""

    base_url: str  # settings.public_base_url, without a trailing slash
    operator_number: str = ""
    voice: str = TWILIO_VOICE
    language: str = LANGUAGE
    # When a speech model is loaded, a Listen that accepts speech is rendered as
    # <Record finishOnKey="0123456789*#"> (a key still ends it and comes back as Digits);
    # `routes.step` recognises the recording. A Listen with `record` always records.
    speech_capture: bool = False

    def step_url(self, step: int, *, silence: bool = False) -> str:
        return f"{self.base_url}{STEP_PATH}?step={step}" + ("&silence=1" if silence else "")

    def continue_url(self, step: int, *, wait: int, recording_url: str) -> str:
        """Where Twilio comes back for a recording still being recognised (`routes.step`)."""
        query = urlencode({"wait": wait, "recording": recording_url})
        return f"{self.step_url(step)}&{query}"

    @property
    def after_dial_url(self) -> str:
        return f"{self.base_url}{AFTER_DIAL_PATH}"


def say(parent: Parent, text: str, pace: Pace, options: TwimlOptions) -> None:
    element = parent.say(voice=options.voice, language=options.language)
    element.prosody(text, rate=PROSODY_RATE[pace])


def has_next_move(outputs: Sequence[Output]) -> bool:
    """Whether the outputs end in something the caller can follow (listen, transfer, end)."""
    return any(o.kind in ("listen", "transfer", "hangup") for o in outputs)


def render(outputs: Sequence[Output], *, step: int, options: TwimlOptions) -> str:
    """One engine step's outputs as a TwiML document; Gather actions point at `step`."""
    response = VoiceResponse()
    pending: list[Say] = []
    for output in outputs:
        if isinstance(output, Say):
            pending.append(output)
        elif isinstance(output, Listen):
            _listen(response, output, pending, step, options)
            pending = []
        elif output.kind == "transfer":
            _flush(response, pending, options)
            pending = []
            transfer(response, options)
        elif output.kind == "hangup":
            _flush(response, pending, options)
            pending = []
            response.hangup()
    _flush(response, pending, options)
    return str(response.to_xml())


def transfer(response: VoiceResponse, options: TwimlOptions) -> None:
    """Ring the operator; a missed or busy operator (see after-dial) or none: the queue."""
    number = options.operator_number.strip()
    if not number:
        queue(response, options)
        return
    dial = response.dial(action=options.after_dial_url, method="POST", timeout=DIAL_TIMEOUT_S)
    if number.startswith("sip:"):
        dial.sip(number)
    else:
        dial.number(number)


def queue(response: VoiceResponse, options: TwimlOptions) -> None:
    say(response, texts.spoken("waiting_for_person"), "slow", options)
    response.enqueue(
        OPERATOR_QUEUE,
        wait_url=f"{options.base_url}{QUEUE_WAIT_PATH}",
        wait_url_method="POST",
        action=f"{options.base_url}{QUEUE_LEFT_PATH}",
        method="POST",
    )


def after_dial(dial_status: str | None, options: TwimlOptions) -> str:
    """After <Dial>: the operator talked to the caller -> hang up; else -> the queue."""
    response = VoiceResponse()
    if dial_status == "completed":
        response.hangup()
    else:
        queue(response, options)
    return str(response.to_xml())


def apology_and_transfer(message: str, options: TwimlOptions) -> str:
    """For an unknown call or an internal error: never silence, always a person."""
    response = VoiceResponse()
    say(response, message, "slow", options)
    transfer(response, options)
    return str(response.to_xml())


def hold(message: str, redirect_url: str, options: TwimlOptions) -> str:
    """A short holding sentence, then Twilio comes back to `redirect_url`."""
    response = VoiceResponse()
    say(response, message, "slow", options)
    response.redirect(redirect_url, method="POST")
    return str(response.to_xml())


def say_and_hang_up(message: str, options: TwimlOptions) -> str:
    """One sentence, then the call ends: no menu (e.g. for an answering machine)."""
    response = VoiceResponse()
    say(response, message, "slow", options)
    response.hangup()
    return str(response.to_xml())


def empty() -> str:
    return str(VoiceResponse().to_xml())


def _flush(response: VoiceResponse, pending: list[Say], options: TwimlOptions) -> None:
    for item in pending:
        say(response, item.text, item.pace, options)


def _listen(
    response: VoiceResponse, listen: Listen, prompts: list[Say], step: int, options: TwimlOptions
) -> None:
    # A recording ends at the first key, so answers of several keys (an ID number) gather.
    spoken = options.speech_capture and listen.input != "keys" and listen.max_digits == 1
    if listen.record or spoken:
        _record(response, listen, prompts, step, options)
        return
    gather = response.gather(
        input="dtmf",
        num_digits=max(listen.max_digits, 1),
        timeout=listen.timeout_s,
        finish_on_key=listen.finish_on_key,
        action=options.step_url(step),
        method="POST",
    )
    for item in prompts:
        say(gather, item.text, item.pace, options)
    response.redirect(options.step_url(step, silence=True), method="POST")


def _record(
    response: VoiceResponse, listen: Listen, prompts: list[Say], step: int, options: TwimlOptions
) -> None:
    """The speech seam: prompts, then a recording that any key also ends."""
    _flush(response, prompts, options)
    response.record(
        action=options.step_url(step),
        method="POST",
        finish_on_key=RECORD_FINISH_KEYS,
        timeout=min(listen.timeout_s, RECORD_END_SILENCE_S),
        max_length=RECORD_MAX_LENGTH_S,
        play_beep=listen.record,  # "请在嘀一声后说": the caller's words are kept
        trim="trim-silence",
    )
    response.redirect(options.step_url(step, silence=True), method="POST")
