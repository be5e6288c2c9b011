"""service holidays; slots withdrawn by the HIS

`service_holidays`: the official holidays (with their names) and 调休 working days of a
year the `chinese_calendar` package does not cover, entered once by a service admin for
every hospital and the regular rides (one row a day, `day` unique).

`slots.his_withdrawn` (false for every slot, true for the slots of running HIS sessions
that are busy-unavailable: the HIS withdrew them): the HIS's last word on a slot, kept
apart from `slots.status`, which a 停诊 overwrites; undoing the stop frees only the slots
the HIS has not withdrawn. (A stopped session's slots cannot be told apart any more: they
keep the old behaviour.)

On SQLite, tables are rebuilt (batch mode) with foreign keys off, as in
0029_regular_ride_returns: dropping the old table with them on would act on the rows
that refer to it.

Revision ID: 0030_service_holidays
Revises: 0029_regular_ride_returns
Create Date: 2026-11-30 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_service_holidays"
down_revision: str | None = "0029_regular_ride_returns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_foreign_keys(on: bool) -> None:
    """Off while SQLite rebuilds a table (its drop would act on the rows that refer to it),
    outside the transaction (a PRAGMA inside one is ignored); a no-op elsewhere."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    op.create_table(
        "service_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_users.id"],
            name=op.f("fk_service_holidays_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_holidays")),
        sa.UniqueConstraint("day", name=op.f("uq_service_holidays_day")),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("his_withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE slots SET his_withdrawn = true WHERE status = 'busy-unavailable' AND schedule_id"
        " IN (SELECT id FROM schedules WHERE source = 'his' AND status = 'active')"
    )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    op.drop_table("service_holidays")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_column("his_withdrawn")
    _sqlite_foreign_keys(True)
