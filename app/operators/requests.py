"""Callers who need a person, as one state machine per `OperatorRequest` row.

    (transfer) WAITING --pick_up--> RINGING --operator answers--> CONNECTED --> DONE
                  |  ^                 |
                  |  +---operator's phone does not answer (caller stays first in line)
                  +--caller hangs up (also from RINGING)--> LEFT
                  +--caller presses 1 (long wait)--> CALLBACK
    (ride 回拨) CALLBACK --start_callback--> CALLING_BACK --caller answers--> DONE
                  ^                              |
                  +--no answer / busy / failed---+ (outcome kept; the task can be retried)

Every change is one conditional UPDATE on the expected status (and, after a pick-up, the
operator's call sid), so two operators can never take the same caller and a late or
repeated Twilio callback never moves a row backwards. Nothing here talks to Twilio: the
console routes and the webhooks in app/telephony/operator_routes.py do, after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.calls.enums import CallChannel
from app.calls.models import Call
from app.db.base import utcnow
from app.operators.enums import ON_THE_LINE, OPEN, CallbackOutcome, RequestStatus
from app.operators.models import OperatorRequest
from app.staff.models import StaffUser

# Twilio reports on an operator's ring within its 25 s timeout; twice that and more means
# the report was lost.
STALE_RING = timedelta(seconds=90)
NOT_FOUND = "找不到这位来电者，可能已经处理完了。"
CALLER_LEFT = "来电者已经挂断了，无法接听。可以在叫车队列或来电记录里回拨。"
NO_PHONE = "您的账号还没有设置电话号码：请系统管理员为您登记电话号码后再接听。"
NO_NUMBER = "来电号码未知（来电者隐藏了号码），无法回拨。"
NOT_A_CALLBACK = "这位来电者正在排队，请用“接听”。"
NOT_WAITING = "这位来电者在等回拨，请用“回拨”。"


class OperatorRequestError(Exception):
    """A refused panel action; `message` is shown to the operator."""

    def __init__(self, message: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


def on_transfer(session: Session, call: Call, *, now: datetime) -> None:
    """The call flow handed `call` to a person: the caller now waits in the Twilio queue.

    Simulated calls wait nowhere, so they get no row.
    """
    if call.channel == CallChannel.SIMULATOR:
        return
    if session.scalar(select(OperatorRequest.id).where(OperatorRequest.call_id == call.id)):
        return
    session.add(
        OperatorRequest(
            call_id=call.id,
            caller_number=call.from_number,
            status=RequestStatus.WAITING,
            queued_at=now,
            updated_at=now,
        )
    )


def _move(
    session: Session,
    request_id: int,
    *,
    expected: Iterable[RequestStatus],
    match_sid: str | None = None,
    **values: Any,
) -> bool:
    """Change one row if it is in an expected status; True if it was changed."""
    statement = (
        update(OperatorRequest)
        .where(OperatorRequest.id == request_id, OperatorRequest.status.in_(tuple(expected)))
        .values(version=OperatorRequest.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if match_sid is not None:  # a Twilio callback about the operator's call: that call only
        statement = statement.where(
            (OperatorRequest.operator_call_sid == match_sid)
            | OperatorRequest.operator_call_sid.is_(None)
        )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def _refusal(session: Session, request_id: int, wanted: RequestStatus) -> OperatorRequestError:
    row = session.get(OperatorRequest, request_id, populate_existing=True)
    if row is None:
        return OperatorRequestError(NOT_FOUND)
    if row.status == RequestStatus.LEFT:
        return OperatorRequestError(CALLER_LEFT)
    if row.status in (RequestStatus.RINGING, RequestStatus.CONNECTED, RequestStatus.CALLING_BACK):
        operator = session.get(StaffUser, row.operator_id) if row.operator_id else None
        who = operator.display_name if operator else "其他调度员"
        return OperatorRequestError(f"这位来电者已经由{who}接起了。")
    if row.status == RequestStatus.CALLBACK and wanted == RequestStatus.WAITING:
        return OperatorRequestError(NOT_WAITING)
    if row.status == RequestStatus.WAITING and wanted == RequestStatus.CALLBACK:
        return OperatorRequestError(NOT_A_CALLBACK)
    return OperatorRequestError(NOT_FOUND)


def _operator_phone(staff: StaffUser) -> str:
    if not staff.phone_number:
        raise OperatorRequestError(NO_PHONE, conflict=False)
    return staff.phone_number


def pick_up(
    session: Session, *, request_id: int, staff: StaffUser, now: datetime | None = None
) -> str:
    """Take a waiting caller for `staff`; returns the operator's phone to ring.

    A ring that Twilio never reported on within `STALE_RING` (our status callback was
    lost) does not hold the caller hostage: it can be taken over like a waiting caller.
    Raises OperatorRequestError when someone else was faster or the caller has left.
    """
    phone = _operator_phone(staff)
    changes: dict[str, Any] = {
        "status": RequestStatus.RINGING,
        "operator_id": staff.id,
        "operator_call_sid": None,
        "note": f"正在呼叫{staff.display_name}的电话",
    }
    taken = _move(session, request_id, expected=(RequestStatus.WAITING,), **changes)
    if not taken:
        stale = (now or utcnow()) - STALE_RING
        taken = bool(
            session.execute(
                update(OperatorRequest)
                .where(
                    OperatorRequest.id == request_id,
                    OperatorRequest.status == RequestStatus.RINGING,
                    OperatorRequest.updated_at < stale,
                )
                .values(version=OperatorRequest.version + 1, updated_at=utcnow(), **changes)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
        )
    if not taken:
        raise _refusal(session, request_id, RequestStatus.WAITING)
    return phone


def start_callback(session: Session, *, request_id: int, staff: StaffUser) -> tuple[str, str]:
    """Start (or retry) a call-back by `staff`; returns (operator phone, caller number)."""
    phone = _operator_phone(staff)
    row = session.get(OperatorRequest, request_id)
    if row is None:
        raise OperatorRequestError(NOT_FOUND)
    if not row.caller_number:
        raise OperatorRequestError(NO_NUMBER, conflict=False)
    taken = _move(
        session,
        request_id,
        expected=(RequestStatus.CALLBACK,),
        status=RequestStatus.CALLING_BACK,
        operator_id=staff.id,
        operator_call_sid=None,
        outcome=None,
        attempts=OperatorRequest.attempts + 1,
        note=f"正在呼叫{staff.display_name}的电话，接通后拨打来电者",
    )
    if not taken:
        raise _refusal(session, request_id, RequestStatus.CALLBACK)
    return phone, row.caller_number


def callback_for_ride(session: Session, *, ride_id: int, caller_number: str | None) -> int:
    """The call-back task of a ride ("回拨来电者"): the open one, or a new one."""
    if not caller_number:
        raise OperatorRequestError(NO_NUMBER, conflict=False)
    open_task = session.scalar(
        select(OperatorRequest.id).where(
            OperatorRequest.ride_id == ride_id,
            OperatorRequest.status.in_((RequestStatus.CALLBACK, RequestStatus.CALLING_BACK)),
        )
    )
    if open_task is not None:
        return int(open_task)
    now = utcnow()
    task = OperatorRequest(
        ride_id=ride_id,
        caller_number=caller_number,
        status=RequestStatus.CALLBACK,
        queued_at=now,
        updated_at=now,
        note="调度员从叫车队列回拨",
    )
    session.add(task)
    session.flush()
    return task.id


def dialled(session: Session, *, request_id: int, operator_call_sid: str) -> None:
    """Remember the operator's call, so its callbacks can be matched."""
    session.execute(
        update(OperatorRequest)
        .where(OperatorRequest.id == request_id, OperatorRequest.operator_call_sid.is_(None))
        .values(operator_call_sid=operator_call_sid)
        .execution_options(synchronize_session=False)
    )


