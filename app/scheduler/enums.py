"""Kinds and statuses of scheduled jobs."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    RELEASE_RIDE = "release_ride"  # a booked ride goes into the live dispatch queue
    REMIND_RIDE = "remind_ride"  # the evening before: SMS (mobile) or call (landline)
    # The day before an appointment: one try of the reminder call (app/hospital/reminders.py).
    REMIND_APPOINTMENT = "remind_appointment"
    # A regular ride (定期用车): make its next instance a booked ride (app/taxi/regular.py).
    REGULAR_RIDE = "regular_ride"


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DROPPED = "dropped"  # missed by more than its kind allows (`drop_after`)
    FAILED = "failed"  # raised on every attempt; left for a person to look at
