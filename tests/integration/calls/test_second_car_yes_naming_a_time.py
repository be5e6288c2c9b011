"""A yes naming another time at the questions about a second car ("这一辆也要，两辆都要，请按
1", "原来…的那辆车取消，只要这一辆，对吗？", "两辆都要：约好的车照样来，现在再派一辆，对吗？")
books, cancels and sends nothing: the car asked about takes that time and is read back,
booked only once confirmed, as at its read-back. A yes naming the car's own time is the yes.
Whole calls through the real flows, understanding and database, the clock set to
2026-11-30 (a Monday) 09:00 in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.taxi.enums import RideStatus
from support.booked import book_ride, kunming
from support.calls import all_said, demo_call_service, last_four, local_pickup, rides, said_after
from support.calls import play as call

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 local
ZHANG = "+8613800000001"  # 张秀英: a home, an ID number on file


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=date(2026, 11, 30), now=NOW)


def _booked(db: Database) -> list[datetime]:
    return sorted(local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED)


def tuesday(hour: int) -> datetime:
    return datetime(2026, 12, 1, hour, 0, tzinfo=LOCAL_TZ)


def _second_car(service: CallService, db: Database, *answers: str) -> list[str]:
    """Tomorrow 7:00 booked, then a 10:00 car for the same morning: "已经约了一辆车"."""
    call(service, ZHANG, "3", "2", "7", "3", "1")
    return call(service, ZHANG, "3", "1", last_four(db), "3", "2", "10", "3", "1", *answers)


@pytest.mark.parametrize(
    "turns", [("都要，十一点的",), ("2", "对，十一点的")], ids=["second-car", "instead"]
)
def test_a_yes_naming_another_time_about_a_second_car_is_read_back_first(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    lines = _second_car(service, db, *turns, "hangup")
    after = said_after(lines, turns[-1])
    assert "明天（星期二）上午11点，车到家接您" in after, after
    assert "车约好了" not in after and "取消" not in after, after
    assert _booked(db) == [tuesday(7)]  # the first kept, nothing new booked
    # Confirmed: the 7:00 car asked about again (the answer was about a 10:00 car), then
    # both kept on 1.
    lines = _second_car(service, db, *turns, "1", "1")
    after = said_after(lines, turns[-1])
    assert after.count("明天上午已经约了一辆车。") == 1, after
    assert "好的，车约好了：明天（星期二）上午11点" in after
    assert _booked(db) == [tuesday(7), tuesday(11)]


def test_this_car_at_the_time_named_instead_once_each_is_confirmed(
    service: CallService, db: Database
) -> None:
    """"对，十一点的" at "原来…那辆车取消，只要这一辆，对吗？": the 11:00 car read back, then
    the question about the 7:00 car again; only its own yes cancels it."""
    lines = _second_car(service, db, "2", "对，十一点的", "1", "2", "1")
    assert "好的，车约好了：明天（星期二）上午11点" in said_after(lines, "对，十一点的")
    assert _booked(db) == [tuesday(11)]


def test_a_yes_naming_the_cars_own_time_is_the_yes(service: CallService, db: Database) -> None:
    lines = _second_car(service, db, "都要，十点的")
    assert "好的，车约好了" in said_after(lines, "都要，十点的")
    assert _booked(db) == [tuesday(7), tuesday(10)]


def _booked_soon(service: CallService, db: Database, *answers: str) -> list[str]:
    """A car booked for 9:44 today (not released yet), then a car now: "快到时间了"."""
    book_ride(db, number=ZHANG, pickup=kunming(30, 9, 44), now=NOW)
    return call(service, ZHANG, "1", "1", *answers)


@pytest.mark.parametrize(
    "turns", [("3", "对，下午三点的"), ("2", "对，下午三点的")], ids=["both-cars", "instead"]
)
def test_a_yes_naming_a_time_at_a_car_now_beside_a_booked_one_sends_no_car(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    lines = _booked_soon(service, db, *turns, "hangup")
    assert "已经约了一辆车，快到时间了" in all_said(lines)
    after = said_after(lines, turns[-1])
    assert "今天（星期一）下午3点，车到家接您。对，按1" in after, after
    assert "车已经叫了" not in after and "取消" not in after, after
    assert RideStatus.QUEUED not in [r.status for r in rides(db)]
    assert _booked(db) == [datetime(2026, 11, 30, 9, 44, tzinfo=LOCAL_TZ)]


def test_a_time_named_beside_a_booked_car_is_booked_once_confirmed(
    service: CallService, db: Database
) -> None:
    lines = _booked_soon(service, db, "3", "对，下午三点的", "1")
    assert "好的，车约好了：今天（星期一）下午3点" in all_said(lines)
    assert RideStatus.QUEUED not in [r.status for r in rides(db)]
    assert _booked(db) == [
        datetime(2026, 11, 30, 9, 44, tzinfo=LOCAL_TZ),
        datetime(2026, 11, 30, 15, 0, tzinfo=LOCAL_TZ),
    ]
