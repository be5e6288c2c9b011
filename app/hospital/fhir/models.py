"""Tables of the HIS link: client credentials, the webhook, and HIS identifiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UTCDateTime


class FhirClient(Base):
    """A per-hospital bearer token of the HIS; only its SHA-256 is stored."""

    __tablename__ = "fhir_clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown so a person can tell tokens apart.
    token_prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FhirLink(Base):
    """Where a hospital's appointment changes are pushed, and the key they are signed with."""

    __tablename__ = "fhir_links"
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), primary_key=True)
    webhook_url: Mapped[str | None] = mapped_column(String(300))
    webhook_secret: Mapped[str] = mapped_column(String(64))


class FhirIdentifier(Base):
    """A Schedule or Slot the HIS defined, by the HIS's identifier (imports are idempotent)."""

    __tablename__ = "fhir_identifiers"
    __table_args__ = (
        UniqueConstraint(
            "hospital_id", "resource_type", "system", "value", name="uq_fhir_identifiers_his"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    resource_type: Mapped[str] = mapped_column(String(20))  # "Schedule" or "Slot"
    system: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(100))
    local_id: Mapped[int] = mapped_column(Integer)
