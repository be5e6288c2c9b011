"""family doctors: the family_doctor role, signed patients, the family-doctor share

A staff role `family_doctor` (家庭签约医生, measure 17), bound to one hospital like the
hospital roles; `family_doctor_patients` links people to their family doctor (one current
link per person); slots can be kept for family doctors (`reserved_for_family_doctor`);
an appointment remembers the family doctor who booked it (`booked_by_staff_id`).

Revision ID: 0018_family_doctors
Revises: 0017_fleet
Create Date: 2026-11-29 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_family_doctors"
down_revision: str | None = "0017_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES_BEFORE = ("operator", "hospital_staff", "hospital_admin", "community_staff", "admin")
_ROLES_AFTER = (
    "operator",
    "hospital_staff",
    "hospital_admin",
    "community_staff",
    "family_doctor",
    "admin",
)


def _allow_roles(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_users_staff_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_staff_users_staff_role"), f"role IN ({listed})")


def upgrade() -> None:
    _allow_roles(_ROLES_AFTER)
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_staff_users_family_doctor_bound"),
            "role != 'family_doctor' OR hospital_id IS NOT NULL",
        )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reserved_for_family_doctor",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booked_by_staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_booked_by_staff_id_staff_users"),
            "staff_users",
            ["booked_by_staff_id"],
            ["id"],
        )
    op.create_table(
        "family_doctor_patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["staff_users.id"],
            name=op.f("fk_family_doctor_patients_doctor_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospitals.id"],
            name=op.f("fk_family_doctor_patients_hospital_id_hospitals"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_family_doctor_patients_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["staff_users.id"],
            name=op.f("fk_family_doctor_patients_signed_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_doctor_patients")),
    )
    with op.batch_alter_table("family_doctor_patients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_family_doctor_patients_doctor_id"), ["doctor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_family_doctor_patients_hospital_id"), ["hospital_id"], unique=False
        )
        batch_op.create_index(
            "uq_family_doctor_patients_current",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("family_doctor_patients")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_booked_by_staff_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("booked_by_staff_id")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_column("reserved_for_family_doctor")
    op.execute("DELETE FROM staff_users WHERE role = 'family_doctor'")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_users_family_doctor_bound"), type_="check")
    _allow_roles(_ROLES_BEFORE)
