"""The last four of an ID number said aloud, with a 零 among them, are the digits asked for,
not the menu's key 0 for a person (a daughter booking for her mother: whole calls through
the real flows, understanding and database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.db import Database
from support.booked import DAUGHTER
from support.calls import all_said, demo_call_service, last_four
from support.calls import play as call

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
SPOKEN = dict(zip("0123456789*", "零幺二三四五六七八九叉", strict=True))
VERIFIED = "您母亲张秀英要看哪个科？"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def test_the_demo_id_has_a_zero_among_its_last_four(service: CallService, db: Database) -> None:
    assert "0" in last_four(db)  # what the calls below rely on (the demo loaded by `service`)


@pytest.mark.parametrize("said", ["{a}{b}{c}{d}", "{a}、{b}、{c}、{d}", "{a} {b} {c} {d}"])
def test_the_last_four_said_with_a_zero_are_checked_not_a_person(
    service: CallService, db: Database, said: str
) -> None:
    a, b, c, d = (SPOKEN[ch] for ch in last_four(db))
    lines = call(service, DAUGHTER, "2", "1", said.format(a=a, b=b, c=c, d=d), "hangup")
    heard = all_said(lines)
    assert VERIFIED in heard
    assert "转接工作人员" not in heard
