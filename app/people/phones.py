"""Phone numbers as they arrive from Twilio or a keyboard, normalised to E.164."""

from __future__ import annotations

import re

WITHHELD = {"", "anonymous", "restricted", "unknown", "private", "unavailable"}


def normalise_number(raw: str | None) -> str | None:
    """`+86 138-0000-0001`, `008613800000001`, `13800000001` -> `+8613800000001`.

    Returns None for a withheld or unusable caller ID (Twilio sends e.g. "anonymous").
    Chinese landlines are kept with their area code (0871 -> +86871).
    """
    if raw is None or raw.strip().lower() in WITHHELD:
        return None
    digits = re.sub(r"[^\d+]", "", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        return digits if re.fullmatch(r"\+\d{6,15}", digits) else None
    if re.fullmatch(r"1\d{10}", digits):  # Chinese mobile
        return "+86" + digits
    if re.fullmatch(r"0\d{9,11}", digits):  # Chinese landline with area code
        return "+86" + digits[1:]
    return None


def local_number(number: str | None) -> str:
    """As dialled inside China: +8613800000001 -> 13800000001; +868715550101 -> 08715550101."""
    if not number:
        return ""
    if not number.startswith("+86"):
        return number
    local = number[3:]
    return local if local.startswith("1") and len(local) == 11 else "0" + local


def mask_number(number: str | None) -> str:
    """138****0001: enough for staff to recognise a caller, not to dial them."""
    local = local_number(number)
    if len(local) <= 7:
        return "*" * len(local)
    return local[:3] + "*" * (len(local) - 7) + local[-4:]
