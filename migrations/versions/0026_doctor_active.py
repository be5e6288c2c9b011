"""doctor active: a hospital admin can set a doctor 停用 (and 启用 again)

`doctors.active` (true for every existing doctor). An inactive doctor gets no new weekly
template or extra session and no more generated sessions; booked sessions stay.

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


def upgrade() -> None:
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.drop_column("active")
