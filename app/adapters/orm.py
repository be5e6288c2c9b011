"""SQLAlchemy 2 typed models: the whole schema. Alembic migrations are generated from here.

Times are stored in UTC. Enumerations are stored as strings with CHECK constraints so the
schema is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.domain.enums import (
    AppointmentStatus,
    CallChannel,
    CallStatus,
    ClinicSession,
    ClinicType,
    OutboxKind,
    OutboxStatus,
    PhoneKind,
    PlaceKind,
    RideStatus,
    ScheduleStatus,
    SlotStatus,
    StaffRole,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_SAVED_PLACES = 10


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A string column limited to the enum's values by a CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# --- people -----------------------------------------------------------------------------


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
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    person: Mapped[Person] = relationship(back_populates="places")


class FamilyContact(Base):
    """A relative, friend or family doctor who may act for the person and is kept informed."""

    __tablename__ = "family_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(20))  # 女儿, 儿子, 家庭医生
    phone: Mapped[str] = mapped_column(String(32))
    may_act_for: Mapped[bool] = mapped_column(Boolean, default=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    person: Mapped[Person] = relationship(back_populates="contacts")


# --- calls ------------------------------------------------------------------------------


class Hotline(Base):
    __tablename__ = "hotlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    start_flow: Mapped[str] = mapped_column(String(50), default="main")


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Twilio CallSid or sim id
    channel: Mapped[CallChannel] = mapped_column(str_enum(CallChannel, "call_channel"))
    from_number: Mapped[str | None] = mapped_column(String(32))  # None: withheld
    to_number: Mapped[str | None] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, "call_status"), default=CallStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallSession(Base):
    """The engine's state for one call, saved after every step."""

    __tablename__ = "call_sessions"
    call_id: Mapped[str] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    step: Mapped[int] = mapped_column(Integer, default=0)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class CallStep(Base):
    """One engine step: the event that came in and the outputs that went out.

    The unique (call_id, event_key) makes a replayed event (a webhook retry) return the
    stored outputs instead of running again.
    """

    __tablename__ = "call_steps"
    __table_args__ = (UniqueConstraint("call_id", "event_key", name="uq_call_steps_event"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    event_key: Mapped[str] = mapped_column(String(100))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_before: Mapped[str] = mapped_column(String(80))
    state_after: Mapped[str] = mapped_column(String(80))
    outputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- taxi -------------------------------------------------------------------------------


class TaxiCompany(Base):
    __tablename__ = "taxi_companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str] = mapped_column(String(32))


class Driver(Base):
    __tablename__ = "drivers"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("taxi_companies.id"))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(32))
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    volunteer: Mapped[bool] = mapped_column(Boolean, default=False)  # 爱心车队
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Ride(Timestamped, Base):
    __tablename__ = "rides"
    __table_args__ = (Index("ix_rides_status_priority", "status", "priority"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id"))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    # Name given by an unregistered caller to an operator (back-office order).
    caller_name: Mapped[str | None] = mapped_column(String(50))
    pickup_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_places.id", ondelete="SET NULL")
    )
    pickup_address: Mapped[str | None] = mapped_column(String(200))
    pickup_recording_url: Mapped[str | None] = mapped_column(String(500))
    pickup_transcript: Mapped[str | None] = mapped_column(String(200))
    destination: Mapped[str | None] = mapped_column(String(200))
    to_hospital: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher goes first
    status: Mapped[RideStatus] = mapped_column(
        str_enum(RideStatus, "ride_status"), default=RideStatus.DRAFT
    )
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"))
    eta_minutes: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cash_payment: Mapped[bool] = mapped_column(Boolean, default=True)  # offline settlement
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}


# --- hospitals --------------------------------------------------------------------------


class Hospital(Base):
    __tablename__ = "hospitals"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Booking rules vary per hospital: window, release time, cancel deadline, penalties.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    departments: Mapped[list[Department]] = relationship(back_populates="hospital")


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("hospital_id", "name", name="uq_departments_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    name: Mapped[str] = mapped_column(String(30))  # canonical name, e.g. 心血管内科
    hospital: Mapped[Hospital] = relationship(back_populates="departments")


class Doctor(Base):
    __tablename__ = "doctors"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(20))  # 主任医师, 副主任医师, 主治医师
    clinic_type: Mapped[ClinicType] = mapped_column(str_enum(ClinicType, "clinic_type"))
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)


class Schedule(Base):
    """One doctor's session (morning or afternoon) on one day."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("doctor_id", "day", "session", name="uq_schedules_doctor_session"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    session: Mapped[ClinicSession] = mapped_column(str_enum(ClinicSession, "clinic_session"))
    status: Mapped[ScheduleStatus] = mapped_column(
        str_enum(ScheduleStatus, "schedule_status"), default=ScheduleStatus.ACTIVE
    )


class Slot(Base):
    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"), index=True)
    start_time: Mapped[time] = mapped_column(Time)
    reserved_for_elderly: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[SlotStatus] = mapped_column(
        str_enum(SlotStatus, "slot_status"), default=SlotStatus.FREE
    )
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}


class Appointment(Timestamped, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # A slot holds at most one live booking, whatever races happen.
        Index(
            "uq_appointments_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        # One live booking per patient per department per day.
        Index(
            "uq_appointments_patient_department_day",
            "patient_id",
            "department_id",
            "day",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # Copied from the slot's schedule so the rules above are enforced by the database.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    session: Mapped[ClinicSession] = mapped_column(str_enum(ClinicSession, "clinic_session"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booked_by_contact_id: Mapped[int | None] = mapped_column(ForeignKey("family_contacts.id"))
    booked_by_number: Mapped[str | None] = mapped_column(String(32))
    call_id: Mapped[str | None] = mapped_column(ForeignKey("calls.id"))
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )


# --- staff ------------------------------------------------------------------------------


class StaffUser(Timestamped, Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(
            "role != 'hospital_staff' OR hospital_id IS NOT NULL", name="hospital_staff_bound"
        ),
        CheckConstraint(
            "role != 'community_staff' OR community_id IS NOT NULL", name="community_staff_bound"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- notifications ----------------------------------------------------------------------


class OutboxMessage(Base):
    """An SMS or call to send, written in the same transaction as the change causing it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, "outbox_kind"))
    to_number: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
