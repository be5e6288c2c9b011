"""A step whose database statement fails must not put personal data into the logs.

SQLAlchemy puts a failed statement's parameters into the exception message (and, when its
logger is at INFO, every statement's parameters into the log); the engines are built with
`hide_parameters=True`. The test runs a call through a broken action that writes the
caller's number, their ID number and what they said, and scans every log line.
"""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from sqlalchemy import select, text

from app.callflow.messages import CallStarted, Keys, Speech
from app.calls.service import StepContext
from app.core.config import Settings
from app.core.db import Database
from app.core.logging import JsonFormatter
from app.hotline import build_call_service
from app.people.models import Person, PersonPhone
from support.demo import demo_data

ZHANG = "+8613800000001"
HOTLINE = "+868710000000"
SAID = "翠湖公园北门旁边的小卖部"
PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def _id_number_of(db: Database, number: str) -> str:
    with db.session() as session:
        value = session.scalar(
            select(Person.id_number)
            .join(PersonPhone, PersonPhone.person_id == Person.id)
            .where(PersonPhone.number == number)
        )
    assert value, "the demo caller should have an ID number"
    return value


def test_a_failing_statement_logs_no_number_id_number_or_words(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    demo_data(db, today=date(2026, 11, 30))
    id_number = _id_number_of(db, ZHANG)
    service = build_call_service(Settings(database_url=db.url), db)

    def broken_note(ctx: StepContext) -> str:
        ctx.session.execute(
            text("INSERT INTO no_such_table (phone, id_number, said) VALUES (:p, :i, :s)"),
            {"p": ctx.from_number, "i": id_number, "s": ctx.vars.get("pickup_said")},
        )
        return "heard"

    actions = service.engine.actions
    original = actions._actions["note_spoken_pickup"]
    monkeypatched = type(original)(original.name, broken_note, original.outcomes)
    actions._actions["note_spoken_pickup"] = monkeypatched
    caplog.set_level(logging.INFO)  # the production level: SQLAlchemy logs statements too

    try:
        service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
        service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
        result = service.handle(call_id="CA1", event=Keys("2"), event_key="k2")
        if result.state.endswith("choose_place"):
            result = service.handle(call_id="CA1", event=Keys("9"), event_key="k3")
        assert result.state.endswith("record_pickup"), result.state
        failed = service.handle(call_id="CA1", event=Speech(SAID), event_key="k4")
    finally:
        actions._actions["note_spoken_pickup"] = original

    assert failed.state == "(system error)"  # the broken step did run and fail
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any("no_such_table" in line for line in lines), "expected the failure in the log"
    for line in lines:
        assert not PHONE.search(line), line
        assert not ID_NUMBER.search(line) and id_number not in line, line
        assert SAID not in line, line
