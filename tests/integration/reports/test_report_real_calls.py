"""The report reads what the real call service stores: real flows, real understanding and
a real database, so its reading of repeats, re-prompts and hang-ups follows the engine."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from app.callflow.messages import CallStarted, Event, HangUp, Keys, Silence, Speech
from app.calls.models import Call, CallStep
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.reports.figures import QuestionFigures
from app.reports.rows import Period, report_for
from support.demo import demo_data

ZHANG = "+8613800000001"  # registered in the demo data, calling from her own phone
STRANGER = "+8613812345678"
HOTLINE = "+868710000000"
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_repeats_reprompts_and_hang_ups_are_read_from_real_call_steps(db: Database) -> None:
    demo_data(db, today=TODAY)
    service = build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)

    def call(call_id: str, number: str, *events: Event) -> None:
        service.handle(call_id=call_id, event=CallStarted(number, HOTLINE), event_key="start")
        for turn, event in enumerate(events):
            service.handle(call_id=call_id, event=event, event_key=f"t{turn}")

    call("CA1", ZHANG, Keys("*"), Speech("再说一遍"), Silence(), HangUp())
    call("CA2", STRANGER, Speech("啦啦啦啦"), Keys("0"))
    with db.session() as session:
        # The service stamps a call's start with the wall clock: place both on TODAY.
        session.execute(update(Call).values(started_at=NOW))
    with db.session() as session:
        first = {
            s.call_id: s.state_after
            for s in session.scalars(select(CallStep).where(CallStep.event_key == "start"))
        }
        report = report_for(session, period=Period.of("day", TODAY))
    assert report.outcomes == {"completed": 0, "transferred": 1, "caller_hung_up": 1}
    assert report.transfers_by_reason == {"asked": 1}
    # A registered caller hears her own menu; a stranger the general one.
    assert first == {"CA1": "main.menu_home", "CA2": "main.menu"}
    assert report.questions == [
        QuestionFigures("main.menu_home", hang_ups=1, repeats=2, silence_reprompts=1),
        QuestionFigures("main.menu", not_understood_reprompts=1),
    ]
    assert [(g.group, g.calls) for g in report.by_caller_type] == [
        ("self", 1), ("family", 0), ("unregistered", 1)
    ]
