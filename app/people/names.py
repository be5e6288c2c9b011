"""How the hotline addresses a person."""

from __future__ import annotations

from datetime import date

from app.people.age import age_on


def polite_name(
    *,
    full_name: str,
    gender: str | None,
    birth_date: date | None,
    today: date,
    call_name: str | None = None,
) -> str:
    """张秀英 (female, 78) -> 张奶奶; 李建国 (male, 66) -> 李大爷; a chosen call name wins."""
    if call_name:
        return call_name
    surname = full_name[:1]
    age = age_on(birth_date, today)
    if gender == "F":
        return surname + ("奶奶" if age is None or age >= 70 else "阿姨")
    if gender == "M":
        return surname + ("爷爷" if age is None or age >= 70 else "大爷")
    return full_name


def your_relation(relation: str) -> str:
    """How a relative on a family link is named to the person: 您女儿, 您儿子; a family
    doctor is 您的家庭医生 (not 您家庭医生)."""
    return f"您的{relation}" if relation == "家庭医生" else f"您{relation}"
