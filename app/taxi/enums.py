"""Ride statuses and vehicle types."""

from __future__ import annotations

from enum import StrEnum


class RegularStatus(StrEnum):
    """A regular ride's rule (app/taxi/regular.py)."""

    ACTIVE = "active"  # instances are made
    PAUSED = "paused"  # none made until resumed; those made already stay
    ENDED = "ended"  # for good; its booked instances were cancelled


class RideStatus(StrEnum):
    DRAFT = "draft"  # the caller is still on the line, nothing confirmed yet
    # Booked ahead by phone (pickup_at): released into the live queue by the scheduler.
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    ARRIVING = "arriving"
    PICKED_UP = "picked_up"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_CAR = "no_car"
    CALLER_HUNG_UP = "caller_hung_up"  # half-finished request, kept for operators
    # The call flow handed the caller to a person before the request was confirmed
    # (key 0, two failures, a "by person" state): an operator finishes it.
    HANDED_TO_PERSON = "handed_to_person"


class VehicleType(StrEnum):
    SEDAN = "sedan"  # 轿车
    MPV = "mpv"  # 商务车
    ACCESSIBLE_VAN = "accessible_van"  # 无障碍车 (ramp or lift)


VEHICLE_TYPE_LABELS: dict[VehicleType, str] = {
    VehicleType.SEDAN: "轿车",
    VehicleType.MPV: "商务车",
    VehicleType.ACCESSIBLE_VAN: "无障碍车",
}
