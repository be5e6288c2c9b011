"""A yes that names a time at the read-back of a car wanted now ("对，十点的" at "车到家接您。
对，按1") never sends a car now: the ride becomes a booking for that time, read back again
and booked only once confirmed; a yes naming nothing, today or the pickup sends the car now
as before. Whole calls through the real flows, understanding and database, with the clock
set: 2026-11-30 (a Monday) 09:00 in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.taxi.enums import RideStatus
from support.calls import all_said, demo_call_service, rides, said_after
from support.calls import local_pickup as local
from support.calls import play as call

ZHANG = "+8613800000001"  # 张秀英, a home on file: "1" is a car home now
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 local
READ_BACK = "车到家接您。对，按1"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=date(2026, 11, 30), now=NOW)


def statuses(db: Database) -> list[RideStatus]:
    return [r.status for r in rides(db)]


@pytest.mark.parametrize(
    ("turns", "heard", "pickup"),
    [
        (("对，十点的",), "今天（星期一）上午10点，车到家接您。对，按1",
         datetime(2026, 11, 30, 10, 0)),
        (("好 明天早上八点",), "明天（星期二）早上8点，车到家接您。对，按1",
         datetime(2026, 12, 1, 8, 0)),
        # A day without an hour: the hour asked, for that day.
        (("对，明天的", "九点"), "明天（星期二）上午9点，车到家接您。对，按1",
         datetime(2026, 12, 1, 9, 0)),
        # The other half-day of today: its hour asked.
        (("对，下午的", "三点"), "今天（星期一）下午3点，车到家接您。对，按1",
         datetime(2026, 11, 30, 15, 0)),
    ],
    ids=["hour", "day-and-hour", "day", "half-day"],
)
def test_a_yes_naming_a_time_at_a_car_now_is_a_booking_read_back_and_confirmed(
    service: CallService, db: Database, turns: tuple[str, ...], heard: str, pickup: datetime
) -> None:
    lines = call(service, ZHANG, "1", *turns, "hangup")
    assert READ_BACK in all_said(lines)
    said = said_after(lines, turns[0])
    assert heard in said and "车已经叫了" not in said, said
    assert RideStatus.QUEUED not in statuses(db)  # no car sent now
    assert RideStatus.SCHEDULED not in statuses(db)  # nor booked before the yes

    lines = call(service, ZHANG, "1", *turns, "1")
    assert f"好的，车约好了：{heard.split('，车到')[0]}" in said_after(lines, turns[-1])
    (ride,) = [r for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert local(ride) == pickup.replace(tzinfo=LOCAL_TZ)
    assert RideStatus.QUEUED not in statuses(db)


# "对，九点的" at 9:00, "对，九点零五的": a time within minutes of now is the car now (it was
# "今天上午9点已经过了", a booking refused as past).
@pytest.mark.parametrize(
    "answer", ["对", "对，今天的", "对，到家接我", "好，现在就要", "对，九点的", "对，九点零五的"]
)
def test_a_yes_naming_no_other_time_sends_the_car_now(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, "1", answer)
    assert "好的，车已经叫了" in said_after(lines, answer)
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.pickup_at is None


def test_a_time_too_soon_to_book_taken_now_after_all_leaves_one_car(
    service: CallService, db: Database
) -> None:
    """"对，九点二十的" at 9:00 is too soon to book: a car now offered (1); the ride begun as
    a booking is cancelled, not left for an operator as a hung-up request."""
    lines = call(service, ZHANG, "1", "对，九点二十的", "1", "1")
    assert "预约要提前30分钟以上。现在就叫车，请按1" in said_after(lines, "对，九点二十的")
    assert "好的，车已经叫了" in all_said(lines)
    assert sorted(statuses(db)) == sorted([RideStatus.CANCELLED, RideStatus.QUEUED])


def test_a_withheld_number_naming_a_time_books_nothing_ahead(
    service: CallService, db: Database
) -> None:
    lines = call(service, "anonymous", "1", "金马小区门口", "对，十点的", "hangup")
    assert "电话里不能预约" in said_after(lines, "对，十点的")
    assert RideStatus.SCHEDULED not in statuses(db) and RideStatus.QUEUED not in statuses(db)


@pytest.mark.parametrize(
    ("now", "answer"),
    [
        (datetime(2026, 11, 30, 0, 57, tzinfo=UTC), "对，九点的"),  # 08:57: in three minutes
        (datetime(2026, 11, 30, 13, 0, tzinfo=UTC), "对，九点的"),  # 21:00: the bare hour
        (datetime(2026, 11, 30, 13, 3, tzinfo=UTC), "对，晚上九点的"),  # 21:03, just gone
    ],
    ids=["just-before", "evening-bare-hour", "evening-just-gone"],
)
def test_the_current_hour_named_around_it_is_the_car_now(
    db: Database, now: datetime, answer: str
) -> None:
    service = demo_call_service(db, today=date(2026, 11, 30), now=now)
    lines = call(service, ZHANG, "1", answer)
    said = said_after(lines, answer)
    assert "好的，车已经叫了" in said and "已经过了" not in said, said
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.pickup_at is None
