"""hospital administration: hospital_admin role, templates, one-off changes, audit

Departments get the hospital's own display name; schedules remember who made them
(`source`) and whether a person chose to keep one the plan no longer has (`kept`); slots
can be kept for on-site walk-ins, and people can be registered in person at a hospital
desk (consent basis `in_person`). The staff role CHECK constraint allows `hospital_admin`,
which is bound to one hospital like `hospital_staff`.

Revision ID: 0011_hospital_admin
Revises: 0010_community_console
Create Date: 2026-11-29 13:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_hospital_admin"
down_revision: str | None = "0010_community_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONSENT_BEFORE = ("paper_form", "verbal_by_phone")
_CONSENT_AFTER = (*_CONSENT_BEFORE, "in_person")
_ROLES_BEFORE = ("operator", "hospital_staff", "community_staff", "admin")
_ROLES_AFTER = ("operator", "hospital_staff", "hospital_admin", "community_staff", "admin")


def _session_enum() -> sa.Enum:
    return sa.Enum(
        "am", "pm", name="clinic_session", native_enum=False, create_constraint=True, length=24
    )


def _allow_roles(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_users_staff_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_staff_users_staff_role"), f"role IN ({listed})")


def _allow_consent(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_people_consent_basis"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_people_consent_basis"), f"consent_basis IN ({listed})"
        )


def upgrade() -> None:
    _allow_consent(_CONSENT_AFTER)
    _allow_roles(_ROLES_AFTER)
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_staff_users_hospital_admin_bound"),
            "role != 'hospital_admin' OR hospital_id IS NOT NULL",
        )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=50), nullable=True))
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("kept", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reserved_for_onsite", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "schedule_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("session", _session_enum(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["doctors.id"], name=op.f("fk_schedule_templates_doctor_id_doctors")
        ),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospitals.id"],
            name=op.f("fk_schedule_templates_hospital_id_hospitals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_templates")),
    )
    op.create_index(
        op.f("ix_schedule_templates_hospital_id"), "schedule_templates", ["hospital_id"]
    )
    op.create_table(
        "schedule_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("session", _session_enum(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["doctors.id"], name=op.f("fk_schedule_changes_doctor_id_doctors")
        ),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospitals.id"],
            name=op.f("fk_schedule_changes_hospital_id_hospitals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_changes")),
    )
    op.create_index(op.f("ix_schedule_changes_hospital_id"), "schedule_changes", ["hospital_id"])
    op.create_table(
        "hospital_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.id"], name=op.f("fk_hospital_audit_hospital_id_hospitals")
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_hospital_audit_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_audit")),
    )
    op.create_index(op.f("ix_hospital_audit_hospital_id"), "hospital_audit", ["hospital_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_hospital_audit_hospital_id"), table_name="hospital_audit")
    op.drop_table("hospital_audit")
    op.drop_index(op.f("ix_schedule_changes_hospital_id"), table_name="schedule_changes")
    op.drop_table("schedule_changes")
    op.drop_index(op.f("ix_schedule_templates_hospital_id"), table_name="schedule_templates")
    op.drop_table("schedule_templates")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_column("reserved_for_onsite")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("kept")
        batch_op.drop_column("source")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_column("display_name")
    # Hospital admins become hospital staff of the same hospital.
    op.execute("UPDATE staff_users SET role = 'hospital_staff' WHERE role = 'hospital_admin'")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_users_hospital_admin_bound"), type_="check")
    _allow_roles(_ROLES_BEFORE)
    # The older schema has no word for it: the basis becomes unknown (registered_by stays).
    op.execute("UPDATE people SET consent_basis = NULL WHERE consent_basis = 'in_person'")
    _allow_consent(_CONSENT_BEFORE)
