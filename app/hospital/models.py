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
    false,
    text,
    true,
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
    # Public phone numbers (E.164), the main one (总机) first; set by the hospital's admin
    # (app.hospital.contacts), shown on slips and to staff of other consoles.
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Booking rules vary per hospital: window, release time, cancel deadline, penalties.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    departments: Mapped[list[Department]] = relationship(back_populates="hospital")


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("hospital_id", "name", name="uq_departments_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    name: Mapped[str] = mapped_column(String(30))  # canonical name, e.g. 心血管内科
    # The hospital's own name for it (心内科门诊); None: the canonical name.
    display_name: Mapped[str | None] = mapped_column(String(50))
    hospital: Mapped[Hospital] = relationship(back_populates="departments")


class Doctor(Base):
    __tablename__ = "doctors"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(20))  # 主任医师, 副主任医师, 主治医师
    clinic_type: Mapped[ClinicType] = mapped_column(str_enum(ClinicType, "clinic_type"))
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)
    # 停用: no new weekly template or extra session may name the doctor and the plan makes
    # no more sessions for them; sessions already booked stay (app.hospital.administration).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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
    # Who made it: None (loaded, e.g. demo data), "template" or "extra" (app.hospital.schedules).
    source: Mapped[str | None] = mapped_column(String(10))
    # A person decided to keep this session although the plan no longer has it.
    kept: Mapped[bool] = mapped_column(Boolean, default=False)


class Slot(Base):
    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"), index=True)
    start_time: Mapped[time] = mapped_column(Time)
    reserved_for_elderly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept for older walk-ins booked at the desk: never offered or booked by phone.
    reserved_for_onsite: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept for family doctors booking for their signed patients (app.hospital.family_doctors):
    # never offered or booked by phone or at the desk.
    reserved_for_family_doctor: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[SlotStatus] = mapped_column(
        str_enum(SlotStatus, "slot_status"), default=SlotStatus.FREE
    )
    # The HIS's last word on the slot was busy-unavailable (撤回, app.hospital.fhir.importer).
    # Kept apart from `status`, which a 停诊 overwrites for every slot: undoing the stop
    # frees only the slots the HIS has not withdrawn (app.hospital.desk.reopen_session).
    his_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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
    # The family doctor who booked it from the family-doctor share (None otherwise).
    booked_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )


class ScheduleTemplate(Timestamped, Base):
    """A doctor's weekly session: every `weekday` (0 = Monday) `session`, `capacity` patients.

    Removing a template keeps the row (`active` False) so the audit trail can name it.
    """

    __tablename__ = "schedule_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    session: Mapped[ClinicSession] = mapped_column(str_enum(ClinicSession, "clinic_session"))
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScheduleChange(Timestamped, Base):
    """A one-off change on one day: an extra session, or a doctor away (`kind`).

    Closed days and working weekends of the whole hospital are calendar entries in
    `Hospital.rules` (`closed_days`, `working_days`), so the phone booking rules see them.
    """

    __tablename__ = "schedule_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "extra_session" or "doctor_away"
    day: Mapped[date] = mapped_column(Date)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    session: Mapped[ClinicSession | None] = mapped_column(
        str_enum(ClinicSession, "clinic_session")
    )  # None for doctor_away: the whole day
    capacity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FamilyDoctorPatient(Base):
    """A person signed with a family doctor (家庭医生签约, measure 17), from `started_on`.

    The family doctor is a staff user (role `family_doctor`) bound to one hospital, which is
    copied here so every query can be scoped by it. Ending a link keeps the row (`ended_on`)
    for the record; a person has at most one current family doctor (partial unique index).
    Created and ended by the hospital's admin (app.hospital.family_doctors).
    """

    __tablename__ = "family_doctor_patients"
    __table_args__ = (
        Index(
            "uq_family_doctor_patients_current",
            "person_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HospitalAudit(Base):
    """One administrative change of a hospital: who, when, what (never a patient's data)."""

    __tablename__ = "hospital_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ServiceHoliday(Base):
    """A day of the official calendar for a year the holiday package does not cover, as a
    service admin entered it (app.hospital.holidays): a holiday (`kind` "holiday", with
    its name, e.g. 春节) or a 调休 working day ("workday"). Service-wide: every hospital's
    rules and the regular rides use it; a hospital's own calendar entries still win."""

    __tablename__ = "service_holidays"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(20), default="")
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# Every appointment change is pushed to the hospital's HIS; the flush listener lives with
# the link and is registered wherever appointments can change, i.e. wherever this is imported.
from app.hospital.fhir import listener as _fhir_listener  # noqa: E402, F401


class IdentityFailure(Base):
    """One wrong last-four-digits answer for a patient on the hotline (any call).

    Counted per patient over a sliding window (`app.hospital.identity`): the three tries
    hold across calls, not only within one. No digits are stored, only the moment and call.
    """

    __tablename__ = "identity_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    call_id: Mapped[str | None] = mapped_column(String(64))


class AppointmentReminder(Base):
    """One try of the reminder call the day before an appointment, and what came of it
    (app/hospital/reminders.py): the call's final status and the patient's answer."""

    __tablename__ = "appointment_reminders"
    __table_args__ = (
        UniqueConstraint("appointment_id", "attempt", name="uq_appointment_reminders_attempt"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ...
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending -> calling -> answered | unanswered; skipped (the booking is gone by then)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # What the patient chose: heard, kept, cancelled, ride_booked, ride_joined, has_ride,
    # person (key 0 or two failures); family_told on the last unanswered try.
    answer: Mapped[str | None] = mapped_column(String(20))
    call_status: Mapped[str | None] = mapped_column(String(20))  # Twilio's final CallStatus
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
