"""indexes for the dispatch console's change marker and per-caller lookups

Revision ID: 0009_ride_outbox_indexes
Revises: 0008_people_registration
Create Date: 2026-11-29 11:30:00

With a million historical rides, the console's change marker (max of `rides.updated_at`)
and the lookups of a caller's rides (`person_id`, `caller_number`) and of messages to a
number (`outbox.to_number`) were full table scans.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_ride_outbox_indexes"
down_revision: str | None = "0008_people_registration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_rides_updated_at", "rides", "updated_at"),
    ("ix_rides_person_id", "rides", "person_id"),
    ("ix_rides_caller_number", "rides", "caller_number"),
    ("ix_outbox_to_number", "outbox", "to_number"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in reversed(INDEXES):
        op.drop_index(name, table_name=table)
