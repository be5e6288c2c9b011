"""Demo data for tests, loaded once per database and day, then copied row by row.

`load_demo` runs a thousand flushes and hashes four staff passwords (about 2 s); most
integration tests need the same demo set on an emptied database. The first test that
asks for a (database, day) pair loads it for real and keeps its rows; later tests get a
bulk copy of those rows (ids included, sequences moved past them on PostgreSQL, where
COPY writes them), which is the same data, written in a few statements.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Connection, Integer, select, text

from app.core.db import Database
from app.demo_data import load_demo
from app.schema import Base
from support.passwords import remembered_hashes

_SNAPSHOTS: dict[tuple[str, date], dict[str, list[dict[str, Any]]]] = {}


def demo_data(db: Database, *, today: date | None = None) -> None:
    """The demo set on `db` (which must be empty), as `load_demo(db, today=today)` leaves it."""
    day = today or date.today()
    key = (db.url, day)
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        with remembered_hashes():
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
        if conn.dialect.name == "postgresql":
            _copy_rows(conn, snapshot)
        else:
            for table in Base.metadata.sorted_tables:
                rows = snapshot[table.name]
                if rows:
                    conn.execute(table.insert(), rows)
            return
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer) and snapshot[table.name]:
                top = max(row[pk[0].name] for row in snapshot[table.name])
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                    {"t": table.name, "c": pk[0].name, "v": top},
                )


def _copy_rows(conn: Connection, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    """PostgreSQL: the snapshot back with COPY, several times faster than INSERTs."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for table in Base.metadata.sorted_tables:
        rows = snapshot[table.name]
        if not rows:
            continue
        columns = [c.name for c in table.columns]
        as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_value(row[c], c in as_json) for c in columns])


def _value(value: Any, is_json: bool) -> Any:
    return Jsonb(value) if is_json and value is not None else value
