"""A yes that names another time or day than the one read back ("对，十点的" at the read-back
of 明天上午9点) never books the ride for the time read back: the caller's time is taken and
read back again, booked only once confirmed; a yes naming the time read back, or nothing,
books at once. Whole calls through the real flows, understanding and database, with the
clock set: 2026-11-30 (a Monday) 10:00 in Kunming; the ride read back is 明天（星期二）上午9点
from home ("3", "2", "9": 约车, 明天, 九点)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.calls import demo_call_service, rides
from support.calls import local_pickup as local
from support.calls import play as call

ZHANG = "+8613800000001"  # 张秀英, a home on file
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 local
NINE = ("3", "2", "9")  # 约车, 明天, 九点: "明天（星期二）上午9点，车到家接您。对，按1…"
READ_BACK = "明天（星期二）上午9点，车到家接您。对，按1"
BOOKED = "好的，车约好了："


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=date(2026, 11, 30), now=NOW)


def booked(db: Database) -> list[Ride]:
    return [r for r in rides(db) if r.status == RideStatus.SCHEDULED]


def after(lines: list[str], answer: str) -> list[str]:
    """What the hotline said after the caller's `answer` (said first)."""
    return lines[lines.index(f"来电者：{answer}") + 1 :]


@pytest.mark.parametrize(
    ("answer", "heard", "pickup"),
    [
        # Another hour of the day read back, with the yes.
        ("对，十点的", "明天（星期二）上午10点，车到家接您。对，按1", datetime(2026, 12, 1, 10, 0)),
        # Another day, no hour: the hour read back, on that day.
        ("好，后天", "后天（星期三）上午9点，车到家接您。对，按1", datetime(2026, 12, 2, 9, 0)),
        # Another yes word (可以), the half-hour after the hour read back.
        ("可以，九点半", "明天（星期二）上午9点半，车到家接您。对，按1",
         datetime(2026, 12, 1, 9, 30)),
    ],
    ids=["another-hour", "another-day", "half-past"],
)
def test_a_yes_naming_another_time_is_read_back_with_it_and_booked_only_when_confirmed(
    service: CallService, db: Database, answer: str, heard: str, pickup: datetime
) -> None:
    lines = call(service, ZHANG, *NINE, answer, "hangup")
    assert any(READ_BACK in line for line in lines)
    later = after(lines, answer)
    assert any(heard in line for line in later), later
    assert not any(BOOKED in line for line in later)
    assert booked(db) == []  # nothing booked, least of all 9:00

    lines = call(service, ZHANG, *NINE, answer, "1")
    assert any(f"{BOOKED}{heard.split('，车到')[0]}" in line for line in lines), lines
    (ride,) = booked(db)
    assert local(ride) == pickup.replace(tzinfo=LOCAL_TZ)


def test_a_yes_naming_another_half_day_asks_the_hour_of_it(
    service: CallService, db: Database
) -> None:
    """"对的，明天下午": the afternoon of the day, whose hour is asked (9 is no afternoon
    hour), then read back."""
    lines = call(service, ZHANG, *NINE, "对的，明天下午", "下午三点", "1")
    later = after(lines, "对的，明天下午")
    assert "明天下午几点钟用车？" in later[0], later
    assert any("明天（星期二）下午3点，车到家接您。对，按1" in line for line in later)
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 1, 15, 0, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    "answer", ["对", "对，九点的", "好，明天上午九点", "要得，明天"],
    ids=["plain", "same-hour", "same-day-and-hour", "same-day"],
)
def test_a_yes_naming_nothing_else_books_the_time_read_back_at_once(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, *NINE, answer)
    later = after(lines, answer)
    assert f"{BOOKED}明天（星期二）上午9点，车到家接您。" in later[0], later
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)


def test_a_no_naming_the_other_half_day_of_a_day_asks_the_hour_of_it(
    service: CallService, db: Database
) -> None:
    """"不对，明天下午" at 明天上午9点 was read back as 明天上午9点 again: the hour is asked."""
    lines = call(service, ZHANG, *NINE, "不对，明天下午", "三点", "1")
    assert "明天下午几点钟用车？" in after(lines, "不对，明天下午")[0]
    (ride,) = booked(db)
    assert local(ride) == datetime(2026, 12, 1, 15, 0, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("turns", "answer", "read_back", "pickup", "to"),
    [
        # A bare 七点 is understood as the morning: at 晚上7点 it means the evening.
        (("3", "2", "晚上七点"), "对，七点", "明天（星期二）晚上7点，车到家接您。对，按1",
         datetime(2026, 12, 1, 19, 0), None),
        # 医院 at a ride to 云大医院.
        (("3", "2", "9", "去云大医院"), "对，去医院",
         "明天（星期二）上午9点，车到家接您去云大医院，对吗？", datetime(2026, 12, 1, 9, 0),
         "云大医院"),
        # The pickup read back, by its name.
        (NINE, "对，到家接我", READ_BACK, datetime(2026, 12, 1, 9, 0), None),
    ],
    ids=["evening-hour", "hospital", "pickup"],
)
def test_a_yes_meaning_what_was_read_back_is_read_back_once_more_unchanged(
    service: CallService, db: Database, turns: tuple[str, ...], answer: str, read_back: str,
    pickup: datetime, to: str | None,
) -> None:
    """Words the engine cannot match part by part change nothing: the same read-back once
    more (never a morning car, another hospital or pickup); said again, they agree."""
    lines = call(service, ZHANG, *turns, answer, "hangup")
    assert any(read_back in line for line in lines)
    later = after(lines, answer)
    assert read_back in later[0], later
    assert booked(db) == []

    lines = call(service, ZHANG, *turns, answer, answer)
    twice = after(lines, answer)
    second = twice.index(f"来电者：{answer}")
    assert read_back in twice[0] and BOOKED in twice[second + 1], twice
    (ride,) = booked(db)
    assert local(ride) == pickup.replace(tzinfo=LOCAL_TZ)
    assert ride.destination == to
