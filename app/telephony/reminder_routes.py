"""Twilio webhooks of the reminder call the day before an appointment (the hotline calls).

    POST /twilio/reminder/answer?reminder=N   the patient picked up -> CallStarted in the
                                              `reminder` flow (dialogs/reminder.yaml), key
                                              "start"; later steps use /twilio/voice/step;
                                              AnsweredBy a machine (Twilio's machine
                                              detection): a short message and hang up, no
                                              menu, the try not reached
    POST /twilio/reminder/status?reminder=N&ref=M
                                              the call's status: the outbox row (M) is
                                              updated; a final status ends the call in the
                                              engine (HangUp) and settles the try: answered,
                                              retried later, or the family told

Signed like every Twilio webhook (`TwilioWebhookRoute`). The patient is the call's
`from_number` for the engine (the person the flow talks to and books for), the hotline's
number its `to_number`. A retried answer or status request changes nothing twice: the step
is keyed, the try records its final status once.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app import texts
from app.callflow.messages import CallStarted, HangUp
from app.calls.service import CallService, UnknownCallError
from app.core.logging import log_fields
from app.db.base import parse_id
from app.hospital import reminders
from app.notify.callbacks import apply_status
from app.telephony import forms, twiml
from app.telephony.routes import FINAL_STATUSES, _answer, _channel, _options, _run, xml
from app.telephony.signature import TwilioForm, TwilioWebhookRoute, WebhookRejected

logger = logging.getLogger(__name__)

REMINDER_FLOW = "reminder"

router = APIRouter(prefix="/twilio", tags=["twilio"], route_class=TwilioWebhookRoute)


def _reminder_id(request: Request) -> int:
    value = request.query_params.get("reminder", "")
    reminder_id = parse_id(value)
    if reminder_id is None:
        raise WebhookRejected(400, "malformed Twilio webhook: ?reminder= must be a number")
    return reminder_id


@router.post("/reminder/answer")
async def answer(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    reminder_id = _reminder_id(request)
    patient = forms.optional_number(form, "To")
    hotline = forms.optional_number(form, "From")
    db = request.app.state.db
    if reminders.answered_by_machine(forms.text(form, "AnsweredBy")):

        def machine() -> str:
            with db.session() as session:
                reminders.machine_answered(session, reminder_id=reminder_id, call_sid=sid)
            return twiml.say_and_hang_up(texts.voice("reminder_machine"), _options(request))

        logger.info("reminder call reached a machine",
                    extra=log_fields(call_id=sid, reminder=reminder_id))
        return await _answer(request, machine)

    def work() -> str:
        with db.session() as session:
            reminders.attach_call(session, reminder_id=reminder_id, call_sid=sid)
        event = CallStarted(patient, hotline, flow=REMINDER_FLOW)
        return _run(request, sid, event, "start", step=None)

    logger.info("reminder call answered", extra=log_fields(call_id=sid, reminder=reminder_id))
    return await _answer(request, work)


@router.post("/reminder/status")
async def status(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    reminder_id = _reminder_id(request)
    call_status = forms.text(form, "CallStatus").strip()
    db = request.app.state.db
    service: CallService = request.app.state.call_service
    settings = request.app.state.settings

    def work() -> None:
        with db.session() as session:
            apply_status(
                session, sid=sid, provider_status=call_status,
                ref=request.query_params.get("ref"),
            )
        if call_status not in FINAL_STATUSES:
            return
        # Answered: the engine's call ends (on_hang_up records what was heard); never
        # answered: no call started here.
        with suppress(UnknownCallError):
            service.handle(call_id=sid, event=HangUp(), event_key="hangup", channel=_channel())
        with db.session() as session:
            outcome = reminders.call_finished(
                session, reminder_id=reminder_id, call_status=call_status,
                now=service.clock(), settings=settings,
            )
        logger.info(
            "reminder call ended: %s", outcome, extra=log_fields(call_id=sid, reminder=reminder_id)
        )

    try:
        await run_in_threadpool(work)
    except Exception:
        logger.exception("reminder status callback failed", extra=log_fields(call_id=sid))
        return Response(status_code=500)  # Twilio retries the callback
    return xml(twiml.empty())
