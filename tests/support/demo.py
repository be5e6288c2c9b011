"""Demo data for tests, loaded once per database and day, then copied row by row.

`load_demo` runs a thousand flushes and hashes four staff passwords (about 2 s); most
integration tests need the same demo set on an emptied database. The first test that
asks for a (database, day) pair loads it for real and keeps its rows; later tests get a
bulk copy of those rows (ids included, sequences moved past them on PostgreSQL), which
is the same data, written in a few statements.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, func, select, text

from app.core.db import Database
from app.demo_data import load_demo
from app.schema import Base

_SNAPSHOTS: dict[tuple[str, date], dict[str, list[dict[str, Any]]]] = {}


def demo_data(db: Database, *, today: date | None = None) -> None:
    """The demo set on `db` (which must be empty), as `load_demo(db, today=today)` leaves it."""
    day = today or date.today()
    key = (db.url, day)
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        load_demo(db, today=day)
        _SNAPSHOTS[key] = _take(db)
    else:
        _restore(db, snapshot)


def _take(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.engine.connect() as conn:
        return {
            table.name: [dict(row) for row in conn.execute(select(table)).mappings()]
            for table in Base.metadata.sorted_tables
        }


def _restore(db: Database, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    with db.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            rows = snapshot[table.name]
            if rows:
                conn.execute(table.insert(), rows)
        if conn.dialect.name != "postgresql":
            return
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer) and snapshot[table.name]:
                top = conn.scalar(select(func.max(pk[0])))
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                    {"t": table.name, "c": pk[0].name, "v": top},
                )
