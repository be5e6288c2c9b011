"""Resident identity card numbers (GB 11643-1999), as typed on a phone keypad.

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male,
even = female) and a check character computed from the first 17 digits. Older 15-digit
numbers (no century, no check character) are converted to 18 digits. On a keypad, X is
entered with `*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidResidentId(ValueError):
    """The number cannot be a resident ID; the message says why, in Chinese for callers."""


@dataclass(frozen=True)
class ResidentId:
    number: str  # 18 characters, X upper-case
    birth_date: date
    gender: str  # "M" or "F"

    @property
    def masked(self) -> str:
        """530102********0021 style: area code and last four only."""
        return self.number[:6] + "*" * 8 + self.number[-4:]


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate and normalise a typed ID number (`*` or x for X; 15-digit numbers upgraded)."""
    number = raw.strip().replace(" ", "").replace("*", "X").upper()
    if len(number) == 15 and number.isdigit():
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_char(first17)
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidResidentId("身份证号应该是18位")
    if check_char(number[:17]) != number[17]:
        raise InvalidResidentId("身份证号的最后一位不对")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId("身份证号里的出生日期不对") from None
    if born < date(1890, 1, 1) or born > (today or date.today()):
        raise InvalidResidentId("身份证号里的出生日期不对")
    return ResidentId(number, born, "M" if int(number[16]) % 2 else "F")


def make_resident_id(area: str, born: date, sequence: int) -> str:
    """Build a valid number (demo data and tests): area code, birth date, 3-digit sequence."""
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def mask_resident_id(number: str | None) -> str:
    """530102********0021 for staff pages and the audit trail; 未登记 when there is none."""
    if not number:
        return "未登记"
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[-4:]
