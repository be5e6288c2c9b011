"""Migration 0017_fleet on a database that already has companies, drivers and rides (the
tables other rows point at): upgrade keeps them, with defaults, and the way back works."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.core.db import Database
from app.core.migrate import downgrade, upgrade


def test_fleet_migration_with_drivers_and_rides_on_file(db: Database) -> None:
    db.engine.dispose()
    downgrade(db.url, "0016_staff_audit")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO taxi_companies (id, name, phone) VALUES (1, '春城', '+868715553000')"
        ))
        conn.execute(text(
            "INSERT INTO drivers (id, company_id, name, phone, plate, volunteer, active) "
            "VALUES (1, 1, '刘师傅', '+8613700000001', '云A·D1234', false, true)"
        ))
        conn.execute(text(
            "INSERT INTO rides (id, driver_id, status, to_hospital, priority, cash_payment, "
            "version, created_at, updated_at) VALUES (1, 1, 'completed', false, 0, true, 1, "
            "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
        ))
    db.engine.dispose()
    upgrade(db.url)
    with db.engine.begin() as conn:
        driver = conn.execute(text(
            "SELECT vehicle_type, on_duty, accessible, duty_changed_at FROM drivers"
        )).one()
        company = conn.execute(text("SELECT active, zone FROM taxi_companies")).one()
        assert tuple(driver) == ("sedan", False, False, None)  # off duty until put on
        assert tuple(company) == (True, None)
        assert conn.execute(text("SELECT driver_id FROM rides")).scalar_one() == 1
    with pytest.raises(IntegrityError), db.engine.begin() as conn:  # the CHECK is there
        conn.execute(text("UPDATE drivers SET vehicle_type = 'tractor'"))
    db.engine.dispose()
    downgrade(db.url, "0016_staff_audit")
    db.engine.dispose()
    upgrade(db.url)
