"""staff sessions on the server, sign-in throttles, demo accounts

Replaces the per-account lock-out (failed_logins, locked_until) by throttles per
(username, address) pair and per address, and adds server-side staff sessions.

Revision ID: 0007_staff_sessions
Revises: 0006_one_booking_per_patient
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_staff_sessions"
down_revision: str | None = "0006_one_booking_per_patient"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_staff_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_staff_user_id"), ["staff_user_id"], unique=False
        )
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("account_digest", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttles_account_digest"), ["account_digest"], unique=False
        )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.alter_column("demo", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_column("demo")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_account_digest"))
    op.drop_table("login_throttles")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_staff_user_id"))
    op.drop_table("staff_sessions")
