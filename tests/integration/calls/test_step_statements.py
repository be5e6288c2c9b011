"""What the flow's actions read and write in one webhook step (statements counted on the
engine, both databases): no table read twice for the same rows, nothing read that the step
does not use (docs/performance.md, bench/step_statements.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select

from app.callflow.messages import CallStarted, Keys, Say
from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张奶奶: a home and a saved hospital (市一院)
LI = "+8613800000003"  # 李奶奶: a home only
HOTLINE = "+868710000000"
FIRST_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)")


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db)


@contextmanager
def recorded(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def on_table(statements: list[str], verb: str, table: str) -> list[str]:
    """The statements of this verb whose first table is `table`."""
    return [
        s for s in statements
        if s.startswith(verb) and (m := FIRST_TABLE.search(s)) and m.group(1) == table
    ]


def says(outputs: list) -> str:  # type: ignore[type-arg]
    return "".join(o.text for o in outputs if isinstance(o, Say))


def test_a_call_start_reads_the_hospitals_only_for_a_caller_with_a_saved_hospital(
    service: CallService, db: Database
) -> None:
    with recorded(db) as home_only:
        service.handle(call_id="CA1", event=CallStarted(LI, HOTLINE), event_key="start")
    with recorded(db) as with_hospital:
        service.handle(call_id="CA2", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    assert on_table(home_only, "SELECT", "hospitals") == []
    assert len(on_table(with_hospital, "SELECT", "hospitals")) == 1
    # the saved hospital is still said by its full name on the taxi menu's places
    service.handle(call_id="CA2", event=Keys("1"), event_key="k1")
    places = service.handle(call_id="CA2", event=Keys("2"), event_key="k2")
    assert "春城第一人民医院" in says(places.outputs)


def test_the_hospital_menu_key_reads_the_caller_once(service: CallService, db: Database) -> None:
    service.handle(call_id="CA1", event=CallStarted(LI, HOTLINE), event_key="start")
    with recorded(db) as statements:
        result = service.handle(call_id="CA1", event=Keys("2"), event_key="k1")
    assert "哪个科" in says(result.outputs)
    assert len(on_table(statements, "SELECT", "people")) == 1  # by the caller's number
    assert len(on_table(statements, "SELECT", "family_contacts")) == 1  # whom they book for


def test_the_taxi_menu_key_inserts_the_draft_ride_with_its_pickup_at_once(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA1", event=CallStarted(LI, HOTLINE), event_key="start")
    with recorded(db) as statements:
        result = service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    assert "车到家接您" in says(result.outputs)
    assert len(on_table(statements, "INSERT", "rides")) == 1
    assert on_table(statements, "UPDATE", "rides") == []
    with db.session() as session:
        ride = session.scalars(select(Ride).where(Ride.call_id == "CA1")).one()
        assert ride.status == RideStatus.DRAFT
        assert ride.pickup_address == "盘龙区北京路1088号龙泉小区5栋"
        assert ride.pickup_place_id is not None
