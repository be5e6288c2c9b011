"""one mobile, one driver: a unique index on drivers.phone

`fleet.save_driver` already refuses a number on file; the index makes two operators
adding the same number at the same moment (or any other way in) fail too.

Existing duplicates are not merged or changed here: which driver keeps the number is a
person's decision. The upgrade stops with a message naming how many numbers are shared
(masked) and by which driver ids; give each of those drivers their own number on the
fleet page (/dispatch/fleet, 修改), then run the upgrade again.

Revision ID: 0024_driver_mobile_unique
Revises: 0023_hospital_trips
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_driver_mobile_unique"
down_revision: str | None = "0023_hospital_trips"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class DuplicateDriverPhones(RuntimeError):
    """Two or more drivers share a mobile: the index cannot be made."""


def _masked(number: str) -> str:
    return number[:-8] + "****" + number[-4:] if len(number) > 8 else "****"


def _check_no_duplicates() -> None:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT phone, id FROM drivers WHERE phone IN "
            "(SELECT phone FROM drivers GROUP BY phone HAVING count(*) > 1) "
            "ORDER BY phone, id"
        )
    ).all()
    if not rows:
        return
    shared: dict[str, list[int]] = {}
    for phone, driver_id in rows:
        shared.setdefault(phone, []).append(driver_id)
    listed = "; ".join(
        f"{_masked(phone)}: drivers {', '.join(str(i) for i in ids)}"
        for phone, ids in shared.items()
    )
    raise DuplicateDriverPhones(
        f"0024_driver_mobile_unique: {len(shared)} mobile number(s) belong to more than one "
        f"driver ({listed}). Give each driver their own number on /dispatch/fleet, then "
        "upgrade again. Nothing was changed."
    )


def upgrade() -> None:
    _check_no_duplicates()
    # An index, not a table constraint: on SQLite a constraint would rebuild the table and
    # turn 0017's column CHECK into a table CHECK that 0017's downgrade cannot drop.
    op.create_index("uq_drivers_phone", "drivers", ["phone"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_drivers_phone", table_name="drivers")
