"""A fixed line cannot receive an SMS: every ride notification to a landline is a voice
call (app.taxi.rides / app.taxi.notifications on the real database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import FamilyContact, Person, PersonPhone
from app.taxi import rides
from app.taxi.models import Driver, Ride
from support.demo import demo_data

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ZHANG_LANDLINE = "+868715550101"  # 张奶奶's landline; her family have mobiles
FAMILY_LANDLINE = "+868716543210"


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


def _order(db: Database, number: str) -> tuple[int, int]:
    with db.session() as session:
        ride = rides.queue(session, now=NOW, created_by_staff_id=None, caller_number=number)
        return ride.id, ride.version


def _driver(db: Database) -> int:
    with db.session() as session:
        return session.scalars(select(Driver.id).where(Driver.plate == "云A·D1234")).one()


def _messages(db: Database) -> list[tuple[OutboxKind, str, str]]:
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(m.kind, m.to_number, m.body) for m in rows]


def test_assigning_a_landline_callers_ride_phones_them_even_without_the_call_option(
    demo: Database,
) -> None:
    ride_id, version = _order(demo, ZHANG_LANDLINE)
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=8,
                            expected_version=version, notify_voice_call=False)
    to_landline = [(kind, body) for kind, number, body in _messages(demo)
                   if number == ZHANG_LANDLINE]
    assert [kind for kind, _ in to_landline] == [OutboxKind.CALL]
    assert to_landline[0][1].count("云A，D，幺，二，三，四") == 2
    family = [kind for kind, number, _ in _messages(demo) if number != ZHANG_LANDLINE]
    assert family and set(family) == {OutboxKind.SMS}  # the family's mobiles still get SMS


def test_a_family_landline_is_phoned_with_the_plate_not_texted(demo: Database) -> None:
    with demo.session() as session:
        person = session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == ZHANG_LANDLINE)
        ).one()
        session.add(FamilyContact(person_id=person.id, name="张建国", relation="儿子",
                                  phone=FAMILY_LANDLINE, notify=True))
    ride_id, version = _order(demo, "+8613800000001")
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=8,
                            expected_version=version)
    (family,) = [(k, b) for k, n, b in _messages(demo) if n == FAMILY_LANDLINE]
    assert family[0] == OutboxKind.CALL and "张奶奶" in family[1] and "云A，D" in family[1]


def test_no_car_and_cancellation_reach_a_landline_by_voice_only(demo: Database) -> None:
    ride_id, version = _order(demo, ZHANG_LANDLINE)
    with demo.session() as session:
        ride = rides.no_car_found(session, ride_id=ride_id, expected_version=version,
                                  notify_voice_call=False)
        version = ride.version
    with demo.session() as session:
        rides.cancel(session, ride_id=ride_id, expected_version=version, reason="来电者不要了")
    kinds = [kind for kind, number, _ in _messages(demo) if number == ZHANG_LANDLINE]
    assert kinds == [OutboxKind.CALL, OutboxKind.CALL]


def test_a_mobile_caller_still_gets_the_sms(demo: Database) -> None:
    ride_id, version = _order(demo, "+8613800000002")
    with demo.session() as session:
        rides.no_car_found(session, ride_id=ride_id, expected_version=version,
                           notify_voice_call=False)
    assert [k for k, _, _ in _messages(demo)] == [OutboxKind.SMS]
    with demo.session() as session:
        assert session.get(Ride, ride_id) is not None
