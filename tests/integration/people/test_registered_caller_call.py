"""A person registered a moment ago is known to the hotline on their very next call."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.people.audit import Actor
from app.people.card import place_keys
from app.people.enums import ConsentBasis
from app.people.models import Community
from app.people.registration import PlaceInput, deactivate_person, register_person
from app.people.resident_id import make_resident_id
from app.simulator import run_call
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

HOTLINE = "+868710000000"
LANDLINE = "0871-6660101"

STAFF = Actor("翠湖社区 王主任")


def _call(db: Database, number: str, *turns: str) -> list[str]:
    service = build_call_service(Settings(database_url=db.url), db)
    lines: list[str] = []
    run_call(service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return lines


def _register(db: Database) -> int:
    with db.session() as session:
        community = session.scalars(select(Community).where(Community.name == "翠湖社区")).one()
        return register_person(
            session,
            full_name="赵桂兰",
            registered_by="翠湖社区 王主任",
            consent_basis=ConsentBasis.VERBAL_BY_PHONE,
            community_id=community.id,
            id_number=make_resident_id("530102", date(1948, 3, 9), 22),
            phones=["13900001111", LANDLINE],
            home=PlaceInput(label="家", address="五华区翠湖北路8号2栋1单元", landmark="菜市场对面"),
        ).id


def test_a_number_registered_a_moment_ago_is_greeted_by_name_and_gets_one_key_taxi_home(
    db: Database,
) -> None:
    demo_data(db, today=date(2026, 11, 30))
    person_id = _register(db)
    lines = _call(db, "+868716660101", "1", "1")
    assert lines[0].startswith("热线：赵奶奶您好，长者服务热线。叫车到您家，按1"), lines
    assert any("车已经叫了" in line for line in lines), lines
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.QUEUED and ride.person_id == person_id
        assert ride.pickup_address is not None and "翠湖北路8号2栋1单元" in ride.pickup_address


def test_after_deactivation_the_number_is_an_unknown_caller(db: Database) -> None:
    demo_data(db, today=date(2026, 11, 30))
    person_id = _register(db)
    with db.session() as session:
        deactivate_person(session, person_id=person_id, changed_by=STAFF)
    lines = _call(db, "+868716660101", "hangup")
    assert "赵奶奶" not in lines[0]


def test_the_card_way_to_a_place_without_a_key_orders_the_car_there(db: Database) -> None:
    """Places 8-10 have no key: the card says 1, then 2, then say the place; followed as
    printed, the call queues the car at that place (not at home)."""
    demo_data(db, today=date(2026, 11, 30))
    labels = ["菜市场", "公园", "老年大学", "女儿家", "儿子家", "卫生站", "超市", "姐姐家", "茶馆"]
    with db.session() as session:
        community = session.scalars(select(Community).where(Community.name == "翠湖社区")).one()
        person = register_person(
            session,
            full_name="钱秀珍",
            registered_by="翠湖社区 王主任",
            consent_basis=ConsentBasis.PAPER_FORM,
            community_id=community.id,
            phones=["13900003333"],
            home=PlaceInput(label="家", address="五华区翠湖北路9号"),
            places=[PlaceInput(name, f"{name}门口，青年路{i}号") for i, name in enumerate(labels)],
        )
        printed = {line.label: line.keys for line in place_keys(person)}
    assert printed["姐姐家"] == "按1叫车，再按2，然后说“姐姐家”"
    lines = _call(db, "+8613900003333", "1", "2", "姐姐家", "1")
    assert any("车已经叫了" in line for line in lines), lines
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.pickup_address is not None and "青年路7号" in ride.pickup_address
