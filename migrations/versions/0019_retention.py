"""retention: markers on calls, the daily claim, Twilio recordings queued for deletion

Revision ID: 0019_retention
Revises: 0018_family_doctors
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_retention"
down_revision: str | None = "0018_family_doctors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("words_removed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("recordings_removed_at", sa.DateTime(timezone=True)))
        batch_op.create_index(batch_op.f("ix_calls_started_at"), ["started_at"], unique=False)
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
        sa.UniqueConstraint("day", name=op.f("uq_retention_runs_day")),
    )
    op.create_table(
        "recording_deletions",
        sa.Column("sid", sa.String(length=34), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_recording_deletions")),
    )


def downgrade() -> None:
    op.drop_table("recording_deletions")
    op.drop_table("retention_runs")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_started_at"))
        batch_op.drop_column("recordings_removed_at")
        batch_op.drop_column("words_removed_at")
