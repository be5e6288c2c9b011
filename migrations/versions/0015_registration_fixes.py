"""registration fixes: the numbers a deactivated person had, for reactivation

`people.unbound_numbers` keeps the numbers unbound when a person is deactivated, so
reactivating them can bind again those still free (docs/registration.md). Erasure clears it.

Revision ID: 0015_registration_fixes
Revises: 0014_fhir_link
Create Date: 2026-11-29 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_registration_fixes"
down_revision: str | None = "0014_fhir_link"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unbound_numbers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("unbound_numbers")
