"""Hospitals, departments, doctors, sessions, slots and appointments."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Timestamped, UTCDateTime, str_enum
from app.hospital.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    ScheduleStatus,
    SlotStatus,
)


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
        # One live booking per patient per (canonical) department per day, across every
        # hospital of the hotline: cardiology at two hospitals the same day is one too many.
        Index(
            "uq_appointments_patient_department_name_day",
            "patient_id",
            "department_name",
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
    # The department's canonical name (心血管内科), the same at every hospital.
    department_name: Mapped[str] = mapped_column(String(30))
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
