"""doctor active: a hospital admin can set a doctor 停用 (and 启用 again)

`doctors.active` (true for every existing doctor). An inactive doctor gets no new weekly
template or extra session and no more generated sessions; booked sessions stay.

On SQLite, tables are rebuilt (batch mode) with foreign keys off, as in
0029_regular_ride_returns: dropping the old table with them on would act on the rows
that refer to it.

Revision ID: 0026_doctor_active
Revises: 0025_regular_rides
Create Date: 2026-11-29 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_doctor_active"
down_revision: str | None = "0025_regular_rides"
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
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.drop_column("active")
    _sqlite_foreign_keys(True)
