"""Read the rows the report needs for one period: calls, their people and their steps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calls.models import Call, CallStep
from app.core.local_time import LOCAL_TZ
from app.hospital.models import AppointmentReminder
from app.people.models import Person, PersonPhone
from app.reports.figures import CallRow, ReminderTryRow, Report, StepRow, compute, reminder_figures

PeriodKind = Literal["day", "week"]


@dataclass(frozen=True)
class Period:
    """Local calendar days [first, last]: one day, or the Monday-to-Sunday week of a day."""

    kind: PeriodKind
    first: date
    last: date

    @classmethod
    def of(cls, kind: PeriodKind, day: date) -> Period:
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls(kind, monday, monday + timedelta(days=6))
        return cls(kind, day, day)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL_TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ)

    @property
    def previous_day(self) -> date:
        return self.first - timedelta(days=1 if self.kind == "day" else 7)

    @property
    def next_day(self) -> date:
        return self.first + timedelta(days=1 if self.kind == "day" else 7)


REMINDER_PLACED = ("calling", "answered", "unanswered", "machine")


def report_for(session: Session, *, period: Period) -> Report:
    """The report of the calls to the hotline that started in `period` (local time), and
    apart, the reminder calls it placed then (a try belongs to the period it was due in)."""
    reminder_calls = select(AppointmentReminder.call_sid).where(
        AppointmentReminder.call_sid.is_not(None)
    )
    found = session.execute(
        select(Call, Person.birth_date)
        .outerjoin(Person, Call.person_id == Person.id)
        .where(
            Call.started_at >= period.start,
            Call.started_at < period.end,
            Call.id.not_in(reminder_calls),
        )
        .order_by(Call.started_at, Call.id)
    ).all()
    own_phones: set[tuple[int | None, str | None]] = {
        (person_id, number)
        for person_id, number in session.execute(
            select(PersonPhone.person_id, PersonPhone.number).where(
                PersonPhone.person_id.in_({c.person_id for c, _ in found if c.person_id})
            )
        )
    }
    calls = [
        CallRow(
            id=call.id,
            status=str(call.status),
            transfer_reason=str(call.transfer_reason) if call.transfer_reason else None,
            started_at=call.started_at,
            ended_at=call.ended_at,
            birth_date=birth_date,
            registered=call.person_id is not None,
            from_own_phone=(call.person_id, call.from_number) in own_phones,
        )
        for call, birth_date in found
    ]
    ids = [c.id for c in calls]
    steps = [
        StepRow(
            call_id=s.call_id,
            step=s.step,
            event=s.event,
            state_before=s.state_before,
            state_after=s.state_after,
            outputs=s.outputs,
        )
        for s in (
            session.scalars(select(CallStep).where(CallStep.call_id.in_(ids))) if ids else []
        )
    ]
    local_day = {c.id: c.started_at.astimezone(LOCAL_TZ).date() for c in calls}
    tries = [
        ReminderTryRow(status=status, answer=answer)
        for status, answer in session.execute(
            select(AppointmentReminder.status, AppointmentReminder.answer).where(
                AppointmentReminder.due_at >= period.start,
                AppointmentReminder.due_at < period.end,
                AppointmentReminder.status.in_(REMINDER_PLACED),
            )
        )
    ]
    return replace(
        compute(calls, steps, local_day=local_day), reminder_calls=reminder_figures(tries)
    )
