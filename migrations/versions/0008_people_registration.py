"""people registration: consent record, deactivation, place landmarks, taxi permission

Revision ID: 0008_people_registration
Revises: 0007_staff_sessions
Create Date: 2026-11-29 11:30:00

People record who registered them, when and on what basis, and whether they are active.
Saved places get an optional landmark. Family contacts get `may_order_taxi`, filled from
`may_act_for` for existing rows (until now one flag covered acting for the person).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_people_registration"
down_revision: str | None = "0007_staff_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "consent_basis",
                sa.Enum(
                    "paper_form",
                    "verbal_by_phone",
                    name="consent_basis",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("saved_places", schema=None) as batch_op:
        batch_op.add_column(sa.Column("landmark", sa.String(length=100), nullable=True))
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("may_order_taxi", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute("UPDATE family_contacts SET may_order_taxi = may_act_for")


def downgrade() -> None:
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.drop_column("may_order_taxi")
    with op.batch_alter_table("saved_places", schema=None) as batch_op:
        batch_op.drop_column("landmark")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("active")
        batch_op.drop_constraint(batch_op.f("ck_people_consent_basis"), type_="check")
        batch_op.drop_column("consent_basis")
        batch_op.drop_column("registered_at")
        batch_op.drop_column("registered_by")
