"""Where a caller who needs a person stands, and how a call-back attempt ended."""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    WAITING = "waiting"  # on the line, in the Twilio queue
    RINGING = "ringing"  # an operator picked up: the operator's phone is ringing
    CONNECTED = "connected"  # the operator and the caller are talking
    LEFT = "left"  # the caller hung up while waiting
    CALLBACK = "callback"  # a call-back task (the caller pressed 1, or a ride's 回拨)
    CALLING_BACK = "calling_back"  # the operator, then the caller, are being called
    DONE = "done"  # the call-back reached the caller


class CallbackOutcome(StrEnum):
    CONNECTED = "connected"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    OPERATOR_NO_ANSWER = "operator_no_answer"


# Rows the panel shows; the change marker reads these only (index ix_operator_requests_status).
OPEN = (
    RequestStatus.WAITING,
    RequestStatus.RINGING,
    RequestStatus.CONNECTED,
    RequestStatus.CALLBACK,
    RequestStatus.CALLING_BACK,
)
ON_THE_LINE = (RequestStatus.WAITING, RequestStatus.RINGING)

STATUS_LABELS: dict[RequestStatus, str] = {
    RequestStatus.WAITING: "等待接听",
    RequestStatus.RINGING: "正在呼叫调度员",
    RequestStatus.CONNECTED: "通话中",
    RequestStatus.LEFT: "来电者已挂断",
    RequestStatus.CALLBACK: "待回拨",
    RequestStatus.CALLING_BACK: "正在回拨",
    RequestStatus.DONE: "已回拨接通",
}

OUTCOME_LABELS: dict[CallbackOutcome, str] = {
    CallbackOutcome.CONNECTED: "已接通",
    CallbackOutcome.NO_ANSWER: "来电者未接",
    CallbackOutcome.BUSY: "来电者占线",
    CallbackOutcome.FAILED: "呼叫失败",
    CallbackOutcome.OPERATOR_NO_ANSWER: "调度员电话未接通",
}
