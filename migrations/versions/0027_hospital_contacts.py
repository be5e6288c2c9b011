"""hospital contacts: a hospital's public phone numbers, entered by its admin

`hospitals.phones` (a JSON list of E.164 numbers, the main one first) replaces the single
`hospitals.phone`, which nothing could set; an existing number becomes the list's first.
The way back keeps the first number.

On SQLite, tables are rebuilt (batch mode) with foreign keys off, as in
0029_regular_ride_returns: dropping the old table with them on would act on the rows
that refer to it.

Revision ID: 0027_hospital_contacts
Revises: 0026_doctor_active
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_hospital_contacts"
down_revision: str | None = "0026_doctor_active"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_hospitals = sa.table(
    "hospitals",
    sa.column("id", sa.Integer()),
    sa.column("phone", sa.String(32)),
    sa.column("phones", sa.JSON()),
)


def _sqlite_foreign_keys(on: bool) -> None:
    """Off while SQLite rebuilds a table (its drop would act on the rows that refer to it),
    outside the transaction (a PRAGMA inside one is ignored); a no-op elsewhere."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phones", sa.JSON(), nullable=True))
    conn = op.get_bind()
    for hospital_id, phone in conn.execute(sa.select(_hospitals.c.id, _hospitals.c.phone)):
        conn.execute(
            _hospitals.update()
            .where(_hospitals.c.id == hospital_id)
            .values(phones=[phone] if phone else [])
        )
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.alter_column("phones", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("phone")
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(32), nullable=True))
    conn = op.get_bind()
    for hospital_id, phones in conn.execute(sa.select(_hospitals.c.id, _hospitals.c.phones)):
        conn.execute(
            _hospitals.update()
            .where(_hospitals.c.id == hospital_id)
            .values(phone=phones[0] if phones else None)
        )
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.drop_column("phones")
    _sqlite_foreign_keys(True)
