"""Taxi companies, drivers and rides."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Timestamped, UTCDateTime, str_enum, utcnow
from app.taxi.enums import RegularStatus, RideStatus, VehicleType


class TaxiCompany(Base):
    __tablename__ = "taxi_companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    # A district name (五华区) the company's cars usually work in; drivers of a zoned
    # company are offered first for rides picked up in it (app/taxi/fleet.py).
    zone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Driver(Base):
    __tablename__ = "drivers"
    # One mobile, one driver (migration 0024, a unique index: no table rebuild on SQLite;
    # fleet.save_driver refuses a number on file with a reason first).
    __table_args__ = (Index("uq_drivers_phone", "phone", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("taxi_companies.id"))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(32))
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    volunteer: Mapped[bool] = mapped_column(Boolean, default=False)  # 爱心车队
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    vehicle_type: Mapped[VehicleType] = mapped_column(
        str_enum(VehicleType, "vehicle_type"), default=VehicleType.SEDAN
    )
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)  # takes a wheelchair
    # Only drivers on duty are offered for new rides; going off duty keeps a ride under way.
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    duty_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    company: Mapped[TaxiCompany] = relationship()


class Ride(Timestamped, Base):
    __tablename__ = "rides"
    __table_args__ = (
        Index("ix_rides_status_priority", "status", "priority"),
        # The console's change marker reads max(updated_at); callers' rides are looked up
        # by person and by number. Without these, each is a scan of every historical ride.
        Index("ix_rides_updated_at", "updated_at"),
        Index("ix_rides_person_id", "person_id"),
        Index("ix_rides_caller_number", "caller_number"),
        # Ride history pages newest first and filters by day (app/taxi/history.py).
        Index("ix_rides_created_at", "created_at"),
        Index("ix_rides_pickup_at", "pickup_at"),
        # One instance of a regular ride per day and leg, ever (a skipped one stays,
        # cancelled): the ride there, and the return when the rule has one.
        UniqueConstraint(
            "regular_ride_id", "regular_day", "regular_return", name="uq_rides_regular_day"
        ),
    )
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
    # A ride booked ahead: when to pick up (None: now). See app/taxi/ahead.py.
    pickup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cash_payment: Mapped[bool] = mapped_column(Boolean, default=True)  # offline settlement
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # An instance of a regular ride (app/taxi/regular.py): its rule and local day.
    regular_ride_id: Mapped[int | None] = mapped_column(
        ForeignKey("regular_rides.id", ondelete="SET NULL")
    )
    regular_day: Mapped[date | None] = mapped_column(Date)
    # The return leg of that day (from the destination back to the pickup).
    regular_return: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}


class RegularRide(Timestamped, Base):
    """A regular ride (定期用车, 爱心车队): a person's ride on fixed weekdays at a fixed time,
    kept as a rule; the scheduler makes each instance a booked ride `IVR_REGULAR_RIDE_AHEAD_
    HOURS` before its pickup (app/taxi/regular.py)."""

    __tablename__ = "regular_rides"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    weekdays: Mapped[str] = mapped_column(String(20))  # ISO weekdays, "2,5": Tue and Fri
    pickup_time: Mapped[time] = mapped_column(Time)  # local
    # The return trip (local), from the destination back to the pickup; None: one way.
    return_time: Mapped[time | None] = mapped_column(Time)
    pickup_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_places.id", ondelete="SET NULL")
    )
    pickup_address: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str | None] = mapped_column(String(200))
    to_hospital: Mapped[bool] = mapped_column(Boolean, default=False)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)  # None: until ended
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=True)  # public holidays
    company_id: Mapped[int | None] = mapped_column(ForeignKey("taxi_companies.id"))
    status: Mapped[RegularStatus] = mapped_column(
        str_enum(RegularStatus, "regular_status"), default=RegularStatus.ACTIVE
    )
    note: Mapped[str | None] = mapped_column(String(100))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}


class HospitalTrip(Base):
    """A booked ride that takes a patient to an appointment (app/taxi/hospital_trips.py).

    One ride per appointment; a ride the patient had booked for that morning already is
    joined (`joined`), so one ride may serve two appointments of the same morning.
    """

    __tablename__ = "hospital_trips"
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), unique=True)
    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), index=True)
    joined: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
