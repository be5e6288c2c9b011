"""family self-service: SMS codes, and the consent basis family_self_service

Revision ID: 0013_family_codes
Revises: 0012_operator_panel
Create Date: 2026-11-29 13:40:00

`family_codes` keeps the 6-digit codes texted to family members' mobiles as keyed
digests only (no number, code or address in clear). `people.consent_basis` accepts
`family_self_service` for a person registered by a relative on the family page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_family_codes"
down_revision: str | None = "0012_operator_panel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("paper_form", "verbal_by_phone", "in_person")  # as 0011 left it
_AFTER = (*_BEFORE, "family_self_service")
_NAME = "ck_people_consent_basis"


def _allow(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NAME), type_="check")
        batch_op.create_check_constraint(op.f(_NAME), f"consent_basis IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "family_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_digest", sa.String(length=64), nullable=False),
        sa.Column("client_digest", sa.String(length=64), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_codes")),
    )
    with op.batch_alter_table("family_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_family_codes_number", ["number_digest", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_family_codes_client", ["client_digest", "created_at"], unique=False
        )
    _allow(_AFTER)


def downgrade() -> None:
    # A person registered on the family page keeps their data; the basis becomes unknown.
    op.execute("UPDATE people SET consent_basis = NULL WHERE consent_basis = 'family_self_service'")
    _allow(_BEFORE)
    with op.batch_alter_table("family_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_family_codes_client")
        batch_op.drop_index("ix_family_codes_number")
    op.drop_table("family_codes")
