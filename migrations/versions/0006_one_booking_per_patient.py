"""one live booking per patient, canonical department and day across hospitals

Revision ID: 0006_one_booking_per_patient
Revises: 0005_ride_handed_to_person
Create Date: 2026-11-29 11:00:00

Appointments keep the department's canonical name (`department_name`, filled from
`departments.name` for existing rows); the partial unique index moves from the hospital
department (`department_id`) to that name, so one patient cannot hold two live bookings
in, say, 心血管内科 on one day at two hospitals.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_one_booking_per_patient"
down_revision: str | None = "0005_ride_handed_to_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOKED = sa.text("status = 'booked'")


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_name", sa.String(length=30), nullable=True))
    op.execute(
        "UPDATE appointments SET department_name = "
        "(SELECT departments.name FROM departments "
        "WHERE departments.id = appointments.department_id)"
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.alter_column(
            "department_name", existing_type=sa.String(length=30), nullable=False
        )
        batch_op.drop_index(
            "uq_appointments_patient_department_day",
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        )
        batch_op.create_index(
            "uq_appointments_patient_department_name_day",
            ["patient_id", "department_name", "day"],
            unique=True,
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        )


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointments_patient_department_name_day",
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        )
        batch_op.create_index(
            "uq_appointments_patient_department_day",
            ["patient_id", "department_id", "day"],
            unique=True,
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        )
        batch_op.drop_column("department_name")
