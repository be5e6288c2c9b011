"""regular rides: an optional return trip; an instance per rule, day and leg

`regular_rides.return_time` (local, optional): each day of the rule then makes two booked
rides, there and back (from the destination to the pickup). `rides.regular_return` tells
the legs apart, and the uniqueness of an instance becomes (rule, day, leg): each leg is
made once, and a skipped (cancelled) one stays and holds its place.

Revision ID: 0029_regular_ride_returns
Revises: 0026_doctor_active
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_regular_ride_returns"
down_revision: str | None = "0028_operator_community"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_foreign_keys(on: bool) -> None:
    """SQLite rebuilds a table to change a constraint or drop a column: dropping the old
    table with foreign keys on would set `rides.regular_ride_id` to NULL (ON DELETE SET
    NULL) or fail on `hospital_trips`. Off while the tables are rebuilt, outside the
    transaction (a PRAGMA inside one is ignored)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("regular_rides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_time", sa.Time(), nullable=True))
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regular_return", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint("uq_rides_regular_day", type_="unique")
        batch_op.create_unique_constraint(
            "uq_rides_regular_day", ["regular_ride_id", "regular_day", "regular_return"]
        )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    # Without the leg, a day's two rides would clash: the return legs stay as ordinary
    # booked rides (still released and reminded), no longer marked as a rule's instance.
    op.execute("UPDATE rides SET regular_ride_id = NULL, regular_day = NULL WHERE regular_return")
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rides_regular_day", type_="unique")
        batch_op.create_unique_constraint(
            "uq_rides_regular_day", ["regular_ride_id", "regular_day"]
        )
        batch_op.drop_column("regular_return")
    with op.batch_alter_table("regular_rides", schema=None) as batch_op:
        batch_op.drop_column("return_time")
    _sqlite_foreign_keys(True)
