"""Clinic sessions and types, and the FHIR statuses of schedules, slots and appointments."""

from __future__ import annotations

from enum import StrEnum


class ClinicSession(StrEnum):
    """Clinic sessions of a day."""

    AM = "am"
    PM = "pm"


class ClinicType(StrEnum):
    GENERAL = "general"  # 普通号
    EXPERT = "expert"  # 专家号


class ScheduleStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # the doctor stopped the session; booked patients are told


class SlotStatus(StrEnum):
    """HL7 FHIR R4 Slot.status."""

    FREE = "free"
    BUSY = "busy"
    BUSY_UNAVAILABLE = "busy-unavailable"
    BUSY_TENTATIVE = "busy-tentative"
    ENTERED_IN_ERROR = "entered-in-error"


class AppointmentStatus(StrEnum):
    """HL7 FHIR R4 Appointment.status."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"
