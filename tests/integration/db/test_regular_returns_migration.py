"""Migration 0029_regular_ride_returns on both databases: a day's ride made before the
upgrade is the day's ride there (`regular_return` false), a return leg of the same day can
then be added but a second ride there cannot; on the way back a return leg is no longer an
instance of the rule (so the old one-ride-a-day constraint holds) and stays a booked ride."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.core.config import Settings
from app.core.db import Database
from app.core.migrate import downgrade, upgrade
from app.people.models import PersonPhone, SavedPlace
from app.taxi import regular
from app.taxi.regular import RegularRules, RuleFields
from support.booked import kunming
from support.demo import demo_data

BEFORE = "0028_operator_community"
THIS = "0029_regular_ride_returns"
COPY_AS_RETURN = (
    "INSERT INTO rides (person_id, caller_number, status, pickup_address, to_hospital, "
    "priority, cash_payment, regular_ride_id, regular_day, version, created_at, updated_at"
    "{extra_columns}) SELECT person_id, caller_number, status, pickup_address, to_hospital, "
    "priority, cash_payment, regular_ride_id, regular_day, version, created_at, updated_at"
    "{extra_values} FROM rides WHERE regular_ride_id IS NOT NULL"
)


def _rule(db: Database, *, back: time | None) -> int:
    demo_data(db, today=date(2026, 11, 30))
    with db.session() as session:
        person_id = session.scalars(select(PersonPhone.person_id).where(
            PersonPhone.number == "+8613800000001")).one()
        place = session.scalars(select(SavedPlace.id).where(
            SavedPlace.person_id == person_id)).first()
        assert place is not None
        rule = regular.create(
            session, person_id=person_id,
            fields=RuleFields(weekdays={2}, pickup_time=time(8), return_time=back,
                              pickup_place_id=place, destination="昆明市血液透析中心",
                              to_hospital=True, last_day=None, skip_holidays=True,
                              company_id=None, note=None),
            first_day=date(2026, 11, 30), staff_id=None, now=kunming(30, 10),
            rules=RegularRules.from_settings(Settings(database_url=db.url)),
        )
        return rule.id


def test_a_ride_made_before_is_the_ride_there_and_a_return_can_join_it(db: Database) -> None:
    _rule(db, back=None)
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    db.engine.dispose()
    upgrade(db.url, THIS)
    db.engine.dispose()
    with db.engine.begin() as conn:
        legs = conn.execute(text(
            "SELECT regular_return FROM rides WHERE regular_ride_id IS NOT NULL")).scalars().all()
        assert [bool(leg) for leg in legs] == [False]
        conn.execute(text(COPY_AS_RETURN.format(extra_columns=", regular_return",
                                                extra_values=", true")))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:  # a second ride there
        conn.execute(text(COPY_AS_RETURN.format(extra_columns="", extra_values="")
                          + " AND NOT regular_return"))


def test_the_way_back_unlinks_the_return_legs(db: Database) -> None:
    rule_id = _rule(db, back=time(12))
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    db.engine.dispose()
    with db.engine.begin() as conn:
        linked = conn.execute(text(
            "SELECT count(*) FROM rides WHERE regular_ride_id = :rule"), {"rule": rule_id}
        ).scalar_one()
        booked = conn.execute(text(
            "SELECT count(*) FROM rides WHERE status = 'scheduled'")).scalar_one()
    assert (linked, booked) == (1, 2)
    upgrade(db.url)
