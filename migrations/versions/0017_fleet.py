"""fleet: company zones and deactivation, drivers' vehicle, accessibility and duty status;
rides by creation time (ride history)

Revision ID: 0017_fleet
Revises: 0016_staff_audit
Create Date: 2026-11-29 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_fleet"
down_revision: str | None = "0016_staff_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VEHICLE_TYPES = ("sedan", "mpv", "accessible_van")  # app.taxi.enums.VehicleType


def upgrade() -> None:
    with op.batch_alter_table("taxi_companies") as batch:
        batch.add_column(sa.Column("zone", sa.String(length=30), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("drivers") as batch:
        batch.add_column(
            sa.Column(
                "vehicle_type", sa.String(length=24), server_default="sedan", nullable=False
            )
        )
        batch.add_column(
            sa.Column("accessible", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("on_duty", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("duty_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            op.f("ck_drivers_vehicle_type"),
            "vehicle_type IN (" + ", ".join(repr(v) for v in VEHICLE_TYPES) + ")",
        )


    op.create_index("ix_rides_created_at", "rides", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_rides_created_at", table_name="rides")
    with op.batch_alter_table("drivers") as batch:
        batch.drop_constraint(op.f("ck_drivers_vehicle_type"), type_="check")
        batch.drop_column("duty_changed_at")
        batch.drop_column("on_duty")
        batch.drop_column("accessible")
        batch.drop_column("vehicle_type")
    with op.batch_alter_table("taxi_companies") as batch:
        batch.drop_column("active")
        batch.drop_column("zone")
