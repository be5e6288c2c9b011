"""A person's age on a given day (birthdays counted exactly)."""

from __future__ import annotations

from datetime import date


def age_on(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday
