"""Alembic is the only way the schema is made, and it matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.core.db import Database
from app.core.migrate import downgrade, upgrade
from app.schema import Base


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
