"""Twilio voice webhooks: each request is one engine step, answered with TwiML.

    POST /twilio/voice              incoming call            -> CallStarted, key "start"
    POST /twilio/voice/step?step=N  Gather answer / silence  -> Keys | Silence, "step:N:kind"
                                    Record answer -> Speech, "step:N:speech"; when the
                                    recording's text takes longer than the hold time:
                                    请稍等 + <Redirect> to ?step=N&wait=K&recording=URL
    POST /twilio/voice/status       status callback          -> HangUp, key "hangup"
    POST /twilio/voice/after-dial   <Dial> finished          -> hang up, or queue the caller
    POST /twilio/voice/stream       incoming call, media-stream deployments -> <Connect>
    POST /twilio/voice/stream/ended <Connect> action when our stream closes
    WS   /twilio/media              the media stream itself (see `media`)

Every request must be signed (403 otherwise, nothing written); a body that is not a
Twilio form gets 400. Event keys make a Twilio retry of the same request return the
stored TwiML without re-running the step. A stale step (N is not the call's current
step and was never answered) re-serves the latest prompt instead of applying the keys to
the wrong question. An unknown call or any internal error gets spoken TwiML that hands
the caller to a person: never silence, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.twiml.voice_response import VoiceResponse

from app import texts
from app.callflow.engine import fallback_outputs
from app.callflow.messages import CallStarted, Event, HangUp, Keys, Listen, Silence, Speech
from app.calls.enums import CallChannel
from app.calls.service import CallService, CallView, UnknownCallError
from app.core.config import Settings
from app.core.logging import log_fields, mask_phone
from app.operators.desk import desk_for
from app.telephony import forms, stream_token, twiml
from app.telephony.media import router as media_router
from app.telephony.operator_routes import router as operator_router
from app.telephony.pending_recognition import MAX_HOLDS, RecognitionJobs, result_within
from app.telephony.recordings import transcribe
from app.telephony.signature import TwilioForm, TwilioWebhookRoute, WebhookRejected, public_url
from app.understanding.phrases import phrase_list

logger = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
XML = "application/xml"
MEDIA_PATH = "/twilio/media"
STREAM_ENDED_PATH = "/twilio/voice/stream/ended"
STALE_STEP = -1  # never a call's current step


router = APIRouter(prefix="/twilio", tags=["twilio"], route_class=TwilioWebhookRoute)
router.include_router(media_router)
router.include_router(operator_router)


def options_for(settings: Settings, *, speech_available: bool = False) -> twiml.TwimlOptions:
    return twiml.TwimlOptions(
        base_url=settings.public_base_url.rstrip("/"),
        operator_number=settings.operator_number,
        speech_capture=speech_available,
    )


def _options(request: Request) -> twiml.TwimlOptions:
    speech = getattr(request.app.state, "speech", None)
    return options_for(
        request.app.state.settings, speech_available=bool(speech and speech.available)
    )


def xml(body: str) -> Response:
    return Response(content=body, media_type=XML)


@router.post("/voice")
async def incoming_call(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    from_number = forms.optional_number(form, "From")
    to_number = forms.optional_number(form, "To")
    logger.info(
        "incoming call",
        extra=log_fields(call_id=sid, from_=mask_phone(from_number), to=mask_phone(to_number)),
    )
    event = CallStarted(from_number, to_number)
    return await _answer(request, lambda: _run(request, sid, event, "start", step=None))


@router.post("/voice/step")
async def step(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    # A step number no Gather of ours carried (`²`) is answered as a stale step: -1.
    number = forms.step_number(request.query_params.get("step"))
    if number is None:
        number = STALE_STEP
    wait = request.query_params.get("wait")
    if wait is not None:  # Twilio is back for a recording still being recognised
        holds, recording_url = _continue_params(wait, request.query_params.get("recording"))
        return await _recording(request, sid, recording_url, step=number, holds=holds)
    pressed = forms.digits(form)
    recording_url = forms.text(form, "RecordingUrl").strip()
    if recording_url and pressed in ("", "#"):
        # The caller spoke after the tone (a key other than # ends a recording as a key).
        return await _recording(request, sid, recording_url, step=number, holds=0)
    event: Event
    if request.query_params.get("silence") == "1" or not pressed:
        kind, event = "silence", Silence()
    else:
        kind, event = "keys", Keys(pressed)
    key = f"step:{number}:{kind}"
    return await _answer(request, lambda: _run(request, sid, event, key, step=number))


def _phrases_for(view: CallView | None) -> list[str] | None:
    """The phrase list of the question being answered; free text uses the full vocabulary."""
    outputs = view.latest.outputs if view and view.latest else []
    listen = next((o for o in outputs if isinstance(o, Listen)), None)
    if listen is None or listen.expect in ("free_text", "keys"):
        return None
    return phrase_list(listen.expect)


def _continue_params(wait: str, recording: str | None) -> tuple[int, str]:
    """`wait` and `recording` of a continue URL (`TwimlOptions.continue_url`); 400 else."""
    if not (wait.isascii() and wait.isdigit() and 1 <= int(wait) <= MAX_HOLDS):
        raise WebhookRejected(400, f"malformed Twilio webhook: ?wait= must be 1 to {MAX_HOLDS}")
    if not recording or not recording.startswith(("https://", "http://")):
        raise WebhookRejected(400, "malformed Twilio webhook: ?recording= must be a URL")
    return int(wait), recording


def _jobs(request: Request) -> RecognitionJobs:
    jobs: RecognitionJobs | None = getattr(request.app.state, "recognition_jobs", None)
    if jobs is None:
        jobs = request.app.state.recognition_jobs = RecognitionJobs()
    return jobs


async def _recording(
    request: Request, sid: str, recording_url: str, *, step: int, holds: int
) -> Response:
    """Recognise the recording in a worker, then apply it as speech, key `step:N:speech`.

    Not ready within `recognition_hold_seconds`: the caller hears 请稍等 and Twilio comes
    back to the continue URL (`holds` + 1). After MAX_HOLDS the answer counts as not
    understood. A retry of an applied step gets its stored answer without recognising.
    """
    key = f"step:{step}:speech"
    service: CallService = request.app.state.call_service
    settings: Settings = request.app.state.settings
    text = ""
    try:
        if await run_in_threadpool(service.stored, sid, key) is None:  # not a retry
            job = (sid, step)
            future = _jobs(request).start(job, lambda: _recognise(request, sid, recording_url))
            heard = await result_within(future, settings.recognition_hold_seconds)
            if heard is None and holds < MAX_HOLDS:
                url = _options(request).continue_url(
                    step, wait=holds + 1, recording_url=recording_url
                )
                return xml(twiml.hold(texts.spoken("recognition_hold"), url, _options(request)))
            _jobs(request).forget(job)
            if heard is None:
                logger.warning("recognition too slow; answer taken as not understood")
            text = heard or ""
    except Exception:
        logger.exception("recognition failed; the caller is handed to a person")
        return xml(_fallback(request))
    event = Speech(text, recording_url=recording_url)
    return await _answer(request, lambda: _run(request, sid, event, key, step=step))


def _recognise(request: Request, sid: str, recording_url: str) -> str:
    """In a worker thread: what the caller said ("" without a model or on bad audio)."""
    service: CallService = request.app.state.call_service
    return transcribe(
        recording_url,
        speech=getattr(request.app.state, "speech", None),
        settings=request.app.state.settings,
        phrases=_phrases_for(service.view(sid)),
    )


@router.post("/voice/status")
async def status(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    call_status = forms.text(form, "CallStatus").strip()
    if call_status not in FINAL_STATUSES:
        return Response(status_code=204)
    service: CallService = request.app.state.call_service

    def hang_up() -> bool:
        try:
            service.handle(call_id=sid, event=HangUp(), event_key="hangup", channel=_channel())
        except UnknownCallError:
            return False
        return True

    try:
        known = await run_in_threadpool(hang_up)
    except Exception:
        logger.exception("status callback failed", extra=log_fields(call_id=sid))
        return Response(status_code=204)
    if not known:
        logger.info("status for a call not started here", extra=log_fields(call_id=sid))
        return Response(status_code=204)
    return xml(twiml.empty())


@router.post("/voice/after-dial")
async def after_dial(request: Request, form: TwilioForm) -> Response:
    dial_status = forms.text(form, "DialCallStatus").strip() or None
    options = options_for(request.app.state.settings)
    if dial_status == "completed":  # the fixed operator number talked to the caller
        desk, sid = desk_for(request.app.state), forms.call_sid(form)
        await run_in_threadpool(lambda: desk.answered_elsewhere(call_sid=sid))
    return xml(twiml.after_dial(dial_status, options))


@router.post("/voice/stream")
async def incoming_stream_call(request: Request, form: TwilioForm) -> Response:
    """For deployments that run calls over a media stream: connect the call to /twilio/media.

    The call itself starts on the socket (`start` message); From/To travel as parameters,
    with a per-call token that binds the stream to this call (`stream_token`).
    When our side closes the stream, Twilio asks `stream/ended` what to do next.
    """
    sid = forms.call_sid(form)
    settings: Settings = request.app.state.settings
    response = VoiceResponse()
    connect = response.connect(action=public_url(settings, STREAM_ENDED_PATH), method="POST")
    stream = connect.stream(url=public_url(settings, MEDIA_PATH, websocket=True))
    numbers = {name: forms.optional_number(form, name) or "" for name in ("From", "To")}
    for name, value in numbers.items():
        if value:
            stream.parameter(name=name, value=value)
    token = stream_token.issue(settings.secret_key, sid, numbers["From"], numbers["To"])
    stream.parameter(name=stream_token.TOKEN_PARAMETER, value=token)
    logger.info("incoming call for the media stream", extra=log_fields(call_id=sid))
    return xml(str(response.to_xml()))


@router.post("/voice/stream/ended")
async def stream_ended(request: Request, form: TwilioForm) -> Response:
    """Our side closed the stream with the caller still on the line: finish the call.

    The goodbye was already played on the stream, so a finished call hangs up; anything
    else (a transfer, or a stream that dropped mid-call) goes to a person.
    """
    sid = forms.call_sid(form)
    service: CallService = request.app.state.call_service
    options = options_for(request.app.state.settings)
    try:
        view = await run_in_threadpool(service.view, sid)
    except Exception:
        logger.exception("could not read the call after its stream ended")
        view = None
    latest = view.latest.outputs if view and view.latest else []
    response = VoiceResponse()
    if any(o.kind == "hangup" for o in latest):
        response.hangup()
    elif any(o.kind == "transfer" for o in latest):
        twiml.transfer(response, options)
    else:
        return xml(twiml.apology_and_transfer(texts.spoken("system_error"), options))
    return xml(str(response.to_xml()))


# --- one engine step as TwiML ---------------------------------------------------------------


def _channel() -> CallChannel:
    return CallChannel.TWILIO


async def _answer(request: Request, work: Callable[[], str]) -> Response:
    """Run the step off the event loop; any failure still answers with a transfer."""
    try:
        return xml(await run_in_threadpool(work))
    except Exception:
        logger.exception("webhook failed; the caller is handed to a person")
        return xml(_fallback(request))


def _fallback(request: Request) -> str:
    try:
        options = options_for(request.app.state.settings)
    except Exception:
        options = twiml.TwimlOptions(base_url="")
    return twiml.apology_and_transfer(texts.spoken("system_error"), options)


def _run(request: Request, sid: str, event: Event, key: str, *, step: int | None) -> str:
    """One step in one transaction (`CallService.handle` with `at_step`): a retry gets its
    stored answer, a stale step (N is not the call's current one, and it was never
    answered) the latest prompt again, since the keys were meant for a question no longer
    asked."""
    service: CallService = request.app.state.call_service
    options = _options(request)
    try:
        result = service.handle(
            call_id=sid, event=event, event_key=key, channel=_channel(), at_step=step
        )
    except UnknownCallError:
        if step is not None:
            logger.warning("step for a call not started here", extra=log_fields(call_id=sid))
        return twiml.apology_and_transfer(texts.spoken("unknown_call"), options)
    if result.stale and not result.outputs:
        return twiml.render(fallback_outputs(service.engine.flows), step=0, options=options)
    if not twiml.has_next_move(result.outputs):
        # e.g. keys arriving after the call ended: repeat what the caller last heard.
        view = service.view(sid)
        if view is not None and view.latest is not None:
            return twiml.render(view.latest.outputs, step=view.latest.step, options=options)
        return twiml.render(fallback_outputs(service.engine.flows), step=0, options=options)
    return twiml.render(result.outputs, step=result.step, options=options)
