"""Running calls: each event is one database transaction around one engine step.

The call's state is saved after every step, so any worker can take the next webhook and
a restart loses nothing. Each step is stored with its event key; the same event arriving
again (a webhook retry) gets the stored outputs back and changes nothing. A step that hands
the caller to a person records why (`calls.transfer_reason`) and whether it was an
emergency (`calls.emergency`), for the operators.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from app.callflow.engine import CallState, Engine, fallback_outputs
from app.callflow.messages import (
    CallStarted,
    Event,
    HangUp,
    Output,
    Say,
    Transfer,
    output_from_dict,
    to_dict,
)
from app.calls.enums import CallChannel, CallStatus, TransferReason
from app.calls.models import Call, CallSession, CallStep
from app.core import metrics
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import local_today
from app.core.logging import call_id_var, log_fields
from app.db.base import utcnow
from app.operators import requests as operator_requests
from app.people.phones import normalise_number

logger = logging.getLogger(__name__)

_END_STATUS = {
    "completed": CallStatus.COMPLETED,
    "transferred": CallStatus.TRANSFERRED,
    "caller_hung_up": CallStatus.CALLER_HUNG_UP,
}


# Run in the step's transaction whenever a call is over for the hotline: ended, handed to
# a person, failed into a hand-over, or hung up (again). Capabilities settle what the call
# left half-done here (`app.hotline` wires the taxi's drafts); it must be idempotent.
CallEnded = Callable[[Session, Call], None]


class UnknownCallError(LookupError):
    """An event for a call that never started here."""


@dataclass
class StepContext:
    """What actions get: the open transaction, the call and its variables."""

    session: Session
    call: Call
    vars: dict[str, Any]
    now: datetime
    settings: Settings

    @property
    def today(self) -> date:
        return local_today(self.now)

    @property
    def call_id(self) -> str:
        return self.call.id

    @property
    def from_number(self) -> str | None:
        return self.call.from_number

    @property
    def services(self) -> Session:
        return self.session


@dataclass
class StepResult:
    outputs: list[Output]
    step: int
    ended: bool
    replayed: bool = False
    state: str = ""
    vars: dict[str, Any] = field(default_factory=dict)
    # The event was meant for step `at_step`, no longer the call's current one, and never
    # applied: nothing changed; `outputs` are the latest that left the caller something
    # to do (none when there are none), `step` theirs.
    stale: bool = False


@dataclass(frozen=True)
class CallView:
    step: int
    ended: bool
    latest: StepResult | None


class CallService:
    def __init__(
        self,
        *,
        db: Database,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        on_end: CallEnded | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.on_end = on_end

    def handle(
        self,
        *,
        call_id: str,
        event: Event,
        event_key: str,
        channel: CallChannel = CallChannel.SIMULATOR,
        at_step: int | None = None,
    ) -> StepResult:
        """Apply `event` to the call once; a repeated `event_key` returns the first answer.

        `at_step`: the step the event answers (a webhook's `?step=N`). When the call has
        moved on and the event was never applied, nothing is applied and the result is
        `stale` (see `StepResult`). One transaction: the call, its state with its version
        and the stored answer to `event_key` are read by one statement.
        """
        token = call_id_var.set(call_id)
        started = time.perf_counter()
        stale = False
        try:
            try:
                with self.db.session() as session:
                    result = self._step(session, call_id, event, event_key, channel, at_step)
                    counted = metrics.after_commit(session)
                metrics.publish(counted)
                stale = result.stale
                return result
            except IntegrityError:
                # The same event was applied concurrently by another worker: use its answer.
                with self.db.session() as session:
                    stored = _stored_step(session, call_id, event_key)
                if stored is not None:
                    return stored
                raise
        except UnknownCallError:
            raise
        except Exception:
            logger.exception(
                "step failed; the caller is handed to a person", extra=log_fields(event=event.kind)
            )
            return self._record_failure(call_id, event, event_key, channel)
        finally:
            if not stale:
                metrics.step_finished(event.kind, started=started)
            call_id_var.reset(token)

    def view(self, call_id: str) -> CallView | None:
        """Where a call stands (None when it never started here): its current step and the
        latest outputs that left the caller something to do. Transports use it to answer a
        stale webhook (keys meant for a question no longer asked) without a new step."""
        with self.db.session() as session:
            call_session = session.get(CallSession, call_id)
            if call_session is None:
                return None
            return CallView(call_session.step, call_session.ended, _latest(session, call_id))

    def stored(self, call_id: str, event_key: str) -> StepResult | None:
        """The stored answer to an event already applied, if any."""
        with self.db.session() as session:
            return _stored_step(session, call_id, event_key)

    def _step(
        self,
        session: Session,
        call_id: str,
        event: Event,
        event_key: str,
        channel: CallChannel,
        at_step: int | None,
    ) -> StepResult:
        row = session.execute(
            _CALL_STATE, {"call_id": call_id, "event_key": event_key}
        ).one_or_none()
        if row is not None and row.stored_step is not None:
            logger.info("event replayed; stored outputs returned", extra=log_fields(key=event_key))
            return _result_of(row.stored_step, row.stored_outputs, row.stored_state_after)
        if row is not None and at_step is not None and at_step != row.step:
            logger.warning("stale webhook for step %d; latest prompt re-served", at_step)
            latest = _latest(session, call_id)
            if latest is None:
                return StepResult([], 0, row.ended, True, stale=True)
            return replace(latest, stale=True)
        if row is not None:
            call, step, version = row.Call, row.step, row.version
            # Decoded from this row for this step alone: no copy needed (see CallState).
            state = CallState(**row.data) if row.data else CallState()
        else:
            call, step, version = self._start(session, call_id, event, channel), 0, None
            state = CallState()
        before = f"{state.flow}.{state.state}"
        sensitive = bool(state.flow) and self.engine.flows.state(state.ref).sensitive
        now = self.clock()
        secrets = _secret_values(state.vars)
        ctx = StepContext(session, call, state.vars, now, self.settings)
        outputs = self.engine.step(state, event, ctx)
        secrets |= _secret_values(state.vars)
        if state.ended:  # personal data held for the call goes with it
            for name in [n for n in state.vars if n.startswith(SECRET_PREFIX)]:
                del state.vars[name]
        step += 1
        if state.ended and call.status == CallStatus.IN_PROGRESS and state.outcome:
            call.status = _END_STATUS[state.outcome]
            call.ended_at = now
            metrics.call_ended(session, call.status)
        _note_transfer(session, call, outputs)
        if call.transfer_reason is not None and _has_transfer(outputs):
            operator_requests.on_transfer(session, call, now=now)
        if isinstance(event, HangUp):
            operator_requests.caller_left(session, call_id=call.id)
        if (state.ended or isinstance(event, HangUp)) and self.on_end is not None:
            self.on_end(session, call)
        after = f"{state.flow}.{state.state}"
        session.flush()  # what the actions changed through the ORM (the call, rides ...)
        saved = {
            "flow": state.flow,
            "state": state.state,
            "data": state.to_dict(),
            "step": step,
            "ended": state.ended,
        }
        if version is None:
            session.execute(_INSERT_STATE, {**saved, "call_id": call_id, "version": 1})
        else:
            written = session.execute(
                _SAVE_STATE, {**saved, "version": version + 1, "_id": call_id, "_version": version}
            )
            if cast(CursorResult[Any], written).rowcount != 1:
                raise StaleDataError(f"call {call_id}: state changed by another step")
        session.execute(
            _INSERT_STEP,
            {
                "call_id": call_id,
                "step": step,
                "event_key": event_key,
                "event": _redacted(event) if sensitive else to_dict(event),
                "state_before": before,
                "state_after": after,
                "outputs": [to_dict(_masked(o, secrets)) for o in outputs],
            },
        )
        logger.info(
            "step",
            extra=log_fields(
                step=step,
                event=event.kind,
                before=before,
                after=after,
                outputs=[o.kind for o in outputs],
            ),
        )
        return StepResult(outputs, step, state.ended, False, after, dict(state.vars))

    def _start(self, session: Session, call_id: str, event: Event, channel: CallChannel) -> Call:
        """A new call's row (its state row is written with its first step's state)."""
        if not isinstance(event, CallStarted):
            raise UnknownCallError(call_id)
        call = Call(
            id=call_id,
            channel=channel,
            from_number=normalise_number(event.from_number),
            to_number=normalise_number(event.to_number),
        )
        session.add(call)
        session.flush()
        return call

    def _record_failure(
        self, call_id: str, event: Event, event_key: str, channel: CallChannel
    ) -> StepResult:
        """Store the hand-over to a person in a fresh transaction; if even that fails, still
        tell the transport to hand over, so the caller is never left in silence."""
        outputs = fallback_outputs(self.engine.flows)
        if isinstance(event, HangUp):
            outputs = []
        try:
            with self.db.session() as session:
                stored = _stored_step(session, call_id, event_key)
                if stored is not None:
                    return stored
                call = session.get(Call, call_id)
                if call is None:
                    call = Call(id=call_id, channel=channel)
                    session.add(call)
                    session.add(CallSession(call_id=call_id, flow="", state="", data={}, step=0))
                    session.flush()
                call_session = session.get(CallSession, call_id)
                assert call_session is not None
                call_session.step += 1
                call_session.ended = True
                if call.status == CallStatus.IN_PROGRESS:
                    call.status = CallStatus.TRANSFERRED
                    call.ended_at = self.clock()
                    metrics.call_ended(session, call.status)
                _note_transfer(session, call, outputs)
                if call.transfer_reason is not None and _has_transfer(outputs):
                    operator_requests.on_transfer(session, call, now=self.clock())
                if isinstance(event, HangUp):
                    operator_requests.caller_left(session, call_id=call.id)
                self._settle_after_failure(session, call)
                session.add(
                    CallStep(
                        call_id=call_id,
                        step=call_session.step,
                        event_key=event_key,
                        event=to_dict(event),
                        state_before=f"{call_session.flow}.{call_session.state}",
                        state_after="(system error)",
                        outputs=[to_dict(o) for o in outputs],
                    )
                )
                result = StepResult(outputs, call_session.step, True, state="(system error)")
                counted = metrics.after_commit(session)
            metrics.publish(counted)
            return result
        except Exception:
            logger.exception("could not record the failed step")
            return StepResult(outputs, -1, True, state="(system error)")

    def _settle_after_failure(self, session: Session, call: Call) -> None:
        """The failed step handed the caller over: settle what the call left, in a
        savepoint, so a second failure here still records the hand-over."""
        if self.on_end is None:
            return
        try:
            with session.begin_nested():
                self.on_end(session, call)
        except Exception:
            logger.exception("could not settle what the failed call left")


_LOOK_BACK = 5  # a hang-up or an ignored event stores a step with no outputs

# The call, its engine state (with its version, checked when it is written back) and the
# stored answer to the event (a retry), in one statement built once. On PostgreSQL the
# call and state rows stay locked to the step's end, so steps of one call take turns;
# SQLite has one writer at a time anyway, and the version check catches a step that read
# the state before another one wrote it.
_STORED = aliased(CallStep, name="stored")
_CALL_STATE = (
    select(
        Call,
        CallSession.data,
        CallSession.step,
        CallSession.ended,
        CallSession.version,
        _STORED.step.label("stored_step"),
        _STORED.outputs.label("stored_outputs"),
        _STORED.state_after.label("stored_state_after"),
    )
    .join(CallSession, CallSession.call_id == Call.id)
    .outerjoin(
        _STORED,
        and_(_STORED.call_id == Call.id, _STORED.event_key == bindparam("event_key")),
    )
    .where(Call.id == bindparam("call_id"))
    .with_for_update(of=[Call.__table__, CallSession.__table__])
)
# The state written back (Core: no unit of work for two rows whose values are all known):
# only if its version is still the one read, else the step fails (StaleDataError).
_SESSIONS = cast(Table, CallSession.__table__)
_SAVE_STATE = update(_SESSIONS).where(
    _SESSIONS.c.call_id == bindparam("_id"), _SESSIONS.c.version == bindparam("_version")
)
_INSERT_STATE = insert(_SESSIONS)
_INSERT_STEP = insert(cast(Table, CallStep.__table__))
_LATEST = (
    select(CallStep)
    .where(CallStep.call_id == bindparam("call_id"))
    .order_by(CallStep.step.desc())
    .limit(_LOOK_BACK)
)


def _latest(session: Session, call_id: str) -> StepResult | None:
    """The latest stored step that left the caller something to do, if any."""
    steps = (_result(row) for row in session.scalars(_LATEST, {"call_id": call_id}))
    return next((s for s in steps if _has_next_move(s.outputs)), None)


# Call variables named `secret_*` hold personal data for the length of the call (a typed
# ID number before the booking that stores it, its read-back): their values are masked in
# the stored step outputs, and they are dropped from the call's state when the call ends.
SECRET_PREFIX = "secret_"
SECRET_MASK = "＊＊＊＊"


def _secret_values(variables: dict[str, Any]) -> set[str]:
    return {
        str(value)
        for name, value in variables.items()
        if name.startswith(SECRET_PREFIX) and value and len(str(value)) >= 4
    }


def _masked(output: Output, secrets: set[str]) -> Output:
    """A said text with every secret value in it masked (a replay says the mask)."""
    if not secrets or not isinstance(output, Say):
        return output
    text = output.text
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, SECRET_MASK)
    return replace(output, text=text)


def _note_transfer(session: Session, call: Call, outputs: list[Output]) -> None:
    """Record why the caller reached a person (the first transfer of the call counts)."""
    transfer = next((o for o in outputs if isinstance(o, Transfer)), None)
    if transfer is None or call.transfer_reason is not None:
        return
    call.transfer_reason = TransferReason(transfer.reason)
    call.emergency = transfer.emergency
    metrics.transferred(session, call.transfer_reason)


def _has_transfer(outputs: list[Output]) -> bool:
    return any(isinstance(o, Transfer) for o in outputs)


def _has_next_move(outputs: list[Output]) -> bool:
    return any(o.kind in ("listen", "transfer", "hangup") for o in outputs)


def _redacted(event: Event) -> dict[str, Any]:
    """The event without what the caller typed or said (an ID number stays out of the
    step record); its kind and length are kept for support."""
    data = to_dict(event)
    for field_name in ("digits", "text"):
        if data.get(field_name):
            data[field_name] = f"[redacted {len(data[field_name])}]"
    return data


def _stored_step(session: Session, call_id: str, event_key: str) -> StepResult | None:
    step = session.scalar(
        select(CallStep).where(CallStep.call_id == call_id, CallStep.event_key == event_key)
    )
    return _result(step) if step is not None else None


def _result(step: CallStep) -> StepResult:
    return _result_of(step.step, step.outputs, step.state_after)


def _result_of(step: int, stored: list[dict[str, Any]], state_after: str) -> StepResult:
    outputs = [output_from_dict(o) for o in stored]
    ended = any(o.kind in ("hangup", "transfer") for o in outputs)
    return StepResult(outputs, step, ended, True, state_after)
