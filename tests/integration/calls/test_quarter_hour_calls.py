"""A car booked for a quarter past or to the hour (eighth call trial: 七点三刻 was booked at
7:03), through the real flows and database; the clock: 2026-11-30 (a Monday) 10:00."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from support.calls import local_pickup as local
from support.calls import play as call
from support.calls import rides
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张奶奶, a home on file
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 local


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("said", "hour", "minute"), [("七点三刻", 7, 45), ("八点一刻", 8, 15), ("八点差一刻", 7, 45)]
)
def test_a_quarter_hour_is_read_back_and_booked_at_its_minute(
    service: CallService, db: Database, said: str, hour: int, minute: int
) -> None:
    lines = call(service, ZHANG, "3", "2", said, "1")
    assert f"明天（星期二）早上{hour}点{minute}分，车到家接您" in "\n".join(lines)
    (ride,) = rides(db)
    assert local(ride) == datetime(2026, 12, 1, hour, minute, tzinfo=LOCAL_TZ)
