"""the HIS link: FHIR client credentials, webhook, HIS identifiers, push outbox kind

Hospitals get bearer-token client credentials for the FHIR API (`fhir_clients`, hashed),
a webhook URL and signing secret (`fhir_links`), and the HIS identifiers of imported
Schedules and Slots (`fhir_identifiers`). The outbox kind CHECK constraint allows
`fhir_push` (signed appointment pushes).

Revision ID: 0014_fhir_link
Revises: 0013_family_codes
Create Date: 2026-11-29 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_fhir_link"
down_revision: str | None = "0013_family_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = ("sms", "call")
_KINDS_AFTER = (*_KINDS_BEFORE, "fhir_push")


def _allow_kinds(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_outbox_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_outbox_kind"), f"kind IN ({listed})")


def upgrade() -> None:
    _allow_kinds(_KINDS_AFTER)
    op.create_table(
        "fhir_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.id"], name=op.f("fk_fhir_clients_hospital_id_hospitals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_clients")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_fhir_clients_token_hash")),
    )
    with op.batch_alter_table("fhir_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_clients_hospital_id"), ["hospital_id"], unique=False
        )
    op.create_table(
        "fhir_links",
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(length=300), nullable=True),
        sa.Column("webhook_secret", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.id"], name=op.f("fk_fhir_links_hospital_id_hospitals")
        ),
        sa.PrimaryKeyConstraint("hospital_id", name=op.f("pk_fhir_links")),
    )
    op.create_table(
        "fhir_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=20), nullable=False),
        sa.Column("system", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospitals.id"],
            name=op.f("fk_fhir_identifiers_hospital_id_hospitals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_identifiers")),
        sa.UniqueConstraint(
            "hospital_id", "resource_type", "system", "value", name="uq_fhir_identifiers_his"
        ),
    )


def downgrade() -> None:
    op.drop_table("fhir_identifiers")
    op.drop_table("fhir_links")
    with op.batch_alter_table("fhir_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_clients_hospital_id"))
    op.drop_table("fhir_clients")
    op.execute("DELETE FROM outbox WHERE kind = 'fhir_push'")
    _allow_kinds(_KINDS_BEFORE)
