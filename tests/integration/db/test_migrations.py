"""Alembic is the only way the schema is made, and it matches the models exactly."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.core.db import Database
from app.core.migrate import downgrade, upgrade
from app.schema import Base
from support.booked import kunming, released_trip
from support.demo import demo_data


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_models_and_migrations_do_not_drift(db: Database) -> None:
    assert _diff(db) == []


def test_upgrade_downgrade_upgrade_round_trip(db: Database) -> None:
    downgrade(db.url, "base")
    db.engine.dispose()
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.url)
    db.engine.dispose()
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert _diff(db) == []


KEPT_TABLES = ("hospitals", "doctors", "schedules", "slots", "appointments", "rides", "people")


def _row_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        count = "SELECT count(*) FROM {}"
        return {t: conn.execute(text(count.format(t))).scalar_one() for t in KEPT_TABLES}


def test_the_migrations_since_regular_rides_go_down_and_up_keeping_every_row(
    db: Database,
) -> None:
    """0026-0030 rebuild doctors, hospitals, staff_flashes and slots on SQLite: with demo
    data (bookings on the slots, doctors of the hospitals) nothing is lost either way."""
    demo_data(db, today=date(2026, 11, 30))
    released_trip(db, now=kunming(30, 10))  # a booking with its car: a slot, a trip, a ride
    before = _row_counts(db)
    assert before["appointments"] > 0 and before["slots"] > 0
    db.engine.dispose()
    downgrade(db.url, "0025_regular_rides")
    db.engine.dispose()
    assert _row_counts(db) == before
    upgrade(db.url)
    db.engine.dispose()
    assert _row_counts(db) == before
    assert _diff(db) == []
