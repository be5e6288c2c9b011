"""Calls an operator's phone and moves a waiting caller, with the real twilio client.

Unlike SMS and notification calls, these are not written to the outbox: an operator who
clicks "接听" is waiting for their phone to ring now, and a call placed minutes later by a
retrying worker would ring for a caller who is long gone. A refused request is shown to
the operator at once instead (and the caller stays in line). The client is built like the
outbox sender's (`app.notify.sender.TwilioSender`), so `twilio_api_base` points both at
the fake Twilio in tests.
"""

from __future__ import annotations

from app.core.config import Settings
from app.notify.outgoing import SendError

# `app.notify.sender` (the twilio REST client and requests, ~0.06 s to import) is imported
# when a call is placed, not when the dispatch console's modules load at start-up.

RING_SECONDS = 25  # ring the operator this long before Twilio reports no-answer
NOT_CONFIGURED = "没有配置电话服务，无法拨打调度员的电话。请联系系统管理员。"


class DialError(Exception):
    """Twilio refused or could not be reached; `message` is for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Dialer:
    def __init__(self, settings: Settings) -> None:
        if not settings.notifications_configured:
            raise DialError(NOT_CONFIGURED)
        from app.notify.sender import TwilioSender

        self.settings = settings
        self.client = TwilioSender(settings).client

    def ring(self, *, to: str, answer_url: str, status_url: str) -> str:
        """Call `to`; when answered Twilio fetches `answer_url`. Returns the call sid."""
        try:
            call = self.client.calls.create(
                to=to,
                from_=self.settings.twilio_from_number,
                url=answer_url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                timeout=RING_SECONDS,
            )
        except Exception as exc:
            from app.notify.sender import classify

            raise DialError(_reason(classify(exc, "ring operator"))) from exc
        return str(call.sid)

    def redirect(self, call_sid: str, twiml: str) -> None:
        """Give an ongoing call (a caller waiting in the queue) new TwiML."""
        try:
            self.client.calls(call_sid).update(twiml=twiml)
        except Exception as exc:
            from app.notify.sender import classify

            raise DialError(_reason(classify(exc, "redirect caller"))) from exc


def _reason(error: SendError) -> str:
    return f"电话服务没有接受这次呼叫（{str(error)[:120]}）。"
