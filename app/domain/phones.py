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
