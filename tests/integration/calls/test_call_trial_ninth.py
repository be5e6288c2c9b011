"""What the ninth simulated-call trial (older callers, Yunnan dialect) found on the taxi
side of the call, played as whole calls against the demo data (Monday 2026-11-30 09:00 in
Kunming) through the real flows, understanding and database: a car naming no hospital on
the day of a visit is checked against it; a car given up for the wrong day is found on its
own day and asked about; "车到哪里了" without a car is answered; a car asked for during a
ride is not ignored; the booked-car menu has no hidden key; a rider with no ID number who
presses 0 reaches a person who is told why. The spec check that every acting key is said
is `tests/unit/callflow/test_prompt_rules.py`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.callflow.messages import CallStarted, Keys
from app.calls.enums import CallChannel
from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.operators.panel import open_requests
from app.taxi.enums import RideStatus
from support.calls import HOTLINE, all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英: a home, an ID number
MA = "+8613800000010"  # 马大爹: a home, no ID number on file
BOOK_CARDIOLOGY = ("2", "1", "1", "1")  # 挂号, 内科, 心血管内科, the earliest (Tue 8:00)


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _scheduled(db: Database) -> list[datetime]:
    return sorted(local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED)


# --- 1. a car naming no hospital, on the day of a visit, is checked against it -------------


def test_a_car_with_no_hospital_on_the_visits_morning_is_checked_against_the_visit(
    service: CallService, db: Database
) -> None:
    assert "挂好了" in all_said(call(service, ZHANG, *BOOK_CARDIOLOGY, "2"))  # tomorrow 8:00
    # Tomorrow 9:00 from home, the confirmation's 1: no hospital said, none on the car.
    lines = call(service, ZHANG, "3", "2", "9", "1", last_four(db), "1")
    said = all_said(lines)
    # Asked before anything is booked (tenth trial): see test_call_trial_tenth.py.
    assert "这辆车的时间要再核对一下" in said, lines
    assert "换成明天早上7点15分" in said and "车约好了：明天早上7点15分" in said, lines
    assert _scheduled(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]


# --- 2. "明天的车不要了" with the car on 后天 -----------------------------------------------


def test_a_car_given_up_for_the_wrong_day_is_said_on_its_day_and_asked_about(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "后天早上八点", "1")
    assert _scheduled(db) == [datetime(2026, 12, 2, 8, 0, tzinfo=LOCAL_TZ)]
    kept = call(service, ZHANG, "明天的车不要了", last_four(db), "2")
    said = all_said(kept)
    assert "没有找到您预约的车" not in said, kept
    assert "明天没有约车。" in said and "后天早上8点" in said, kept
    assert "后天早上8点的车要取消吗？取消，请按8。" in said, kept
    assert _scheduled(db) == [datetime(2026, 12, 2, 8, 0, tzinfo=LOCAL_TZ)]  # 2: kept
    call(service, ZHANG, "明天的车不要了", last_four(db), "8")
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


# --- 3. "车到哪里了" with no car ----------------------------------------------------------


def test_where_is_my_car_without_a_car_says_so_and_offers_one(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "车到哪里了", "1", "hangup")
    said = all_said(lines)
    assert "您现在没有叫车，也没有约车。要叫车，请按1。" in said, lines
    assert "[转接人工" not in said, lines
    assert "车到家接您" in said  # 1: the car offered, to her home


def test_where_is_my_car_with_a_booked_car_reads_it_after_the_last_four(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # tomorrow 9:00
    lines = call(service, ZHANG, "车到哪里了", last_four(db), "hangup")
    said = all_said(lines)
    assert "身份证号的最后4位" in said and "您预约了明天上午9点" in said, lines
    assert "[转接人工" not in said, lines


# --- 4. a car to the hospital asked for during a ride ------------------------------------


ONE_CAR = "已经有您叫的车了，一次只叫一辆车。"


@pytest.mark.parametrize(
    ("words", "told"),
    [
        ("整个车克医院", f"{ONE_CAR}要去医院，上车后告诉司机就行。要换一辆"),
        ("再叫一辆车", f"{ONE_CAR}要换一辆"),
    ],
)
def test_a_car_asked_for_during_a_ride_is_answered(
    service: CallService, db: Database, words: str, told: str
) -> None:
    call(service, ZHANG, "1", "1")  # a car now, under way
    lines = call(service, ZHANG, words, "hangup")
    after = all_said(lines[lines.index(f"来电者：{words}"):])
    assert told in after, lines
    assert "取消叫车，请按8" in after  # then the ride's state and its menu
    assert len(rides(db)) == 1  # never a second car


# --- 5. no hidden key at the booked-car menu ---------------------------------------------


def test_a_key_the_booked_car_menu_does_not_say_does_nothing(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # tomorrow 9:00
    lines = call(service, ZHANG, "3", "1", last_four(db), "2", "hangup")
    said = all_said(lines[lines.index("来电者：2"):])
    assert "没有这个选项" in said and "几点钟用车" not in said, lines
    assert len(rides(db)) == 1  # 2 once booked tomorrow unsaid


# --- 7. the rider with no ID number presses 0: the operator is told why -----------------------


def test_a_rider_without_an_id_number_reaches_a_person_who_is_told_why(
    service: CallService, db: Database
) -> None:
    call(service, MA, "3", "明天早上八点去市一院", "1")
    call_id = "CA-no-id"
    service.handle(call_id=call_id, event=CallStarted(MA, HOTLINE), event_key="start",
                   channel=CallChannel.TWILIO)
    for n, key in enumerate(("3", "1", "0")):
        result = service.handle(call_id=call_id, event=Keys(key), event_key=f"k{n}",
                                channel=CallChannel.TWILIO)
    assert any(o.kind == "transfer" for o in result.outputs)
    with db.session() as session:
        (waiting,) = open_requests(session, now=NOW)
    assert "乘客无身份证号，需告知去哪里" in waiting.reason, waiting.reason