def dial_failed(session: Session, *, request_id: int, reason: str) -> None:
    """Twilio refused to ring the operator: the caller is back first in line (or the task
    back on the list), with the reason shown."""
    _move(
        session,
        request_id,
        expected=(RequestStatus.RINGING,),
        status=RequestStatus.WAITING,
        operator_id=None,
        operator_call_sid=None,
        note=reason,
    )
    _move(
        session,
        request_id,
        expected=(RequestStatus.CALLING_BACK,),
        status=RequestStatus.CALLBACK,
        operator_id=None,
        operator_call_sid=None,
        outcome=CallbackOutcome.OPERATOR_NO_ANSWER,
        note=reason,
    )


@dataclass(frozen=True)
class Caller:
    person_id: int | None
    number: str | None


def caller_of(session: Session, *, request_id: int) -> Caller:
    """Who an open request is about, for acting on their behalf (e.g. a ride)."""
    row = session.get(OperatorRequest, request_id)
    if row is None or row.status not in OPEN:
        raise OperatorRequestError(NOT_FOUND)
    call = session.get(Call, row.call_id) if row.call_id else None
    return Caller(call.person_id if call else None, row.caller_number)


ON_THE_LINE_ONLY = "只有正在和这位来电者通话的调度员才能{what}（现在是“{who}”）。"


