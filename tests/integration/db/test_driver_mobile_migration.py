"""Migration 0024_driver_mobile_unique: one mobile, one driver, in the database itself.

On a database where two drivers share a number the upgrade stops with a message that says
which (masked number, driver ids) and what to do, and changes nothing; once each driver
has their own number it goes through, and the way back works."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.core.db import Database
from app.core.migrate import downgrade, upgrade

BEFORE = "0023_hospital_trips"
THIS = "0024_driver_mobile_unique"


def _drivers(db: Database, *rows: tuple[int, str, str]) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO taxi_companies (id, name, phone, active) "
            "VALUES (1, '春城', '+868715553000', true)"
        ))
        for driver_id, phone, plate in rows:
            conn.execute(
                text(
                    "INSERT INTO drivers (id, company_id, name, phone, plate, volunteer, active, "
                    "vehicle_type, accessible, on_duty) VALUES (:id, 1, '司机', :phone, :plate, "
                    "false, true, 'sedan', false, false)"
                ),
                {"id": driver_id, "phone": phone, "plate": plate},
            )


def _version(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def test_shared_mobiles_stop_the_upgrade_with_a_clear_message(db: Database) -> None:
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    _drivers(db, (1, "+8613700000001", "云A·D1234"), (2, "+8613700000001", "云A·D1235"),
             (3, "+8613700000003", "云A·D1236"))
    db.engine.dispose()
    with pytest.raises(RuntimeError) as refused:
        upgrade(db.url, THIS)
    message = str(refused.value)
    assert "1 mobile number(s)" in message and "drivers 1, 2" in message
    assert "+8613700000001" not in message and "137****0001" in message
    assert "/dispatch/fleet" in message
    db.engine.dispose()
    assert _version(db) == BEFORE  # nothing changed
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM drivers")).scalar_one() == 3

    with db.engine.begin() as conn:  # the fleet page's 修改: the second driver's own number
        conn.execute(text("UPDATE drivers SET phone = '+8613700000002' WHERE id = 2"))
    db.engine.dispose()
    upgrade(db.url, THIS)
    db.engine.dispose()
    assert _version(db) == THIS
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE drivers SET phone = '+8613700000001' WHERE id = 3"))
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    with db.engine.begin() as conn:  # without the constraint a shared number goes in again
        conn.execute(text("UPDATE drivers SET phone = '+8613700000001' WHERE id = 3"))
        conn.execute(text("UPDATE drivers SET phone = '+8613700000003' WHERE id = 3"))
    db.engine.dispose()
    upgrade(db.url)
