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
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)


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
