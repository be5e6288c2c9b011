"""Resident ID numbers (GB 11643-1999) as callers type them."""

from __future__ import annotations

from datetime import date

import pytest

from app.people.resident_id import (
    InvalidResidentId,
    check_char,
    make_resident_id,
    parse_resident_id,
)


def test_the_standard_example_has_check_character_x() -> None:
    assert check_char("11010519491231002") == "X"


def test_star_on_the_keypad_means_x() -> None:
    parsed = parse_resident_id("11010519491231002*")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31) and parsed.gender == "F"


def test_a_wrong_check_character_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidResidentId, match="最后一位"):
        parse_resident_id("110105194912310021")


@pytest.mark.parametrize("raw", ["", "12345", "11010519491231002A", "530102194613320011"])
def test_malformed_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidResidentId):
        parse_resident_id(raw)


def test_old_fifteen_digit_numbers_are_upgraded() -> None:
    parsed = parse_resident_id("530102460312002")
    assert parsed.number == make_resident_id("530102", date(1946, 3, 12), 2)
    assert parsed.gender == "F"


def test_odd_sequence_is_male_and_masking_hides_the_birth_date() -> None:
    parsed = parse_resident_id(make_resident_id("530102", date(1950, 8, 1), 13))
    assert parsed.gender == "M"
    assert len(parsed.masked) == 18 and parsed.masked.startswith("530102")
    assert parsed.masked.endswith(parsed.number[-4:]) and "19500801" not in parsed.masked


def test_a_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidResidentId, match="出生日期"):
        parse_resident_id(make_resident_id("530102", date(2030, 1, 1), 1), today=date(2026, 1, 1))
