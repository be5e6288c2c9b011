"""Phone numbers as callers and staff type them: normalised to E.164 and classified."""

from __future__ import annotations

import pytest

from app.people.phones import (
    LineKind,
    grouped_number,
    is_fixed_line,
    is_mobile,
    line_kind,
    local_number,
    mask_number,
    normalise_number,
    typed_number,
)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("+86 138-0000-0001", "+8613800000001"),
        ("008613800000001", "+8613800000001"),
        ("13800000001", "+8613800000001"),
        ("138 0000 0001", "+8613800000001"),
        ("(0871) 6555 1234", "+8687165551234"),
        ("0871-5550101", "+868715550101"),
        ("08715550101", "+868715550101"),
        ("+1 415 555 0100", "+14155550100"),
    ],
)
def test_numbers_are_normalised_as_typed(typed: str, normalised: str) -> None:
    assert normalise_number(typed) == normalised


@pytest.mark.parametrize("raw", [None, "", "anonymous", "Restricted", "abc", "12", "1" * 60])
def test_withheld_or_unusable_numbers_are_none(raw: str | None) -> None:
    assert normalise_number(raw) is None


def test_mobiles_and_landlines_are_told_apart() -> None:
    assert line_kind("+8613800000001") == LineKind.MOBILE and is_mobile("+8613800000001")
    for landline in ("+8687165551234", "+868715550101", "+861062345678"):
        assert line_kind(landline) == LineKind.FIXED, landline
        assert is_fixed_line(landline) and not is_mobile(landline)
    assert line_kind(None) == LineKind.UNKNOWN and not is_fixed_line(None)
    assert line_kind("not a number") == LineKind.UNKNOWN


def test_local_and_masked_forms_are_unchanged() -> None:
    assert local_number("+8613800000001") == "13800000001"
    assert local_number("+868715550101") == "08715550101"
    assert mask_number("+8613800000001") == "138****0001"
    assert mask_number(None) == ""


def test_numbers_shown_in_full_are_grouped_to_be_read() -> None:
    assert grouped_number("+8687165551000") == "0871-65551000"
    assert grouped_number("+861065551234") == "010-65551234"
    assert grouped_number("+8613800000000") == "138 0000 0000"
    assert grouped_number("+864008001234") == "400 800 1234"
    assert grouped_number(None) == ""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13800000001", "+8613800000001"),
        ("0871-6555 0101", "+8687165550101"),
        ("0871 5550101", "+868715550101"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_whole_numbers_typed_by_staff_are_kept(typed: str, kept: str) -> None:
    assert typed_number(typed) == kept


@pytest.mark.parametrize("typed", ["12345", "1", "110", "0871", "138000"])
def test_a_fragment_typed_by_staff_is_no_number(typed: str) -> None:
    assert typed_number(typed) is None
