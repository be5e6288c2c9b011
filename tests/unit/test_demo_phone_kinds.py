"""The demo callers' phones are marked as what they are: a 138 number is a mobile."""

from __future__ import annotations

from app.demo_data import PEOPLE
from app.people.enums import PhoneKind
from app.people.phones import LineKind, line_kind


def test_every_demo_phone_is_marked_mobile_or_landline_as_the_numbering_plan_says() -> None:
    for person in PEOPLE:
        for number, kind in person[5]:
            expected = (
                PhoneKind.MOBILE if line_kind(number) == LineKind.MOBILE else PhoneKind.LANDLINE
            )
            assert kind == expected, (person[0], number)
