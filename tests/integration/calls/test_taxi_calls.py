"""One-key taxi calls through the real flows, understanding and database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.demo_data import PEOPLE
from app.hotline import build_call_service
from app.people.models import Person, PersonPhone
from app.simulator import run_call
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.demo import demo_data

HOTLINE = "+868710000000"
# 40 s before key 3 (约车, booking ahead) joined the first prompt; it costs every caller
# 2.6 s (docs/taxi.md, "Time to a queued ride"): 40.8 s for every demo caller.
TIME_TO_QUEUE_TARGET_S = 41


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db)


def call(service: CallService, number: str, *turns: str) -> tuple[list[str], list[float]]:
    lines: list[str] = []
    played = run_call(
        service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append
    )
    return lines, played.turn_ends


def rides(db: Database) -> list[Ride]:
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def test_every_registered_caller_queues_a_ride_in_two_keys_within_41_seconds(
    service: CallService, db: Database
) -> None:
    numbers = [phones[0][0] for *_, phones, places, _ in PEOPLE if places]
    for number in numbers:
        lines, turn_ends = call(service, number, "1", "1")
        assert any("车已经叫了" in line for line in lines), lines
        assert len(turn_ends) == 2
        assert turn_ends[-1] < TIME_TO_QUEUE_TARGET_S, (number, turn_ends)
    queued = [r for r in rides(db) if r.status == RideStatus.QUEUED]
    assert len(queued) == len(numbers)


def test_the_first_prompt_names_the_caller_the_hotline_and_the_home_key(
    service: CallService,
) -> None:
    lines, _ = call(service, "+8613800000001", "hangup")
    # The key before the long detail: the address is not read before "按1".
    assert lines[0].startswith("热线：张奶奶您好，长者服务热线。叫车到您家，按1。")


def test_saying_jiao_che_works_like_key_one(service: CallService, db: Database) -> None:
    call(service, "+8613800000002", "喊个车", "是喽嘛")
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


def test_another_saved_place_can_be_chosen_by_name(service: CallService, db: Database) -> None:
    lines, _ = call(service, "+8613800000004", "1", "2", "儿子家", "1")
    assert any("在儿子家，请按1" in line for line in lines)  # the keys start at 1
    ride = rides(db)[0]
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_address is not None and "大学城" in ride.pickup_address


def test_another_saved_place_can_be_chosen_by_key(service: CallService, db: Database) -> None:
    call(service, "+8613800000001", "1", "2", "2", "1")  # not home: 女儿家 1, 市一院 2
    assert "春城第一人民医院" in (rides(db)[0].pickup_address or "")


def test_unregistered_caller_says_the_pickup_place_in_their_own_words(
    service: CallService, db: Database
) -> None:
    lines, _ = call(service, "+8613812345678", "1", "就在翠湖北路菜市场门口", "对的")
    assert any("您说的是：就在翠湖北路菜市场门口" in line for line in lines)
    ride = rides(db)[0]
    assert ride.status == RideStatus.QUEUED and ride.person_id is None
    assert ride.pickup_transcript == "就在翠湖北路菜市场门口"
    assert ride.caller_number == "+8613812345678"


def test_withheld_number_can_still_get_a_car(service: CallService, db: Database) -> None:
    call(service, "anonymous", "1", "金马小区门口", "1")
    ride = rides(db)[0]
    assert ride.status == RideStatus.QUEUED and ride.caller_number is None


def test_trip_to_hospital_goes_ahead_of_an_ordinary_trip(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "1", "1")
    call(service, "+8613800000002", "1", "3", "1")
    ordinary, hospital = rides(db)
    assert hospital.to_hospital and hospital.priority > ordinary.priority


def test_hanging_up_before_confirming_leaves_a_visible_request(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "1", "hangup")
    assert [r.status for r in rides(db)] == [RideStatus.CALLER_HUNG_UP]


def test_calling_again_hears_the_car_and_plate(service: CallService, db: Database) -> None:
    call(service, "+8613800000001", "1", "1")
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        driver = session.scalars(select(Driver).where(Driver.plate == "云A·D1234")).one()
        ride.status, ride.driver_id, ride.eta_minutes = RideStatus.ASSIGNED, driver.id, 6
    lines, _ = call(service, "+8613800000001", "hangup")
    assert "车牌是云A，D，幺，二，三，四，大约6分钟到" in lines[1]


def test_calling_again_can_cancel_after_confirming(service: CallService, db: Database) -> None:
    call(service, "+8613800000001", "1", "1")
    lines, _ = call(service, "+8613800000001", "8", "8")
    assert any("车已经取消了" in line for line in lines)
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


def test_a_second_phone_of_the_same_person_sees_the_same_ride(
    service: CallService, db: Database
) -> None:
    call(service, "+8613800000001", "1", "1")
    with db.session() as session:
        landline = session.scalars(
            select(PersonPhone.number)
            .join(Person)
            .where(Person.full_name == "张秀英")
            .where(PersonPhone.number != "+8613800000001")
        ).one()
    lines, _ = call(service, landline, "hangup")
    assert "您叫的车，正在为您派车" in lines[1]
