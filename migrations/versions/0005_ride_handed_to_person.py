"""ride status handed_to_person

A request the taxi flow handed to a person (key 0, two failures, "by person") is no
longer left as a draft: it gets its own status, which the CHECK constraint must allow.

Revision ID: 0005_ride_handed_to_person
Revises: 0004_call_transfer
Create Date: 2026-11-29 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_ride_handed_to_person"
down_revision: str | None = "0004_call_transfer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
    "draft", "queued", "assigned", "arriving", "picked_up", "completed", "cancelled",
    "no_car", "caller_hung_up",
)
_AFTER = (*_BEFORE, "handed_to_person")
_NAME = "ck_rides_ride_status"


def _allow(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NAME), type_="check")
        batch_op.create_check_constraint(op.f(_NAME), f"status IN ({listed})")


def upgrade() -> None:
    _allow(_AFTER)


def downgrade() -> None:
    # A handed-over request becomes a hung-up one (both wait for an operator).
    op.execute("UPDATE rides SET status = 'caller_hung_up' WHERE status = 'handed_to_person'")
    _allow(_BEFORE)