def held_by(session: Session, *, request_id: int, staff: StaffUser, what: str) -> OperatorRequest:
    """The open request `staff` is talking on (connected, their own row), for acting on the
    caller's behalf with personal data (registering, booking); else OperatorRequestError
    naming who has the caller."""
    row = session.get(OperatorRequest, request_id, populate_existing=True)
    if row is None or row.status not in OPEN:
        raise OperatorRequestError(NOT_FOUND)
    if row.status != RequestStatus.CONNECTED or row.operator_id != staff.id:
        holder = session.get(StaffUser, row.operator_id) if row.operator_id else None
        who = f"{holder.display_name}在处理" if holder is not None else "没有调度员在通话"
        raise OperatorRequestError(ON_THE_LINE_ONLY.format(what=what, who=who))
    return row


NOTE_MAX = 500


def write_note(session: Session, *, request_id: int, text: str, staff: StaffUser) -> None:
    """The operator's note about the caller (replaces the previous one; kept with the call)."""
    text = text.strip()
    if len(text) > NOTE_MAX:
        raise OperatorRequestError(f"备注太长了，最多{NOTE_MAX}个字。", conflict=False)
    changed = _move(
        session,
        request_id,
        expected=tuple(RequestStatus),
        operator_note=f"{text}（{staff.display_name}）" if text else None,
    )
    if not changed:
        raise OperatorRequestError(NOT_FOUND)


def request_of(session: Session, request_id: int) -> OperatorRequest | None:
    return session.get(OperatorRequest, request_id, populate_existing=True)


def waiting_call(session: Session, call_id: str) -> OperatorRequest | None:
    return session.scalar(select(OperatorRequest).where(OperatorRequest.call_id == call_id))


def connected(session: Session, *, request_id: int, operator_call_sid: str) -> bool:
    """The operator answered and the caller was moved into the conference."""
    return _move(
        session,
        request_id,
        expected=(RequestStatus.RINGING,),
        match_sid=operator_call_sid,
        status=RequestStatus.CONNECTED,
        operator_call_sid=operator_call_sid,
        note="通话中",
    )


def caller_left(session: Session, *, call_id: str) -> bool:
    """The caller hung up (status callback or queue leave): waiting ends."""
    row_id = session.scalar(select(OperatorRequest.id).where(OperatorRequest.call_id == call_id))
    if row_id is None:
        return False
    return _move(
        session,
        row_id,
        expected=ON_THE_LINE,
        status=RequestStatus.LEFT,
        note="来电者在等待时挂断了",
    )


