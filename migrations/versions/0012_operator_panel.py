"""operators' panel: callers waiting for a person, operators' own phone numbers

Revision ID: 0012_operator_panel
Revises: 0011_hospital_admin
Create Date: 2026-11-29 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_operator_panel"
down_revision: str | None = "0011_hospital_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("waiting", "ringing", "connected", "left", "callback", "calling_back", "done")
OUTCOMES = ("connected", "no_answer", "busy", "failed", "operator_no_answer")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("phone_number", sa.String(length=32), nullable=True))
    op.create_table(
        "operator_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("ride_id", sa.Integer(), nullable=True),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_offered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_call_sid", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("operator_note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _in("status", STATUSES), name=op.f("ck_operator_requests_operator_request_status")
        ),
        sa.CheckConstraint(
            _in("outcome", OUTCOMES), name=op.f("ck_operator_requests_callback_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_operator_requests_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"],
            ["rides.id"],
            name=op.f("fk_operator_requests_ride_id_rides"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["staff_users.id"],
            name=op.f("fk_operator_requests_operator_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_requests")),
        sa.UniqueConstraint("call_id", name=op.f("uq_operator_requests_call_id")),
    )
    op.create_index("ix_operator_requests_status", "operator_requests", ["status"])
    op.create_index("ix_operator_requests_updated_at", "operator_requests", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_operator_requests_updated_at", table_name="operator_requests")
    op.drop_index("ix_operator_requests_status", table_name="operator_requests")
    op.drop_table("operator_requests")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("phone_number")
