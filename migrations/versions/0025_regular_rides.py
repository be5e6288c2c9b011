"""regular rides: a person's ride on fixed weekdays, kept as a rule; its instances

`regular_rides` holds the rule (weekdays, local time, pickup, destination, first and last
day, public holidays skipped or not, the fleet, active / paused / ended). Each instance
is an ordinary booked ride (`rides`) with `regular_ride_id` and `regular_day`, unique
together: an instance is made once per rule and day, and a skipped (cancelled) one stays,
so it is never made again. The job kind CHECK allows `regular_ride`.

On SQLite the constraints are added by rebuilding `scheduled_jobs` and `rides` (batch
mode) with foreign keys off, as 0029_regular_ride_returns does: dropping the old `rides`
with them on would null `operator_requests.ride_id` or fail on `hospital_trips`.

Revision ID: 0025_regular_rides
Revises: 0024_driver_mobile_unique
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_regular_rides"
down_revision: str | None = "0024_driver_mobile_unique"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOB_KINDS_BEFORE = ("release_ride", "remind_ride", "remind_appointment")
_JOB_KINDS_AFTER = (*_JOB_KINDS_BEFORE, "regular_ride")


def _allow_jobs(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_scheduled_jobs_job_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_scheduled_jobs_job_kind"), f"kind IN ({listed})")


def _sqlite_foreign_keys(on: bool) -> None:
    """Off while SQLite rebuilds a table (its drop would act on the rows that refer to it),
    outside the transaction (a PRAGMA inside one is ignored); a no-op elsewhere."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    _allow_jobs(_JOB_KINDS_AFTER)
    op.create_table(
        "regular_rides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("pickup_time", sa.Time(), nullable=False),
        sa.Column("pickup_place_id", sa.Integer(), nullable=True),
        sa.Column("pickup_address", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=True),
        sa.Column("to_hospital", sa.Boolean(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("skip_holidays", sa.Boolean(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active", "paused", "ended", name="regular_status", native_enum=False,
                create_constraint=True, length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.Column("created_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["taxi_companies.id"],
            name=op.f("fk_regular_rides_company_id_taxi_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_staff_id"], ["staff_users.id"],
            name=op.f("fk_regular_rides_created_by_staff_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_regular_rides_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["pickup_place_id"], ["saved_places.id"],
            name=op.f("fk_regular_rides_pickup_place_id_saved_places"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regular_rides")),
    )
    with op.batch_alter_table("regular_rides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regular_rides_person_id"), ["person_id"], unique=False
        )
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regular_ride_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("regular_day", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_rides_regular_day", ["regular_ride_id", "regular_day"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rides_regular_ride_id_regular_rides"), "regular_rides",
            ["regular_ride_id"], ["id"], ondelete="SET NULL",
        )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rides_regular_ride_id_regular_rides"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_rides_regular_day", type_="unique")
        batch_op.drop_column("regular_day")
        batch_op.drop_column("regular_ride_id")
    with op.batch_alter_table("regular_rides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regular_rides_person_id"))
    op.drop_table("regular_rides")
    op.execute("DELETE FROM scheduled_jobs WHERE kind = 'regular_ride'")
    _allow_jobs(_JOB_KINDS_BEFORE)
    _sqlite_foreign_keys(True)