def answered_elsewhere(session: Session, *, call_id: str) -> None:
    """The fixed operator number (`IVR_OPERATOR_NUMBER`) talked to the caller."""
    row_id = session.scalar(select(OperatorRequest.id).where(OperatorRequest.call_id == call_id))
    if row_id is not None:
        _move(
            session,
            row_id,
            expected=ON_THE_LINE,
            status=RequestStatus.DONE,
            note="已由值班电话接听",
        )


def callback_requested(session: Session, *, call_id: str) -> bool:
    """A caller who waited long pressed 1: a call-back task instead of holding the line."""
    row_id = session.scalar(select(OperatorRequest.id).where(OperatorRequest.call_id == call_id))
    if row_id is None:
        return False
    return _move(
        session,
        row_id,
        expected=(RequestStatus.WAITING,),
        status=RequestStatus.CALLBACK,
        callback_offered=True,
        note="来电者等待太久，选择了回拨",
    )


def callback_offered(session: Session, *, call_id: str) -> None:
    session.execute(
        update(OperatorRequest)
        .where(OperatorRequest.call_id == call_id, OperatorRequest.callback_offered.is_(False))
        .values(callback_offered=True)
        .execution_options(synchronize_session=False)
    )


CALLBACK_OUTCOMES: dict[str, CallbackOutcome] = {
    "completed": CallbackOutcome.CONNECTED,
    "answered": CallbackOutcome.CONNECTED,
    "busy": CallbackOutcome.BUSY,
    "no-answer": CallbackOutcome.NO_ANSWER,
    "failed": CallbackOutcome.FAILED,
    "canceled": CallbackOutcome.FAILED,
}


def callback_result(session: Session, *, request_id: int, dial_status: str) -> CallbackOutcome:
    """How the call to the caller ended (the <Dial> action's DialCallStatus)."""
    outcome = CALLBACK_OUTCOMES.get(dial_status.strip().lower(), CallbackOutcome.FAILED)
    done = outcome == CallbackOutcome.CONNECTED
    _move(
        session,
        request_id,
        expected=(RequestStatus.CALLING_BACK,),
        status=RequestStatus.DONE if done else RequestStatus.CALLBACK,
        outcome=outcome,
        operator_id=None if not done else OperatorRequest.operator_id,
        operator_call_sid=None if not done else OperatorRequest.operator_call_sid,
        note=None,
    )
    return outcome


NOT_ANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})


def operator_call_ended(
    session: Session, *, request_id: int, operator_call_sid: str, call_status: str
) -> None:
    """The operator's leg ended (status callback). Not answered while ringing: the caller
    stays first in line; a call-back whose operator never answered goes back on the list;
    a finished conversation closes the row."""
    status = call_status.strip().lower()
    if status in NOT_ANSWERED:
        _move(
            session,
            request_id,
            expected=(RequestStatus.RINGING,),
            match_sid=operator_call_sid,
            status=RequestStatus.WAITING,
            operator_id=None,
            operator_call_sid=None,
            note="调度员的电话没有接通，来电者仍在排队",
        )
    if status in NOT_ANSWERED or status == "completed":
        # Still calling back when the operator's leg ended: the caller was never reached.
        _move(
            session,
            request_id,
            expected=(RequestStatus.CALLING_BACK,),
            match_sid=operator_call_sid,
            status=RequestStatus.CALLBACK,
            operator_id=None,
            operator_call_sid=None,
            outcome=(
                CallbackOutcome.OPERATOR_NO_ANSWER
                if status in NOT_ANSWERED
                else CallbackOutcome.FAILED
            ),
            note=None,
        )
    if status == "completed":
        _move(
            session,
            request_id,
            expected=(RequestStatus.CONNECTED,),
            match_sid=operator_call_sid,
            status=RequestStatus.DONE,
            note="通话已结束",
        )
