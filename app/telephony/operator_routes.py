"""Twilio webhooks of the operators' queue and of operators' own calls.

    POST /twilio/operators/wait                 Enqueue waitUrl: reassurance; after
                                                `operator_callback_offer_seconds` also
                                                "press 1 for a call-back"
    POST /twilio/operators/wait/choice          the key pressed at that offer
    POST /twilio/operators/left                 Enqueue action: how the caller left
    POST /twilio/operators/answer?request=N     the operator answered a pick-up
    POST /twilio/operators/callback-answer?request=N   the operator answered a call-back
    POST /twilio/operators/callback-result?request=N   <Dial> to the caller finished
    POST /twilio/operators/status?request=N     status callback of the operator's call

All signed like every Twilio webhook (`TwilioWebhookRoute`). The work is done by
`app.operators.desk.OperatorDesk`; these routes turn its answers into TwiML.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.consoles.auth import NowDep
from app.operators.desk import OperatorDesk, desk_for
from app.operators.enums import CallbackOutcome
from app.telephony import forms
from app.telephony import operator_twiml as ot
from app.telephony.signature import TwilioForm, TwilioWebhookRoute, WebhookRejected
from app.telephony.twiml import TwimlOptions

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/operators", route_class=TwilioWebhookRoute)  # under /twilio
XML = "application/xml"


def _xml(body: str) -> Response:
    return Response(content=body, media_type=XML)


def _desk(request: Request) -> OperatorDesk:
    return desk_for(request.app.state)


def _options(request: Request) -> TwimlOptions:
    return _desk(request).options


def _request_id(request: Request) -> int:
    raw = request.query_params.get("request", "")
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
        raise WebhookRejected(400, "malformed Twilio webhook: ?request= must be a request id")
    return int(raw)


@router.post("/wait")
async def wait(request: Request, form: TwilioForm, now: NowDep) -> Response:
    sid = forms.call_sid(form)
    offer = await run_in_threadpool(lambda: _desk(request).offer_callback(call_sid=sid, now=now))
    return _xml(ot.wait(_options(request), offer_callback=offer))


@router.post("/wait/choice")
async def wait_choice(request: Request, form: TwilioForm) -> Response:
    sid = forms.call_sid(form)
    if forms.digits(form) == "1":
        chosen = await run_in_threadpool(lambda: _desk(request).choose_callback(call_sid=sid))
        if chosen:
            return _xml(ot.callback_chosen(_options(request)))
    return _xml(ot.keep_waiting(_options(request)))


@router.post("/left")
async def left(request: Request, form: TwilioForm) -> Response:
    """Enqueue action: `hangup` ends the wait; `leave` follows a chosen call-back (the
    goodbye was said: hang up). `redirected` (a pick-up moved the call into its conference)
    and anything else get an empty answer, so nothing overrides the new TwiML."""
    sid = forms.call_sid(form)
    result = forms.text(form, "QueueResult").strip()
    if result == "hangup":
        await run_in_threadpool(lambda: _desk(request).caller_left(call_sid=sid))
    return _xml(ot.hang_up() if result == "leave" else ot.empty())


@router.post("/answer")
async def answer(request: Request, form: TwilioForm) -> Response:
    request_id = _request_id(request)
    sid = forms.call_sid(form)
    desk = _desk(request)
    bridge = await run_in_threadpool(
        lambda: desk.operator_answered(request_id=request_id, operator_call_sid=sid)
    )
    if bridge.caller_gone:
        return _xml(ot.operator_told("operator_caller_gone", desk.options))
    return _xml(ot.operator_bridge(request_id, desk.options))


@router.post("/callback-answer")
async def callback_answer(request: Request, form: TwilioForm) -> Response:
    request_id = _request_id(request)
    sid = forms.call_sid(form)
    desk = _desk(request)
    number = await run_in_threadpool(
        lambda: desk.callback_answered(request_id=request_id, operator_call_sid=sid)
    )
    if number is None:
        return _xml(ot.hang_up())
    caller_id = request.app.state.settings.hotline_number
    return _xml(ot.callback_dial(request_id, number, caller_id, desk.options))


@router.post("/callback-result")
async def callback_result(request: Request, form: TwilioForm) -> Response:
    request_id = _request_id(request)
    status = forms.text(form, "DialCallStatus")
    desk = _desk(request)
    outcome = await run_in_threadpool(
        lambda: desk.callback_result(request_id=request_id, dial_status=status)
    )
    if outcome == CallbackOutcome.CONNECTED:
        return _xml(ot.hang_up())
    return _xml(ot.operator_told("operator_callback_unanswered", desk.options))


@router.post("/status")
async def status(request: Request, form: TwilioForm) -> Response:
    request_id = _request_id(request)
    sid = forms.call_sid(form)
    call_status = forms.text(form, "CallStatus")
    await run_in_threadpool(
        lambda: _desk(request).operator_call_ended(
            request_id=request_id, operator_call_sid=sid, call_status=call_status
        )
    )
    return Response(status_code=204)
