"""Phone numbers as they arrive from Twilio or a keyboard, normalised to E.164, and
whether a number is a mobile (can receive SMS) or a fixed line (can only be called).

Parsing and classifying use Google's numbering plan (`phonenumbers`), with China as the
region of numbers typed without a country code. Classification matters for promises:
a landline caller must never be told "we will send an SMS".
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

WITHHELD = {"", "anonymous", "restricted", "unknown", "private", "unavailable"}
DEFAULT_REGION = "CN"
CHINA = 86
MAX_TYPED_LENGTH = 40

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_FIXED_TYPES = {PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP}


class LineKind(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"  # a landline: calls only, no SMS
    UNKNOWN = "unknown"  # a number the numbering plan cannot place


# Both are pure functions of the text, parsed by phonenumbers (about 70 µs a call); a call
# and a roster import ask about the same few numbers many times, so answers are cached.
@lru_cache(maxsize=16384)
def normalise_number(raw: str | None) -> str | None:
    """`+86 138-0000-0001`, `008613800000001`, `13800000001` -> `+8613800000001`.

    Returns None for a withheld or unusable caller ID (Twilio sends e.g. "anonymous").
    Chinese landlines are kept with their area code (0871 5550101 -> +868715550101).
    """
    if raw is None or raw.strip().lower() in WITHHELD or len(raw) > MAX_TYPED_LENGTH:
        return None
    parsed = _parse(raw)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


#: A number staff type for someone to be called back on is a whole number: a Chinese
#: mobile, a landline with its area code (9+ digits), or a valid foreign number.
MIN_TYPED_NATIONAL_DIGITS = 9


def typed_number(raw: str) -> str | None:
    """A number typed by staff (a back-office order, an operator's own phone), normalised
    like `normalise_number`, or None when it cannot be a whole number to call (12345)."""
    number = normalise_number(raw)
    parsed = _parse(number) if number else None
    if parsed is None:
        return None
    whole = len(str(parsed.national_number)) >= MIN_TYPED_NATIONAL_DIGITS
    return number if whole or phonenumbers.is_valid_number(parsed) else None


#: What a business's own number may be: a mobile, a fixed line with its area code, or a
#: 400/800 service number.
_BUSINESS_TYPES = _MOBILE_TYPES | {
    PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST,
}


def chinese_business_number(raw: str) -> str | None:
    """A company's or hospital's phone as typed, normalised like `normalise_number`, or None
    unless the numbering plan knows it as a Chinese mobile, fixed line (with its area code:
    0871-65551234; Kunming's old 7-digit numbers no longer exist) or 400/800 number."""
    number = normalise_number(raw)
    parsed = _parse(raw) if number else None  # as typed: +86400... is not valid from abroad
    if parsed is None or parsed.country_code != CHINA or not phonenumbers.is_valid_number(parsed):
        return None
    return number if phonenumbers.number_type(parsed) in _BUSINESS_TYPES else None


@lru_cache(maxsize=16384)
def line_kind(number: str | None) -> LineKind:
    """Mobile or fixed line, by the numbering plan (unknown when it cannot tell)."""
    parsed = _parse(number) if number else None
    if parsed is None:
        return LineKind.UNKNOWN
    kind = phonenumbers.number_type(parsed)
    if kind in _MOBILE_TYPES:
        return LineKind.MOBILE
    if kind in _FIXED_TYPES:
        return LineKind.FIXED
    if parsed.country_code == CHINA and not str(parsed.national_number).startswith("1"):
        # Every Chinese mobile starts with 1; any other number (an area code and a local
        # number the plan does not list yet) is a landline.
        return LineKind.FIXED
    return LineKind.UNKNOWN


def is_mobile(number: str | None) -> bool:
    """+8613800000001 -> True; a landline (+868715550101) or an unknown number -> False."""
    return line_kind(number) == LineKind.MOBILE


def is_fixed_line(number: str | None) -> bool:
    """A number known to be a landline: it cannot receive an SMS, so it is called."""
    return line_kind(number) == LineKind.FIXED


def local_number(number: str | None) -> str:
    """As dialled inside China: +8613800000001 -> 13800000001; +868715550101 -> 08715550101."""
    if not number:
        return ""
    if not number.startswith("+86"):
        return number
    local = number[3:]
    return local if local.startswith("1") and len(local) == 11 else "0" + local


def area_code(number: str | None) -> str | None:
    """A Chinese landline's area code as dialled: +868715550101 -> 0871, +861065551234 ->
    010 (010 and 020-029 have three digits, every other code four); None for a mobile."""
    local = local_number(normalise_number(number) if number else None)
    if not local.startswith("0") or len(local) < 8:
        return None
    return local[:3] if local[1] in "12" else local[:4]


def grouped_number(number: str | None) -> str:
    """As read aloud and dialled, in groups: a landline 0871-65551000 (area code, then the
    number), a mobile 138 0000 0000, a service number 400 800 1234; anything else as
    dialled locally."""
    local = local_number(number)
    if local.startswith("1") and len(local) == 11 and local.isdigit():
        return f"{local[:3]} {local[3:7]} {local[7:]}"
    if local[:4] in ("0400", "0800") and len(local) == 11:  # no leading 0 for these
        return f"{local[1:4]} {local[4:7]} {local[7:]}"
    code = area_code(number) if local.startswith("0") else None
    return f"{code}-{local[len(code):]}" if code else local


def mask_number(number: str | None) -> str:
    """138****0001: enough for staff to recognise a caller, not to dial them."""
    local = local_number(number)
    if len(local) <= 7:
        return "*" * len(local)
    return local[:3] + "*" * (len(local) - 7) + local[-4:]


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw.strip(), DEFAULT_REGION)
    except NumberParseException:
        return None
