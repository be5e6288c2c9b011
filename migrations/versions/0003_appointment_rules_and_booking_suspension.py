"""appointment rules and booking suspension

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 11:29:33.032983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("day", sa.Date(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "session",
                sa.Enum(
                    "am",
                    "pm",
                    name="clinic_session",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_appointments_day"), ["day"], unique=False)
        batch_op.create_index(
            "uq_appointments_patient_department_day",
            ["patient_id", "department_id", "day"],
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_suspended_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("booking_suspended_until")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_appointments_patient_department_day",
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        )
        batch_op.drop_index(batch_op.f("ix_appointments_day"))
        batch_op.drop_constraint(batch_op.f("ck_appointments_clinic_session"), type_="check")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("session")
        batch_op.drop_column("day")
        batch_op.drop_column("department_id")
