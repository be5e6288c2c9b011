"""Booking a ride ahead by phone (key 3, dialogs/ahead.yaml), through the real flows,
understanding and database, with the clock set: 2026-11-30 (a Monday) 10:00 in Kunming."""

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
from app.scheduler.enums import JobKind
from app.scheduler.models import ScheduledJob
from app.taxi.enums import RideStatus
from support.calls import last_four, rides
from support.calls import local_pickup as local
from support.calls import play as call
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张奶奶, a home on file, a mobile
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 local


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)


def test_tomorrow_at_eight_by_keys_is_read_back_and_booked(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "2", "8", "1")
    said = "\n".join(lines)
    assert "约车，按3" in lines[0]
    assert "哪天用车？今天，请按1。明天，请按2。别的日子，请按3。" in said
    # read back before anything is saved
    assert "明天（星期二）早上8点，车到家接您。对，按1" in said
    assert "车约好了：明天（星期二）早上8点，车到家接您。前一天晚上会发短信提醒您。" in said
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local(ride) == datetime(2026, 12, 1, 8, 0, tzinfo=LOCAL_TZ)
    assert ride.queued_at is None  # not in the live queue yet
    with db.session() as session:
        jobs = {j.kind: j for j in session.scalars(select(ScheduledJob))}
        sent = session.scalars(select(OutboxMessage)).all()
    assert jobs[JobKind.RELEASE_RIDE].due_at == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert jobs[JobKind.REMIND_RIDE].due_at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert sent == []  # nothing is sent at booking


def test_a_day_and_hour_said_in_one_answer_and_a_booked_trip_to_hospital(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "3", "礼拜三下午两点半", "3", "1")
    said = "\n".join(lines)
    # 礼拜三 is the day after tomorrow
    assert "后天（星期三）下午2点半，车到家接您。对，按1" in said
    assert "后天（星期三）下午2点半，车到家接您去春城第一人民医院，对吗？" in said
    (ride,) = rides(db)
    assert local(ride) == datetime(2026, 12, 2, 14, 30, tzinfo=LOCAL_TZ)
    assert ride.status == RideStatus.SCHEDULED and ride.to_hospital
    assert ride.priority == 30  # older caller and hospital trip, as for a ride now


@pytest.mark.parametrize(
    ("turns", "heard"),
    [
        (("1", "早上七点"), "今天早上7点已经过了。现在就叫车，请按1。换一个时间，请按2。"),
        (("2", "晚上十一点"), "预约的车，只在早上6点到晚上10点以前接人，请换一个时间。"),
        (("下个月十五号上午九点",), "只能预约7天以内的车，请换一天。"),
    ],
    ids=["past", "outside-hours", "beyond-window"],
)
def test_a_time_that_cannot_be_booked_is_refused_with_the_reason(
    service: CallService, db: Database, turns: tuple[str, ...], heard: str
) -> None:
    lines = call(service, ZHANG, "3", *turns)
    assert any(heard in line for line in lines), lines
    assert all(r.status != RideStatus.SCHEDULED for r in rides(db))


def test_a_time_within_the_release_lead_is_a_ride_now(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "1", "上午十点二十", "1", "1")  # 10:00 now: too soon to book
    said = "\n".join(lines)
    assert "现在就叫车，不用等到今天上午10点20分，车到家接您。对，按1" in said
    (ride,) = rides(db)
    assert ride.status == RideStatus.QUEUED and ride.pickup_at is None


def test_an_hour_not_understood_twice_reaches_a_person(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "3", "2", "随便", "不知道")
    assert any("没有听清是几点钟" in line for line in lines)
    assert any("工作人员帮您约车" in line for line in lines), lines


def test_calling_again_the_booked_ride_is_heard_kept_with_2_and_cancelled_with_8_then_8(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "8", "1")
    # 不取消, then 再约一辆, nothing
    kept = call(service, ZHANG, "3", "1", last_four(db), "8", "2", "1", "hangup")
    assert any("车给您留着" in line for line in kept)
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]
    lines = call(service, ZHANG, "3", "1", last_four(db), "8", "8")
    said = "\n".join(lines)
    # Calling again, that a car is booked is said right after the greeting (its details
    # after the last four ID digits).
    assert lines[0].startswith(
        "热线：张奶奶您好，长者服务热线。您有一辆预约的车。叫车到您家，按1。"
    )
    assert "您预约了明天早上8点，到家接的车。" in said
    assert "明天早上8点的车要取消吗？取消，请再按8。不取消，请按2。" in said
    assert "明天早上8点的车已经取消了" in said
    (ride,) = rides(db)
    assert ride.status == RideStatus.CANCELLED


def test_a_ride_now_is_not_blocked_by_a_booked_one_nor_the_reverse(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "8", "1")
    lines = call(service, ZHANG, "1", "1")
    assert any("车已经叫了" in line for line in lines)
    assert sorted(r.status for r in rides(db)) == sorted([RideStatus.SCHEDULED, RideStatus.QUEUED])
    # With the ride now under way, the caller hears it first; the booking stays.
    lines = call(service, ZHANG, "hangup")
    assert any("您叫的车" in line for line in lines)


def test_a_regular_rides_leg_is_cancelled_by_phone_alone_and_the_rule_goes_on(
    service: CallService, db: Database
) -> None:
    """定期用车 with a return: tomorrow's two legs are booked rides like any other;
    cancelling the ride there by phone (3, 8, 8) cancels that leg only (decision,
    docs/taxi.md), the caller hears which leg went and that the return still comes; the
    day is never made again, the next one is."""
    from datetime import time

    from app.people.models import PersonPhone, SavedPlace
    from app.scheduler.runner import Scheduler
    from app.taxi import regular
    from app.taxi.enums import RegularStatus
    from app.taxi.models import RegularRide
    from app.taxi.regular import RegularRules

    settings = Settings(database_url=db.url)
    with db.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)).one()
        home = session.scalars(select(SavedPlace.id).where(
            SavedPlace.person_id == person_id).order_by(SavedPlace.position)).first()
        fields = regular.RuleFields(
            weekdays={2, 5}, pickup_time=time(8), return_time=time(12), pickup_place_id=home,
            destination="昆明市血液透析中心", to_hospital=True, last_day=None,
            skip_holidays=True, company_id=None, note=None,
        )
        rule_id = regular.create(
            session, person_id=person_id, fields=fields, first_day=date(2026, 11, 30),
            staff_id=None, now=NOW, rules=RegularRules.from_settings(settings),
        ).id
    said = "\n".join(call(service, ZHANG, "3", "1", last_four(db), "8", "8"))
    assert "明天早上8点去的车要取消吗" in said
    assert "明天早上8点去的车已经取消了。明天中午12点回来的车照常来，没有取消。" in said
    Scheduler(db, settings, clock=lambda: NOW).run_once()  # the same moment, again
    friday = datetime(2026, 12, 3, 8, 0, tzinfo=LOCAL_TZ)  # Friday's legs are made
    Scheduler(db, settings, clock=lambda: friday).run_once()
    made = [(r.regular_day, r.regular_return, r.status) for r in rides(db)]
    assert made == [(date(2026, 12, 1), False, RideStatus.CANCELLED),
                    (date(2026, 12, 1), True, RideStatus.QUEUED),  # released: it stayed
                    (date(2026, 12, 4), False, RideStatus.SCHEDULED),
                    (date(2026, 12, 4), True, RideStatus.SCHEDULED)]
    with db.session() as session:
        assert session.get(RegularRide, rule_id).status == RegularStatus.ACTIVE  # type: ignore[union-attr]
