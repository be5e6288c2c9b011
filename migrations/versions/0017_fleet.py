"""fleet: company zones and deactivation, drivers' vehicle, accessibility and duty status;
rides by creation time (ride history)

Revision ID: 0017_fleet
Revises: 0016_staff_audit
Create Date: 2026-11-29 16:10:00

No batch mode: on SQLite a batch would re-create `taxi_companies` and `drivers`, and
dropping the old tables fails while drivers and rides point at them (foreign keys are on).
SQLite adds (and drops) these columns in place; the vehicle type's CHECK constraint is a
column constraint there, a table constraint on PostgreSQL (same name).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_fleet"
down_revision: str | None = "0016_staff_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VEHICLE_TYPES = ("sedan", "mpv", "accessible_van")  # app.taxi.enums.VehicleType
CHECK_NAME = "ck_drivers_vehicle_type"
CHECK = "vehicle_type IN (" + ", ".join(repr(v) for v in VEHICLE_TYPES) + ")"
DRIVER_COLUMNS = ("duty_changed_at", "on_duty", "accessible", "vehicle_type")
COMPANY_COLUMNS = ("active", "zone")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.add_column("taxi_companies", sa.Column("zone", sa.String(length=30), nullable=True))
    op.add_column(
        "taxi_companies",
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    if _sqlite():
        op.execute(
            "ALTER TABLE drivers ADD COLUMN vehicle_type VARCHAR(24) DEFAULT 'sedan' NOT NULL "
            f"CONSTRAINT {CHECK_NAME} CHECK ({CHECK})"
        )
    else:
        op.add_column(
            "drivers",
            sa.Column(
                "vehicle_type", sa.String(length=24), server_default="sedan", nullable=False
            ),
        )
        op.create_check_constraint(op.f(CHECK_NAME), "drivers", CHECK)
    op.add_column(
        "drivers", sa.Column("accessible", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "drivers", sa.Column("on_duty", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("drivers", sa.Column("duty_changed_at", sa.DateTime(timezone=True)))
    op.create_index("ix_rides_created_at", "rides", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_rides_created_at", table_name="rides")
    if _sqlite():
        for column in DRIVER_COLUMNS:
            op.execute(f"ALTER TABLE drivers DROP COLUMN {column}")
        for column in COMPANY_COLUMNS:
            op.execute(f"ALTER TABLE taxi_companies DROP COLUMN {column}")
        return
    op.drop_constraint(op.f(CHECK_NAME), "drivers", type_="check")
    for column in DRIVER_COLUMNS:
        op.drop_column("drivers", column)
    for column in COMPANY_COLUMNS:
        op.drop_column("taxi_companies", column)
