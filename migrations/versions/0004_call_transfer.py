"""why a call reached a person: calls.transfer_reason and calls.emergency

Revision ID: 0004_call_transfer
Revises: 0003
Create Date: 2026-11-29 10:56:32.437835
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_call_transfer"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "transfer_reason",
                sa.Enum(
                    "asked",
                    "silence",
                    "not_understood",
                    "system_error",
                    "emergency",
                    "flow",
                    name="transfer_reason",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("emergency", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_calls_transfer_reason"), type_="check")
        batch_op.drop_column("emergency")
        batch_op.drop_column("transfer_reason")
