"""hospital trips: rides linked to appointments, reminder calls, their job and outbox kinds

A booked ride that takes a patient to an appointment is linked to it (`hospital_trips`);
each try of the reminder call the day before an appointment is a row of
`appointment_reminders` with the call's outcome and the patient's answer. The job kind
CHECK constraint allows `remind_appointment`, the outbox kind one `flow_call` (a call
that runs a flow of dialogs/).

Revision ID: 0023_hospital_trips
Revises: 0021_identity_tries
Create Date: 2026-11-29 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_hospital_trips"
down_revision: str | None = "0021_identity_tries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOB_KINDS_BEFORE = ("release_ride", "remind_ride")
_JOB_KINDS_AFTER = (*_JOB_KINDS_BEFORE, "remind_appointment")
_OUTBOX_KINDS_BEFORE = ("sms", "call", "fhir_push")
_OUTBOX_KINDS_AFTER = ("sms", "call", "flow_call", "fhir_push")


def _allow(table: str, name: str, values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), f"kind IN ({listed})")


def upgrade() -> None:
    _allow("scheduled_jobs", "job_kind", _JOB_KINDS_AFTER)
    _allow("outbox", "outbox_kind", _OUTBOX_KINDS_AFTER)
    op.create_table(
        "appointment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("call_status", sa.String(length=20), nullable=True),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_reminders_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_reminders")),
        sa.UniqueConstraint(
            "appointment_id", "attempt", name="uq_appointment_reminders_attempt"
        ),
        sa.UniqueConstraint("call_sid", name=op.f("uq_appointment_reminders_call_sid")),
    )
    with op.batch_alter_table("appointment_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_reminders_appointment_id"), ["appointment_id"], unique=False
        )
    op.create_table(
        "hospital_trips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_hospital_trips_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_hospital_trips_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_trips")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_hospital_trips_appointment_id")),
    )
    with op.batch_alter_table("hospital_trips", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hospital_trips_ride_id"), ["ride_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hospital_trips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hospital_trips_ride_id"))
    op.drop_table("hospital_trips")
    with op.batch_alter_table("appointment_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_reminders_appointment_id"))
    op.drop_table("appointment_reminders")
    op.execute("DELETE FROM outbox WHERE kind = 'flow_call'")
    op.execute("DELETE FROM scheduled_jobs WHERE kind = 'remind_appointment'")
    _allow("outbox", "outbox_kind", _OUTBOX_KINDS_BEFORE)
    _allow("scheduled_jobs", "job_kind", _JOB_KINDS_BEFORE)
