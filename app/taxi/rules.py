"""Ride rules that do not depend on any framework: who goes first."""

from __future__ import annotations

ELDERLY_AGE = 60
PRIORITY_ELDERLY = 10
PRIORITY_TO_HOSPITAL = 20


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


# A caller with a ride in one of these hears it when they call (not the new-ride menu):
# no_car included, since the "no car" SMS asks them to call again.
ACTIVE_STATUSES = ("queued", "no_car", "assigned", "arriving")
DIGIT_WORDS = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))


def spoken_plate(plate: str) -> str:
    """云A·D1234 -> "云A，D，幺，二，三，四": one character at a time, with 幺 for 1 as
    callers say it on the phone (the rarer 洞/拐/勾 are not used). A digit in a sequence is
    二, never 两: 两 counts things ("两个"), it does not read a number out."""
    chars = [c for c in plate if c not in "·. -"]
    if not chars:
        return ""
    head, rest = "".join(chars[:2]), chars[2:]
    return "，".join([head, *(DIGIT_WORDS.get(c, c) for c in rest)])
