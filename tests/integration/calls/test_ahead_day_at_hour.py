"""Booking ahead: a day said at the hour question, a past hour for a car now, a new half-day
at a change of day, and 改到 at the keep-or-change question; whole calls with the clock at
2026-11-30 (a Monday) 10:00 in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from app.taxi.enums import RideStatus
from support.calls import all_said, rides
from support.calls import local_pickup as local
from support.calls import play as call
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张奶奶, a home on file, a mobile
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 local


@pytest.fixture
def service(db: Database) -> CallService:
    return _service_at(db, NOW)


def _service_at(db: Database, now: datetime) -> CallService:
    """The demo data of 2026-11-30 and the call service with its clock at ``now``."""
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: now)


def test_a_day_said_at_the_hour_question_changes_the_day(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "1", "晚上十一点", "后天下午的", "三点", "1")
    said = all_said(lines)
    assert "预约的车，只在早上6点到晚上10点以前接人，请换一个时间。" in said
    assert "没有听清是几点钟" not in said
    assert "后天下午几点钟用车？" in said
    assert "后天（星期三）下午3点，车到家接您。对，按1" in said
    (ride,) = [r for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert local(ride) == datetime(2026, 12, 2, 15, 0, tzinfo=LOCAL_TZ)


AT_NINE_TWENTY = datetime(2026, 11, 30, 1, 20, tzinfo=UTC)  # 09:20 local


@pytest.fixture
def service_at_nine_twenty(db: Database) -> CallService:
    return _service_at(db, AT_NINE_TWENTY)


def test_a_past_hour_at_the_read_back_of_a_car_now_offers_the_car_now(
    service_at_nine_twenty: CallService, db: Database
) -> None:
    """"对，九点的" at 9:20: 9:00 is past; "对" takes the car now (queued, nothing booked)."""
    lines = call(service_at_nine_twenty, ZHANG, "1", "对，九点的", "对", "1")
    said = all_said(lines)
    assert ("今天上午9点已经过了。现在就叫车，请按1。换一个时间，请按2。转人工，按0。"
            in said), said
    later = all_said(lines[lines.index("来电者：对") + 1:])
    assert "车到家接您。对，按1" in later
    assert "不用等到" not in later
    (ride,) = [r for r in rides(db) if r.status != RideStatus.CANCELLED]
    assert ride.status != RideStatus.SCHEDULED and ride.pickup_at is None
    assert ride.queued_at is not None


def test_a_past_hour_at_the_read_back_of_a_car_now_can_take_another_time(
    service_at_nine_twenty: CallService, db: Database
) -> None:
    lines = call(service_at_nine_twenty, ZHANG, "1", "对，九点的", "2", "十一点", "1")
    said = all_said(lines)
    assert "今天几点钟用车？" in said
    assert "今天（星期一）上午11点，车到家接您。对，按1" in said
    (ride,) = [r for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert local(ride) == datetime(2026, 11, 30, 11, 0, tzinfo=LOCAL_TZ)


def test_midnight_is_said_as_half_past_night_twelve() -> None:
    from app.taxi.ahead import pickup_time, spoken_pickup

    day = date(2026, 12, 1)
    assert spoken_pickup(pickup_time(day, 0, 0), NOW) == "明天半夜12点"
    assert spoken_pickup(pickup_time(day, 0, 30), NOW) == "明天半夜12点半"
    assert spoken_pickup(pickup_time(day, 4, 0), NOW) == "明天凌晨4点"
    assert spoken_pickup(pickup_time(day, 6, 0), NOW) == "明天早上6点"


def test_a_new_half_day_at_a_change_of_day_does_not_keep_an_hour_not_in_it(
    service: CallService, db: Database
) -> None:
    """A car at 明天中午12点 already; a second at that hour is refused, and "后天下午的"
    at the keep-or-change question asks the afternoon's hour (12 is no afternoon hour)."""
    call(service, ZHANG, "3", "2", "中午十二点", "1")
    lines = call(service, ZHANG, "3", "2", "2", "中午十二点", "后天下午的", "三点", "1", "1")
    assert "留着原来的车，请按1。换一个时间，请按2。" in all_said(lines)
    later = all_said(lines[lines.index("来电者：后天下午的") + 1:])
    assert "后天（星期三）中午12点" not in later
    assert "后天下午几点钟用车？" in later
    assert "后天（星期三）下午3点，车到家接您。对，按1" in later
    booked = sorted(local(r) for r in rides(db) if r.status == RideStatus.SCHEDULED)
    assert booked == [datetime(2026, 12, 1, 12, 0, tzinfo=LOCAL_TZ),
                      datetime(2026, 12, 2, 15, 0, tzinfo=LOCAL_TZ)]


def test_a_new_half_day_at_the_read_back_does_not_keep_an_hour_not_in_it(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "中午十二点", "后天下午的", "三点", "1")
    later = all_said(lines[lines.index("来电者：后天下午的") + 1:])
    assert "后天（星期三）中午12点" not in later
    assert "后天（星期三）下午3点，车到家接您。对，按1" in later
    (ride,) = [r for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert local(ride) == datetime(2026, 12, 2, 15, 0, tzinfo=LOCAL_TZ)


MOVED = "原来明天中午12点的车还留着，没有取消。两辆都要，请按1。只要这一辆，原来那辆不要了，请按2。"


def test_gai_dao_at_keep_or_change_says_the_first_car_stays_and_can_cancel_it(
    service: CallService, db: Database
) -> None:
    """"改到后天" at the keep-or-change question: the new car is read back; after its yes the
    caller hears that the first car stays, with its time, and 2 cancels it (confirmed)."""
    call(service, ZHANG, "3", "2", "中午十二点", "1")
    lines = call(service, ZHANG, "3", "2", "2", "中午十二点", "改到后天", "1", "2", "1")
    said = all_said(lines)
    assert "后天（星期三）中午12点，车到家接您。对，按1" in said
    assert MOVED in said
    assert "的那辆车取消，只要这一辆，对吗？" in said
    booked = [local(r) for r in rides(db) if r.status == RideStatus.SCHEDULED]
    assert booked == [datetime(2026, 12, 2, 12, 0, tzinfo=LOCAL_TZ)]


def test_gai_dao_at_keep_or_change_can_keep_both_cars(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "中午十二点", "1")
    lines = call(service, ZHANG, "3", "2", "2", "中午十二点", "改到后天", "1", "1")
    said = all_said(lines)
    assert "的车还留着，没有取消。两辆都要，请按1" in said
    booked = sorted(local(r) for r in rides(db) if r.status == RideStatus.SCHEDULED)
    assert booked == [datetime(2026, 12, 1, 12, 0, tzinfo=LOCAL_TZ),
                      datetime(2026, 12, 2, 12, 0, tzinfo=LOCAL_TZ)]
