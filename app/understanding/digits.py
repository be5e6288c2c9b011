"""Digit strings (ID and phone numbers): 幺 两 洞 拐 勾, Arabic digits, 叉 / 艾克斯 for X."""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.fuzzy import char_key, is_han
from app.understanding.normalize import basic
from app.understanding.numerals import to_int

_UNITS = "十百千"


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], re.Pattern[str], re.Pattern[str]]:
    """(digit words, sound-alike keys, X words pattern, not-digit words pattern)."""
    raw = data.load("digits")
    strong: dict[str, str] = {}
    keys: dict[str, str] = {}
    for digit, spoken in (raw.get("digits") or {}).items():
        for word in spoken:
            w = basic(str(word)) or str(word)
            strong[w] = str(digit)
            if is_han(w):
                keys[char_key(w)] = str(digit)
    x_words = sorted((basic(str(w)) or str(w) for w in raw.get("x") or []), key=len, reverse=True)
    not_digits = sorted(data.words("digits", "not_digits"), key=len, reverse=True)
    return (
        strong,
        keys,
        re.compile("|".join(map(re.escape, x_words))),
        re.compile("|".join(map(re.escape, not_digits))),
    )


def _expand_units(text: str, strong: dict[str, str]) -> str:
    """Numbers said with units (二十三) become their digits (23)."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    pattern = re.compile(f"[{chars}]*[{_UNITS}][{chars}{_UNITS}]*")

    def repl(m: re.Match[str]) -> str:
        value = to_int(m.group(0))
        return str(value) if value is not None else m.group(0)

    return pattern.sub(repl, text)


def parse_digits(text: str) -> str | None:
    """Return the digits said (``0-9`` and ``X``), or ``None`` when no digit was said."""
    strong, keys, x_words, not_digits = _tables()
    t = basic(text).replace("*", "x") if "*" in text else basic(text)
    t = not_digits.sub("|", t)
    t = x_words.sub("X", t)
    t = _expand_units(t, strong)
    tokens: list[str | None] = []  # a digit, "?<digit>" for a sound-alike, or None
    for ch in t:
        if ch == "X" or ch in strong:
            tokens.append("X" if ch == "X" else strong[ch])
        elif is_han(ch) and char_key(ch) in keys:
            tokens.append("?" + keys[char_key(ch)])
        elif ch in "|":
            continue
        else:
            tokens.append(None)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok is None:
            continue
        if tok.startswith("?"):
            # A sound-alike (腰 for 幺, 酒 for 九) counts only between two real digits.
            before = tokens[i - 1] if i > 0 else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if before and not before.startswith("?") and after and not after.startswith("?"):
                out.append(tok[1:])
            continue
        out.append(tok)
    return "".join(out) or None
