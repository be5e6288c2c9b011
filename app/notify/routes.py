"""POST /twilio/notify/status: Twilio's delivery status callbacks for outbox messages.

Signed like every Twilio webhook (`app.telephony.signature.TwilioForm`): a missing or
forged signature gets 403. A known sid (or `ref`) answers 204 after recording the status;
an unknown sid answers 204 too, so Twilio does not retry a callback we cannot use.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.datastructures import FormData

from app.core.db import Database
from app.notify.callbacks import apply_status
from app.telephony import forms
from app.telephony.signature import TwilioForm, TwilioWebhookRoute

router = APIRouter(prefix="/twilio/notify", tags=["notifications"], route_class=TwilioWebhookRoute)


@router.post("/status", status_code=204)
def delivery_status(request: Request, form: TwilioForm) -> Response:
    """Record MessageStatus / CallStatus for the message with this sid."""
    # forms.text refuses a file or a control character (400): PostgreSQL stores no NUL
    sid = _first(form, "MessageSid", "SmsSid", "CallSid")
    status = _first(form, "MessageStatus", "SmsStatus", "CallStatus")
    if not sid or not status:
        return PlainTextResponse("missing sid or status", status_code=400)
    error_code = forms.text(form, "ErrorCode")
    db: Database = request.app.state.db
    with db.session() as session:
        apply_status(
            session,
            sid=sid[:64],
            provider_status=status,
            ref=request.query_params.get("ref"),
            error_code=str(error_code)[:20] if error_code else None,
        )
    return Response(status_code=204)


def _first(form: FormData, *names: str) -> str:
    """The first of these fields that is filled in, or ""."""
    return next((value for name in names if (value := forms.text(form, name))), "")
