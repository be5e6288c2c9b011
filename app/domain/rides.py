"""Ride rules that do not depend on any framework: who goes first."""

from __future__ import annotations

from datetime import date

ELDERLY_AGE = 60
PRIORITY_ELDERLY = 10
PRIORITY_TO_HOSPITAL = 20


def age_on(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def ride_priority(*, age: int | None, to_hospital: bool) -> int:
    """Older callers go first, and a ride to a hospital ahead of the others.

    Unknown age counts as older: the hotline exists for older callers, and a person who
    has not registered yet must not wait behind everyone else. Waiting time breaks ties
    (the queue orders by priority, then by the time the ride was queued).
    """
    priority = 0
    if age is None or age >= ELDERLY_AGE:
        priority += PRIORITY_ELDERLY
    if to_hospital:
        priority += PRIORITY_TO_HOSPITAL
    return priority
