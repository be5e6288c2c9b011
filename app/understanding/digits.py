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


def _drop_preamble(text: str, strong: dict[str, str]) -> str:
    """"后四位是…", "最后六个…", "十八位的…": the count of digits announced is not a digit."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    announced = re.compile(
        f"(?:(?:最后|后面|后边|末尾|尾巴|后|末)(?:那|这)?[{chars}十]+(?:位数|位|个)|[{chars}十]+位(?:数)?)"
    )
    return announced.sub("|", text)


def _expand_counts(text: str, strong: dict[str, str]) -> str:
    """"四个八" is 8888, "两个三一个八" is 338: a count of 2-9 before 个 and a digit."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    counted = re.compile(f"([{chars}])个([{chars}])")

    def repl(m: re.Match[str]) -> str:
        count = int(strong[m.group(1)])
        return m.group(2) * count if 1 <= count <= 9 else m.group(0)

    return counted.sub(repl, text)


#: 三四五六，说错了，三四五七: the digits said again after a correction count.
_CORRECTIONS = re.compile("说错了|讲错了|念错了|错了|不对不对|不对|哦不是|不是不是|重新说|重说")


def _after_last_correction(text: str) -> str:
    parts = _CORRECTIONS.split(text)
    return parts[-1] if len(parts) > 1 and parts[-1].strip("|") else text


def parse_digits(text: str) -> str | None:
    """Return the digits said (``0-9`` and ``X``), or ``None`` when no digit was said."""
    strong, keys, x_words, not_digits = _tables()
    t = basic(text).replace("*", "x") if "*" in text else basic(text)
    t = _after_last_correction(t)
    t = _drop_preamble(t, strong)
    t = _expand_counts(t, strong)
    t = not_digits.sub("|", t)
    t = x_words.sub("X", t)
    t = _expand_units(t, strong)
    tokens: list[str | None] = []  # a digit, "?<digit>" for a sound-alike, or None
    for ch in t:
        if ch == "X" or ch in strong:
            tokens.append("X" if ch == "X" else strong[ch])
        elif is_han(ch) and char_key(ch) in keys:
            tokens.append("?" + keys[char_key(ch)])
        else:  # a pause or another word: a sound-alike next to it is not a digit
            tokens.append(None)
    if t.startswith(_COPULA):  # 是零零幺幺: 是 opens the answer, no 四
        tokens[0] = None
    if _only_digit_sounds(tokens):  # 腰 动 八 气: nothing but digits and their sound-alikes
        tokens = [tok.lstrip("?") if tok else tok for tok in tokens]
    groups: list[str] = [""]  # digits between pauses
    for i, tok in enumerate(tokens):
        if tok is None:
            if groups[-1]:
                groups.append("")
            continue
        if tok.startswith("?"):
            # A sound-alike (腰 for 幺, 酒 for 九) counts only between two real digits.
            before = tokens[i - 1] if i > 0 else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if before and not before.startswith("?") and after and not after.startswith("?"):
                groups[-1] += tok[1:]
            continue
        groups[-1] += tok
    return _said_again(tuple(g for g in groups if g)) or None


#: 是 (s/sh merged with 四) opening the answer is "it is", not a digit.
_COPULA = "是"


def _only_digit_sounds(tokens: list[str | None]) -> bool:
    """Every word of the answer is a digit or sounds like one, one at least as written
    (腰动八气 = 幺洞八七): the sound-alikes are digits too (a sentence has other words)."""
    return (
        len(tokens) >= 3
        and None not in tokens
        and any(tok is not None and not tok.startswith("?") for tok in tokens)
    )


#: Lengths of the numbers asked for: an ID's last 4, a mobile (11), a landline (7, 8, 11, 12),
#: a whole ID (18).
_WHOLE_LENGTHS = frozenset({4, 7, 8, 11, 12, 18})


def _said_again(groups: tuple[str, ...]) -> str:
    """The digits meant when the caller started again after a pause: 一九四九，一九四九 is
    1949 said twice; 七零，七零一五 is 7015 begun twice. Only when the whole run is no
    number of a length asked for and the number said last is (a mobile 138 1380 1234 stays)."""
    whole = "".join(groups)
    for k in range(1, len(groups)):
        first, rest = "".join(groups[:k]), "".join(groups[k:])
        if first == rest and len(first) >= 3:
            return rest
    if len(whole) in _WHOLE_LENGTHS:
        return whole
    for k in range(1, len(groups)):
        first, rest = "".join(groups[:k]), "".join(groups[k:])
        if len(rest) in _WHOLE_LENGTHS and rest.startswith(first):
            return rest
    return whole
