"""Booking a ride ahead (key 3, dialogs/ahead.yaml): what a simulated-caller trial found
unsafe or wrong, through the real flows, understanding and database, with the clock set:
2026-11-30 (a Monday) 10:00 in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from app.notify.models import OutboxMessage
from app.simulator import run_call
from app.taxi import queue as ride_queue
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

HOTLINE = "+868710000000"
ZHANG = "+8613800000001"  # 张奶奶 (张秀英), a home on file, a mobile
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 local


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)


def call(service: CallService, number: str, *turns: str) -> list[str]:
    lines: list[str] = []
    run_call(service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return lines


def rides(db: Database) -> list[Ride]:
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def local(ride: Ride) -> datetime:
    assert ride.pickup_at is not None
    return ride.pickup_at.astimezone(LOCAL_TZ)


def booked(db: Database) -> list[Ride]:
    return [r for r in rides(db) if r.status == RideStatus.SCHEDULED]


# --- the day question: three choices, another day said or keyed ---------------------------


def test_the_day_question_offers_three_choices_and_another_day_by_its_weekday_key(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "3", "5", "8", "1")
    said = "\n".join(lines)
    assert "哪天用车？今天，请按1。明天，请按2。别的日子，请按3。转人工，按0。" in said
    assert "后天，请按3" not in said
    assert "星期几，就按几" in said
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 4, 8, 0, tzinfo=LOCAL_TZ)  # 星期五


def test_another_day_said_after_key_3(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "3", "后天下午两点", "1")
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 2, 14, 0, tzinfo=LOCAL_TZ)


def test_shangwu_is_noon(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "明天晌午", "1")
    assert any("中午12点" in line for line in lines), lines
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 1, 12, 0, tzinfo=LOCAL_TZ)


# --- N10: a booking not confirmed is never queued --------------------------------------


@pytest.mark.parametrize(
    ("turns", "reason"),
    [
        (("3", "2", "8", "hangup"), "预约没有确认，来电者已挂断"),  # hangs up at the read-back
        (("3", "2", "8", "0"), "预约没有确认，已转人工"),  # a person at the read-back
    ],
    ids=["hang-up", "to-a-person"],
)
def test_an_unconfirmed_booking_is_settled_at_the_call_end_and_never_in_the_live_queue(
    service: CallService, db: Database, turns: tuple[str, ...], reason: str
) -> None:
    lines = call(service, ZHANG, *turns)
    assert any("明天" in line and "8点" in line and "对吗" in line for line in lines), lines
    (ride,) = rides(db)
    assert ride.status == RideStatus.CANCELLED and ride.cancel_reason == reason
    with db.session() as session:
        assert ride_queue.live_queue(session, now=NOW) == []
        assert session.scalars(select(OutboxMessage)).all() == []  # nobody is told


def test_a_ride_now_left_at_its_confirmation_still_waits_for_an_operator(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "1", "hangup")
    (ride,) = rides(db)
    assert ride.status == RideStatus.CALLER_HUNG_UP  # never lost, as before
