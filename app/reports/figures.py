"""Age-friendliness figures computed from stored calls and steps (pure, no database).

Definitions (docs/report.md):
- a call *finishes its task without a person* when its status is ``completed``; shares
  are of finished calls (calls still in progress are counted apart);
- a *re-ask* is a step that stays at the same question and asks again (a listen among its
  outputs, no transfer): a *repeat* when the caller asked for it (``*`` or 再说一遍: the
  question said again, one say), a *silence re-prompt* after silence, otherwise a
  *not-understood re-prompt* (the "didn't catch" line and the simpler wording: two says);
- the question a caller *hung up in* is the state before their hang-up step;
- keys pressed and seconds are per completed call;
- every figure above is of calls *to* the hotline; the reminder calls the hotline places
  (the day before an appointment) are counted apart (`ReminderFigures`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.people.age import age_on

AGE_BANDS: tuple[str, ...] = ("60-69", "70-79", "80+", "unknown")
CALLER_TYPES: tuple[str, ...] = ("self", "family", "unregistered")
OUTCOMES: tuple[str, ...] = ("completed", "transferred", "caller_hung_up")
REPEAT_KEY = "*"


@dataclass(frozen=True)
class CallRow:
    id: str
    status: str
    transfer_reason: str | None
    started_at: datetime
    ended_at: datetime | None
    birth_date: date | None  # the person's, None when unknown or no person
    registered: bool  # the call was matched to a person
    from_own_phone: bool  # the caller's number is one of the person's own phones


@dataclass(frozen=True)
class StepRow:
    call_id: str
    step: int
    event: dict[str, Any]
    state_before: str
    state_after: str
    outputs: list[dict[str, Any]]


@dataclass(frozen=True)
class QuestionFigures:
    question: str
    hang_ups: int = 0
    repeats: int = 0
    silence_reprompts: int = 0
    not_understood_reprompts: int = 0


@dataclass(frozen=True)
class GroupFigures:
    """Outcomes of the calls of one age band or caller type."""

    group: str
    calls: int
    completed: int
    transferred: int
    caller_hung_up: int

    @property
    def completed_share(self) -> float | None:
        finished = self.completed + self.transferred + self.caller_hung_up
        return self.completed / finished if finished else None


# What came of a reminder try (app.hospital.reminders): the patient's answer.
REMINDER_CONFIRMED = frozenset({"heard", "kept", "has_ride", "ride_booked", "ride_joined"})
REMINDER_CANCELLED = frozenset({"cancelled", "cancelled_both"})


@dataclass(frozen=True)
class ReminderTryRow:
    status: str  # calling, answered, unanswered
    answer: str | None


@dataclass(frozen=True)
class ReminderFigures:
    """The outbound reminder calls of the period (one per try placed), apart from calls in."""

    placed: int = 0
    reached: int = 0  # a person answered
    not_reached: int = 0  # no answer, busy, failed, or a machine
    machine: int = 0  # of those, an answering machine took it
    confirmed: int = 0  # heard it, kept the booking, took or had a car
    cancelled: int = 0  # cancelled the booking in the call
    person: int = 0  # asked for a person
    ringing: int = 0  # placed, not finished yet


def reminder_figures(tries: list[ReminderTryRow]) -> ReminderFigures:
    reached = [t for t in tries if t.status == "answered"]
    return ReminderFigures(
        placed=len(tries),
        reached=len(reached),
        not_reached=sum(t.status in ("unanswered", "machine") for t in tries),
        machine=sum(t.answer == "machine" for t in tries),
        confirmed=sum(t.answer in REMINDER_CONFIRMED for t in reached),
        cancelled=sum(t.answer in REMINDER_CANCELLED for t in reached),
        person=sum(t.answer == "person" for t in reached),
        ringing=sum(t.status == "calling" for t in tries),
    )


@dataclass(frozen=True)
class Report:
    calls: int
    in_progress: int
    outcomes: dict[str, int]
    transfers_by_reason: dict[str, int]
    questions: list[QuestionFigures]
    keys_per_completed: float | None
    seconds_per_completed: float | None
    by_age_band: list[GroupFigures]
    by_caller_type: list[GroupFigures]
    reminder_calls: ReminderFigures = field(default_factory=ReminderFigures)

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())

    @property
    def completed_share(self) -> float | None:
        return self.outcomes["completed"] / self.finished if self.finished else None


def age_band(birth_date: date | None, *, on: date) -> str:
    """60-69, 70-79, 80+ (age on the call's day); unknown without a birth date or under 60."""
    age = age_on(birth_date, on)
    if age is None:
        return "unknown"
    if age >= 80:
        return "80+"
    if age >= 70:
        return "70-79"
    if age >= 60:
        return "60-69"
    return "unknown"


def caller_type(call: CallRow) -> str:
    if not call.registered:
        return "unregistered"
    return "self" if call.from_own_phone else "family"


def reask_kind(step: StepRow) -> str | None:
    """``repeat``, ``silence`` or ``not_understood`` for a re-ask step, else None."""
    kinds = [o.get("kind") for o in step.outputs]
    if step.state_before != step.state_after or "listen" not in kinds or "transfer" in kinds:
        return None
    event_kind = step.event.get("kind")
    if event_kind == "silence" or (event_kind == "speech" and not step.event.get("text")):
        return "silence"
    if event_kind == "keys" and str(step.event.get("digits", "")).strip() == REPEAT_KEY:
        return "repeat"
    if event_kind in ("keys", "speech"):
        return "repeat" if kinds.count("say") == 1 else "not_understood"
    return None


def keys_pressed(event: dict[str, Any]) -> int:
    """Keys typed in one event; a redacted entry keeps its length ("[redacted 18]")."""
    if event.get("kind") != "keys":
        return 0
    digits = str(event.get("digits", ""))
    if digits.startswith("[redacted ") and digits.endswith("]"):
        return int(digits[len("[redacted ") : -1])
    return len(digits)


def compute(calls: list[CallRow], steps: list[StepRow], *, local_day: dict[str, date]) -> Report:
    """Every figure of the report. `local_day` maps a call id to its local calendar day
    (for the caller's age on that day)."""
    by_call: dict[str, list[StepRow]] = {}
    for step in sorted(steps, key=lambda s: (s.call_id, s.step)):
        by_call.setdefault(step.call_id, []).append(step)
    outcomes = Counter({o: 0 for o in OUTCOMES})
    reasons: Counter[str] = Counter()
    questions: dict[str, dict[str, int]] = {}
    completed_keys = 0
    completed_seconds = 0.0
    timed = 0
    in_progress = 0
    bands = {b: Counter({o: 0 for o in OUTCOMES}) for b in AGE_BANDS}
    types = {t: Counter({o: 0 for o in OUTCOMES}) for t in CALLER_TYPES}
    band_calls: Counter[str] = Counter()
    type_calls: Counter[str] = Counter()

    def count(question: str, what: str) -> None:
        questions.setdefault(question, Counter())[what] += 1

    for call in calls:
        call_steps = by_call.get(call.id, [])
        band = age_band(call.birth_date, on=local_day[call.id])
        kind = caller_type(call)
        band_calls[band] += 1
        type_calls[kind] += 1
        for step in call_steps:
            reask = reask_kind(step)
            if reask is not None:
                count(step.state_before, reask)
        if call.status not in OUTCOMES:
            in_progress += 1
            continue
        outcomes[call.status] += 1
        bands[band][call.status] += 1
        types[kind][call.status] += 1
        if call.status == "transferred":
            reasons[call.transfer_reason or "unknown"] += 1
        elif call.status == "caller_hung_up":
            hang_up = next((s for s in call_steps if s.event.get("kind") == "hang_up"), None)
            if hang_up is not None:
                count(hang_up.state_before, "hang_up")
            elif call_steps:
                count(call_steps[-1].state_after, "hang_up")
        else:
            completed_keys += sum(keys_pressed(s.event) for s in call_steps)
            if call.ended_at is not None:
                completed_seconds += (call.ended_at - call.started_at).total_seconds()
                timed += 1
    completed = outcomes["completed"]
    return Report(
        calls=len(calls),
        in_progress=in_progress,
        outcomes=dict(outcomes),
        transfers_by_reason=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        questions=[
            QuestionFigures(
                question=name,
                hang_ups=c["hang_up"],
                repeats=c["repeat"],
                silence_reprompts=c["silence"],
                not_understood_reprompts=c["not_understood"],
            )
            for name, c in sorted(questions.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        ],
        keys_per_completed=completed_keys / completed if completed else None,
        seconds_per_completed=completed_seconds / timed if timed else None,
        by_age_band=[_group(b, band_calls[b], bands[b]) for b in AGE_BANDS],
        by_caller_type=[_group(t, type_calls[t], types[t]) for t in CALLER_TYPES],
    )


def _group(name: str, calls: int, outcomes: Counter[str]) -> GroupFigures:
    return GroupFigures(
        group=name,
        calls=calls,
        completed=outcomes["completed"],
        transferred=outcomes["transferred"],
        caller_hung_up=outcomes["caller_hung_up"],
    )
