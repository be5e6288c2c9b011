"""identity_tries: wrong last-four-digits answers per patient, counted across calls

Revision ID: 0021_identity_tries
Revises: 0020_scheduled_rides
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_identity_tries"
down_revision: str | None = "0020_scheduled_rides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_identity_failures_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_failures")),
    )
    with op.batch_alter_table("identity_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_failures_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_failures_person_id"))
    op.drop_table("identity_failures")
