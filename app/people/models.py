"""Older people, their phones, saved places and family contacts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Timestamped, UTCDateTime, str_enum
from app.people.enums import ConsentBasis, PhoneKind, PlaceKind

MAX_SAVED_PLACES = 10


class Community(Base):
    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(32))


class Person(Timestamped, Base):
    """An older person served by the hotline."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(50))
    # How the hotline greets them, e.g. 张奶奶; set by family or community staff.
    call_name: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(1))  # "M" / "F"
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    # No hospital bookings by phone before this day (no-show penalty).
    booking_suspended_until: Mapped[date | None] = mapped_column(Date)
    # Who entered the person, when, and on what basis they agreed (docs/registration.md).
    registered_by: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_basis: Mapped[ConsentBasis | None] = mapped_column(
        str_enum(ConsentBasis, "consent_basis")
    )
    # A deactivated person keeps their history but no longer has phones bound to them.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The numbers unbound at deactivation (space-separated), bound again on reactivation if
    # still free. Text, not JSON: people rows are compared (SELECT DISTINCT) on PostgreSQL.
    unbound_numbers: Mapped[str | None] = mapped_column(Text)

    @property
    def former_numbers(self) -> list[str]:
        return (self.unbound_numbers or "").split()

    # Deregistered: personal data erased (app/people/erasure.py); the row stays for history.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    phones: Mapped[list[PersonPhone]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    places: Mapped[list[SavedPlace]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="SavedPlace.position"
    )
    contacts: Mapped[list[FamilyContact]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class PersonPhone(Base):
    """A number a person calls from; caller-ID looks them up here."""

    __tablename__ = "person_phones"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32), unique=True)  # E.164
    kind: Mapped[PhoneKind] = mapped_column(str_enum(PhoneKind, "phone_kind"))
    label: Mapped[str | None] = mapped_column(String(30))
    person: Mapped[Person] = relationship(back_populates="phones")


class SavedPlace(Base):
    """One of up to ten preset places: home, children's homes, the usual hospital."""

    __tablename__ = "saved_places"
    __table_args__ = (
        UniqueConstraint("person_id", "position", name="uq_saved_places_person_position"),
        CheckConstraint(f"position BETWEEN 1 AND {MAX_SAVED_PLACES}", name="position_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the key the caller presses
    kind: Mapped[PlaceKind] = mapped_column(str_enum(PlaceKind, "place_kind"))
    label: Mapped[str] = mapped_column(String(30))  # 家, 女儿家, 省医院
    address: Mapped[str] = mapped_column(String(200))  # as a driver reads it
    landmark: Mapped[str | None] = mapped_column(String(100))  # 菜市场对面, 红色大门
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    person: Mapped[Person] = relationship(back_populates="places")


class PersonAuditEntry(Base):
    """One change to a person's data: who, when, what (numbers masked, never in full)."""

    __tablename__ = "person_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))  # 王主任（wang）, or the roster file
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(20))  # registered, updated, deactivated, ...
    changes: Mapped[str] = mapped_column(Text)  # one line per change, in Chinese


class FamilyContact(Base):
    """A relative, friend or family doctor who may act for the person and is kept informed."""

    __tablename__ = "family_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(20))  # 女儿, 儿子, 家庭医生
    phone: Mapped[str] = mapped_column(String(32))
    # May book (and cancel) hospital appointments for the person by phone.
    may_act_for: Mapped[bool] = mapped_column(Boolean, default=True)
    # May order taxis for the person (to the person's home or saved places).
    may_order_taxi: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Is told when a car is assigned or a booking made.
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    person: Mapped[Person] = relationship(back_populates="contacts")


class FamilyCode(Base):
    """A 6-digit code texted to a family member's mobile (app/people/family_codes.py).

    Neither the number, the code nor the client address is stored: only keyed digests
    (HMAC with the secret key), enough to check a code and to count requests."""

    __tablename__ = "family_codes"
    __table_args__ = (
        Index("ix_family_codes_number", "number_digest", "created_at"),
        Index("ix_family_codes_client", "client_digest", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number_digest: Mapped[str] = mapped_column(String(64))
    client_digest: Mapped[str] = mapped_column(String(64))
    code_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
