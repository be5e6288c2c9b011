"""Closed vocabularies shared by the domain, the database and the consoles."""

from __future__ import annotations

from enum import StrEnum


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


class PlaceKind(StrEnum):
    HOME = "home"
    FAMILY = "family"
    HOSPITAL = "hospital"
    OTHER = "other"


class StaffRole(StrEnum):
    OPERATOR = "operator"
    HOSPITAL_STAFF = "hospital_staff"
    COMMUNITY_STAFF = "community_staff"
    ADMIN = "admin"


class CallChannel(StrEnum):
    TWILIO = "twilio"
    MEDIA_STREAM = "media_stream"
    SIMULATOR = "simulator"


class CallStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    TRANSFERRED = "transferred"
    CALLER_HUNG_UP = "caller_hung_up"


class RideStatus(StrEnum):
    DRAFT = "draft"  # the caller is still on the line, nothing confirmed yet
    QUEUED = "queued"
    ASSIGNED = "assigned"
    ARRIVING = "arriving"
    PICKED_UP = "picked_up"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_CAR = "no_car"
    CALLER_HUNG_UP = "caller_hung_up"  # half-finished request, kept for operators


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


class OutboxKind(StrEnum):
    SMS = "sms"
    CALL = "call"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
