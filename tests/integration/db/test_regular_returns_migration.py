"""Migration 0029_regular_ride_returns on both databases: a day's ride made before the
upgrade is the day's ride there (`regular_return` false), a return leg of the same day can
then be added but a second ride there cannot; on the way back a return leg is no longer an
instance of the rule (so the old one-ride-a-day constraint holds) and stays a booked ride.

Migration 0025_regular_rides rebuilds `rides` on SQLite (batch mode): with foreign keys on,
dropping the old table would null `operator_requests.ride_id` (ON DELETE SET NULL) or fail
on `hospital_trips`; both ways keep every row that refers to a ride."""

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
BEFORE_REGULAR = "0024_driver_mobile_unique"
REGULAR = "0025_regular_rides"
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


def _rides_referred_to(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT 'trip', id, ride_id FROM hospital_trips UNION ALL "
            "SELECT 'request', id, ride_id FROM operator_requests UNION ALL "
            "SELECT 'ride', id, person_id FROM rides ORDER BY 1, 2"))]


AT = "'2026-11-30 02:00:00'"
# A person with two rides: one an operator's request refers to, one a hospital trip's.
RIDES_REFERRED_TO = (
    f"INSERT INTO people (id, full_name, created_at, updated_at) VALUES (1, '张桂兰', {AT}, {AT})",
    *(f"INSERT INTO rides (id, person_id, status, pickup_address, to_hospital, priority, "
      f"cash_payment, version, created_at, updated_at) VALUES ({ride}, 1, 'scheduled', '家', "
      f"true, 1, true, 1, {AT}, {AT})" for ride in (1, 2)),
    "INSERT INTO operator_requests (id, ride_id, status, queued_at, callback_offered, attempts, "
    f"updated_at, version) VALUES (1, 1, 'done', {AT}, false, 0, {AT}, 1)",
    "INSERT INTO hospitals (id, name, short_name, address, rules) "
    "VALUES (1, '昆明市第一人民医院', '市一院', '昆明', '{}')",
    "INSERT INTO departments (id, hospital_id, name) VALUES (1, 1, '心内科')",
    "INSERT INTO doctors (id, department_id, name, title, clinic_type, fee_yuan) "
    "VALUES (1, 1, '李医生', '主任医师', 'general', 10)",
    "INSERT INTO schedules (id, doctor_id, day, session, status) "
    "VALUES (1, 1, '2026-12-01', 'am', 'active')",
    "INSERT INTO slots (id, schedule_id, start_time, reserved_for_elderly, status, version) "
    "VALUES (1, 1, '09:00:00', true, 'busy', 1)",
    "INSERT INTO appointments (id, slot_id, patient_id, status, created_at, updated_at, "
    f"department_id, day, session, department_name) VALUES (1, 1, 1, 'booked', {AT}, {AT}, 1, "
    "'2026-12-01', 'am', '心内科')",
    "INSERT INTO hospital_trips (id, appointment_id, ride_id, joined, created_at) "
    f"VALUES (1, 1, 2, false, {AT})",
)


def _rides_referred_to(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT 'trip', id, ride_id FROM hospital_trips UNION ALL "
            "SELECT 'request', id, ride_id FROM operator_requests UNION ALL "
            "SELECT 'ride', id, person_id FROM rides ORDER BY 1, 2"))]


def test_the_regular_rides_migration_keeps_the_rows_that_refer_to_rides(db: Database) -> None:
    db.engine.dispose()
    downgrade(db.url, BEFORE_REGULAR)
    db.engine.dispose()
    with db.engine.begin() as conn:
        for statement in RIDES_REFERRED_TO:
            conn.execute(text(statement))
    before = _rides_referred_to(db)
    assert before == [("request", 1, 1), ("ride", 1, 1), ("ride", 2, 1), ("trip", 1, 2)]
    db.engine.dispose()
    upgrade(db.url, REGULAR)
    db.engine.dispose()
    assert _rides_referred_to(db) == before
    downgrade(db.url, BEFORE_REGULAR)
    db.engine.dispose()
    assert _rides_referred_to(db) == before
    upgrade(db.url)  # 0026-0030 rebuild their tables with foreign keys off too
    db.engine.dispose()
    assert _rides_referred_to(db) == before
