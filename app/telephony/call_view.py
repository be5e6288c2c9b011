"""Read-only look at a call's stored steps, for answering stale or repeated webhooks.

`CallService.handle` already replays a repeated event key. What it cannot know is that
a webhook is *stale*: a Gather answer for step 3 arriving when the call is at step 5
would otherwise be applied to the wrong question. The step routes therefore look here
first. This module only reads; every write goes through `CallService`.
(Candidate to move into `CallService` as a `latest(call_id)` method.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.adapters.orm import Call, CallSession, CallStep
from app.callflow.messages import Output, output_from_dict
from app.core.db import Database

_LOOK_BACK = 5  # a hang-up or ignored event stores a step with no outputs


@dataclass(frozen=True)
class StoredStep:
    step: int
    outputs: list[Output]
    ended: bool


@dataclass(frozen=True)
class CallView:
    """Where a call stands: its current step number and the latest outputs that left the
    caller something to do (a question, a transfer or the goodbye)."""

    step: int
    ended: bool
    latest: StoredStep | None


def view_call(db: Database, call_id: str) -> CallView | None:
    """None when the call never started here."""
    with db.session() as session:
        call_session = session.get(CallSession, call_id)
        if call_session is None or session.get(Call, call_id) is None:
            return None
        rows = session.scalars(
            select(CallStep)
            .where(CallStep.call_id == call_id)
            .order_by(CallStep.step.desc())
            .limit(_LOOK_BACK)
        )
        steps = [_stored(row) for row in rows]
        latest = next((s for s in steps if _has_next_move(s.outputs)), None)
        return CallView(call_session.step, call_session.ended, latest)


def stored_step(db: Database, call_id: str, event_key: str) -> StoredStep | None:
    with db.session() as session:
        row = session.scalar(
            select(CallStep).where(CallStep.call_id == call_id, CallStep.event_key == event_key)
        )
        return _stored(row) if row is not None else None


def _has_next_move(outputs: list[Output]) -> bool:
    return any(o.kind in ("listen", "transfer", "hangup") for o in outputs)


def _stored(row: CallStep) -> StoredStep:
    outputs = [output_from_dict(o) for o in row.outputs]
    ended = any(o.kind in ("hangup", "transfer") for o in outputs)
    return StoredStep(row.step, outputs, ended)
