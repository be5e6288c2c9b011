"""POST /twilio/notify/status: Twilio's delivery status callbacks for outbox messages.

Signed like every Twilio webhook (`app.telephony.signature.TwilioForm`): a missing or
forged signature gets 403. A known sid (or `ref`) answers 204 after recording the status;
an unknown sid answers 204 too, so Twilio does not retry a callback we cannot use.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from app.core.db import Database
from app.notify.callbacks import apply_status
from app.telephony.signature import TwilioForm, TwilioWebhookRoute

router = APIRouter(prefix="/twilio/notify", tags=["notifications"], route_class=TwilioWebhookRoute)


@router.post("/status", status_code=204)
def delivery_status(request: Request, form: TwilioForm) -> Response:
    """Record MessageStatus / CallStatus for the message with this sid."""
    sid = str(form.get("MessageSid") or form.get("SmsSid") or form.get("CallSid") or "")
    status = str(form.get("MessageStatus") or form.get("SmsStatus") or form.get("CallStatus") or "")
    if not sid or not status:
        return PlainTextResponse("missing sid or status", status_code=400)
    error_code = form.get("ErrorCode")
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
