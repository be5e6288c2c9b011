"""Whole calls through the real engine, flows, understanding and database (SQLite + PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import event, func, select

from app.callflow.messages import CallStarted, HangUp, Keys, Listen, Say, Silence, Speech, Transfer
from app.calls.enums import CallStatus
from app.calls.models import Call, CallSession, CallStep
from app.calls.service import CallService, UnknownCallError
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张奶奶 in the demo data
HOTLINE = "+868710000000"


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db)


def says(result_outputs: list) -> str:  # type: ignore[type-arg]
    return "".join(o.text for o in result_outputs if isinstance(o, Say))


def test_registered_caller_is_greeted_by_name_and_reaches_the_menu(service: CallService) -> None:
    result = service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    assert says(result.outputs).startswith("张奶奶您好，长者服务热线。")
    assert "挂号，按2" in says(result.outputs) and "转人工，按0" in says(result.outputs)
    assert isinstance(result.outputs[-1], Listen)
    assert result.state == "main.menu_home"


def test_unknown_and_withheld_numbers_are_greeted_politely(service: CallService) -> None:
    for call_id, number in [("CA2", "+8613999999999"), ("CA3", "anonymous")]:
        result = service.handle(
            call_id=call_id, event=CallStarted(number, HOTLINE), event_key="start"
        )
        assert says(result.outputs).startswith("您好，这里是长者服务热线")


def test_one_key_and_a_confirmation_queue_a_ride_from_home(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    confirm = service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    assert "车到家接您。对，按1" in says(confirm.outputs)
    done = service.handle(call_id="CA1", event=Speech("是喽嘛"), event_key="k2")
    assert done.ended and done.outputs[-1].kind == "hangup"
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.QUEUED
        assert ride.pickup_address is not None and ride.pickup_address.startswith("五华区")
        assert ride.priority > 0 and ride.queued_at is not None
        assert session.get(Call, "CA1").status == CallStatus.COMPLETED  # type: ignore[union-attr]


def test_a_retried_event_replays_its_answer_without_booking_twice(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    first = service.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    again = service.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    assert again.replayed and again.outputs == first.outputs
    with db.session() as session:
        assert session.scalar(select(func.count(Ride.id))) == 1
        assert session.scalar(select(func.count(CallStep.id))) == 3


def test_concurrent_duplicates_of_one_event_book_once(service: CallService, db: Database) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    results = []

    def confirm() -> None:
        results.append(service.handle(call_id="CA1", event=Keys("1"), event_key="k2"))

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({tuple(r.outputs) for r in results}) == 1
    with db.session() as session:
        assert (
            session.scalar(select(func.count(Ride.id)).where(Ride.status == RideStatus.QUEUED)) == 1
        )


def test_a_step_reads_the_call_once_in_one_transaction(service: CallService, db: Database) -> None:
    """The call, its state and the stored answer come in one statement; the state and the
    step are written once; all of it in one transaction."""
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    statements: list[str] = []
    commits: list[int] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    def committed(_conn) -> None:  # type: ignore[no-untyped-def]
        commits.append(1)

    event.listen(db.engine, "before_cursor_execute", seen)
    event.listen(db.engine, "commit", committed)
    try:
        result = service.handle(call_id="CA1", event=Keys("1"), event_key="step:1:keys", at_step=1)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
        event.remove(db.engine, "commit", committed)
    assert "车到家接您" in says(result.outputs) and result.step == 2
    call_tables = ("FROM calls", "FROM call_sessions", "FROM call_steps")
    reads = [s for s in statements if s.startswith("SELECT") and any(t in s for t in call_tables)]
    assert len(reads) == 1 and "JOIN call_sessions" in reads[0] and "call_steps" in reads[0]
    assert len([s for s in statements if s.startswith("UPDATE call_sessions")]) == 1
    assert len([s for s in statements if s.startswith("INSERT INTO call_steps")]) == 1
    assert len(commits) == 1


def test_an_event_for_a_step_no_longer_current_changes_nothing(
    service: CallService, db: Database
) -> None:
    started = service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    menu = service.handle(call_id="CA1", event=Keys("1"), event_key="step:1:keys", at_step=1)
    stale = service.handle(call_id="CA1", event=Silence(), event_key="step:1:silence", at_step=1)
    assert stale.stale and stale.outputs == menu.outputs and stale.step == menu.step == 2
    retried = service.handle(call_id="CA1", event=Keys("1"), event_key="step:1:keys", at_step=1)
    assert retried.replayed and not retried.stale and retried.outputs == menu.outputs
    assert started.step == 1
    with db.session() as session:
        assert session.scalar(select(func.count(CallStep.id))) == 2
        call_session = session.get(CallSession, "CA1")
        assert call_session is not None and call_session.step == 2


def test_a_new_service_instance_continues_the_call(db: Database, service: CallService) -> None:
    """State is in the database: a restarted worker takes the next webhook."""
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    restarted = build_call_service(Settings(database_url=db.url), Database(db.url))
    result = restarted.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    assert result.ended and "车已经叫了" in says(result.outputs)


def test_caller_hanging_up_mid_request_leaves_it_visible(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    service.handle(call_id="CA1", event=HangUp(), event_key="hangup")
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.CALLER_HUNG_UP
        call = session.get(Call, "CA1")
        assert call is not None and call.status == CallStatus.CALLER_HUNG_UP


def test_two_silences_hand_the_caller_to_a_person(service: CallService, db: Database) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    first = service.handle(call_id="CA1", event=Silence(), event_key="s1")
    assert isinstance(first.outputs[-1], Listen)
    second = service.handle(call_id="CA1", event=Silence(), event_key="s2")
    assert isinstance(second.outputs[-1], Transfer)
    with db.session() as session:
        assert session.get(Call, "CA1").status == CallStatus.TRANSFERRED  # type: ignore[union-attr]


def test_dialect_department_request_is_read_back(service: CallService) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Speech("我要挂号"), event_key="k1")
    result = service.handle(call_id="CA1", event=Speech("我有点心慌，血压有点高"), event_key="k2")
    assert "最早的号是" in says(result.outputs) and "心血管内科" in says(result.outputs)


def test_every_step_is_persisted_with_its_state(service: CallService, db: Database) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("*"), event_key="k1")
    with db.session() as session:
        steps = session.scalars(select(CallStep).order_by(CallStep.step)).all()
        assert [(s.step, s.state_after) for s in steps] == [
            (1, "main.menu_home"),
            (2, "main.menu_home"),
        ]
        call_session = session.get(CallSession, "CA1")
        assert call_session is not None and call_session.data["vars"]["call_name"] == "张奶奶"


def test_an_event_for_an_unknown_call_is_refused(service: CallService) -> None:
    with pytest.raises(UnknownCallError):
        service.handle(call_id="NOPE", event=Keys("1"), event_key="k1")


def test_a_failing_action_hands_over_instead_of_crashing(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    with db.session() as session:  # the draft ride disappears behind the flow's back
        session.delete(session.scalars(select(Ride)).one())
    result = service.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    assert isinstance(result.outputs[-1], Transfer) and "系统出了点问题" in says(result.outputs)
    assert service.handle(call_id="CA1", event=Keys("1"), event_key="k2").outputs == result.outputs


def test_variables_changed_without_a_state_change_are_saved(
    service: CallService, db: Database
) -> None:
    """A wrong ID number typed twice at the same question is counted twice."""
    number = "+8613800000010"  # 马大爹: registered, no ID number on file
    service.handle(call_id="CA9", event=CallStarted(number, HOTLINE), event_key="start")
    service.handle(call_id="CA9", event=Keys("2"), event_key="k1")
    first = service.handle(call_id="CA9", event=Keys("123"), event_key="k2")
    second = service.handle(call_id="CA9", event=Keys("456"), event_key="k3")
    assert first.state == second.state == "hospital.ask_id"
    assert (first.vars["id_tries"], second.vars["id_tries"]) == (1, 2)
    with db.session() as session:
        stored = session.get(CallSession, "CA9")
        assert stored is not None and stored.data["vars"]["id_tries"] == 2


def test_a_wrong_key_in_the_main_and_taxi_menus_asks_to_press_again(
    service: CallService,
) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    wrong = says(service.handle(call_id="CA1", event=Keys("5"), event_key="k1").outputs)
    assert "请再按一遍" in wrong and "没有听明白" not in wrong
    assert "叫车到您家，按1" in wrong  # the keys are named again
    service.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    wrong = says(service.handle(call_id="CA1", event=Keys("7"), event_key="k3").outputs)
    assert "请再按一遍" in wrong and "没有听明白" not in wrong
    assert "对，按1" in wrong
