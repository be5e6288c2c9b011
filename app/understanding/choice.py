"""A choice from a short spoken list: "第二个", "两号", "2" -> 2 (numbers 1 to 10)."""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.normalize import clean
from app.understanding.numerals import NUM_CHARS, to_int

_N = f"[{NUM_CHARS}]+"


@cache
def _tables() -> tuple[dict[str, int], re.Pattern[str], re.Pattern[str]]:
    raw = data.load("choice")
    ordinals = {clean(str(k)): int(v) for k, v in (raw.get("ordinals") or {}).items()}
    pre = "|".join(map(re.escape, data.words("choice", "prefixes")))
    post = "|".join(map(re.escape, data.words("choice", "suffixes")))
    marked = re.compile(f"(?:{pre})(?P<a>{_N})|(?P<b>{_N})(?:{post})")
    not_digits = sorted(data.words("digits", "not_digits"), key=len, reverse=True)
    return ordinals, marked, re.compile("|".join(map(re.escape, not_digits)))


def parse_choice(text: str) -> int | None:
    """Return the chosen number 1-10, or ``None`` when none (or several) was said."""
    ordinals, marked, not_digits = _tables()
    cleaned = clean(text, use_dialect=False)
    if not cleaned:
        return None
    found: set[int | None] = {v for k, v in ordinals.items() if k in cleaned}
    if not found:
        rest = not_digits.sub("|", cleaned)
        found = {to_int(m["a"] or m["b"]) for m in marked.finditer(rest)}
        bare = cleaned.replace("|", "")
        if not found and re.fullmatch(_N, bare):
            found = {to_int(bare)}
    values = {v for v in found if v is not None and 1 <= v <= 10}
    return values.pop() if len(values) == 1 else None
