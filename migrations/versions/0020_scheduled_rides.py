"""scheduled_rides: rides booked ahead (pickup_at, status scheduled) and scheduled jobs

Revision ID: 0020_scheduled_rides
Revises: 0019_retention
Create Date: 2026-11-29 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_scheduled_rides"
down_revision: str | None = "0019_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
    "draft", "queued", "assigned", "arriving", "picked_up", "completed", "cancelled",
    "no_car", "caller_hung_up", "handed_to_person",
)
_AFTER = ("draft", "scheduled", *_BEFORE[1:])
_NAME = "ck_rides_ride_status"


def _allow(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NAME), type_="check")
        batch_op.create_check_constraint(op.f(_NAME), f"status IN ({listed})")


def upgrade() -> None:
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_rides_pickup_at"), ["pickup_at"], unique=False)
    _allow(_AFTER)
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "release_ride", "remind_ride", name="job_kind", native_enum=False,
                create_constraint=True, length=24,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drop_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "done", "dropped", "failed", name="job_status", native_enum=False,
                create_constraint=True, length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_jobs_key")),
    )
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_jobs_due", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_jobs_due")
    op.drop_table("scheduled_jobs")
    # A booked ride not yet released is cancelled: the old schema cannot hold it.
    op.execute(
        "UPDATE rides SET status = 'cancelled', cancel_reason = '预约功能已撤销' "
        "WHERE status = 'scheduled'"
    )
    _allow(_BEFORE)
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rides_pickup_at"))
        batch_op.drop_column("pickup_at")
