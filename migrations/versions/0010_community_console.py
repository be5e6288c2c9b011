"""community console: the audit trail of changes to a person's data, erasure

Revision ID: 0010_community_console
Revises: 0009_ride_outbox_indexes
Create Date: 2026-11-29 13:10:00

Every registration, change, deactivation and showing of full numbers is one row: who,
when, what changed (numbers masked, never in full). `people.erased_at` marks a person
whose personal data was erased on deregistration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_community_console"
down_revision: str | None = "0009_ride_outbox_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "person_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_audit_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_person_audit_staff_user_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_audit")),
    )
    with op.batch_alter_table("person_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_audit_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_audit_person_id"))
    op.drop_table("person_audit")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
