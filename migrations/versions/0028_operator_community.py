"""staff flashes: what a refused console form shows once, kept on the server

`staff_flashes`: the data a refused form (its message and what was typed, a caller's
number among it) carries to the page it redirects to, keyed by the SHA-256 of a random
token in the flash cookie, bound to the staff session (deleted with it), expiring after
two minutes. The cookie no longer holds the data itself.

On SQLite, tables are rebuilt (batch mode) with foreign keys off, as in
0029_regular_ride_returns: dropping the old table with them on would act on the rows
that refer to it.

Revision ID: 0028_operator_community
Revises: 0026_doctor_active
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_operator_community"
down_revision: str | None = "0027_hospital_contacts"
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
    op.create_table(
        "staff_flashes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["staff_sessions.id"],
            name=op.f("fk_staff_flashes_session_id_staff_sessions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_flashes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_flashes_token_hash")),
    )
    with op.batch_alter_table("staff_flashes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_flashes_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_flashes_expires_at"), ["expires_at"], unique=False
        )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("staff_flashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_flashes_expires_at"))
        batch_op.drop_index(batch_op.f("ix_staff_flashes_session_id"))
    op.drop_table("staff_flashes")
    _sqlite_foreign_keys(True)
