"""Digit strings (ID and phone numbers): 幺 两 洞 拐 勾, Arabic digits, 叉 / 艾克斯 for X."""

from __future__ import annotations

import re
from functools import cache, lru_cache

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
    """Return the digits said (``0-9`` and ``X``), or ``None`` when no digit was said.

    Where other numbers come too (an age, a year, a house number: 我今年七十八了，身份证
    后面是幺九洞三), the digits after the last "是" / "就是" that make a number of a length
    asked for are the answer, else the whole, else the one run of four digits among
    several. Four digits said twice in a row (三四五六三四五六) are said once."""
    for said in _after_markers(text):
        digits = _digits_of(said)
        if digits is not None and len(digits) in _WHOLE_LENGTHS:
            return digits
    whole = _digits_of(text)
    if whole is None or len(whole) in _WHOLE_LENGTHS:
        return whole
    fours = [g for g in _groups(text) if len(g) == 4]
    return fours[0] if len(fours) == 1 else whole


#: Words that announce the answer: 后四位是…, 尾号就是…, 后头四个就是….
_MARKER = re.compile("就是|是")


def _after_markers(text: str) -> list[str]:
    """What follows each "是" / "就是" (the last first): where the answer is announced."""
    return [text[m.end() :] for m in reversed(list(_MARKER.finditer(text)))]


def _digits_of(text: str) -> str | None:
    digits = _with_x_last(_said_again(_groups(text)))
    if len(digits) == 8 and digits[:4] == digits[4:]:
        return digits[:4]  # 三四五六三四五六: four digits said twice for certainty
    return digits or None


#: 是 (s/sh merged with 四) after a word or opening the answer is "it is", not a digit.
_COPULA = "是"


@lru_cache(maxsize=256)
def _groups(text: str) -> tuple[str, ...]:
    """The digits between pauses and other words (remembered: `parse_digits` reads the
    whole answer's groups more than once)."""
    strong, keys, x_words, not_digits = _tables()
    t = _expand_chunks(text, strong)
    t = basic(t).replace("*", "x") if "*" in t else basic(t)
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
        elif ch == _COPULA and (not tokens or tokens[-1] is None):
            tokens.append(None)  # 后面是幺九洞三 / 是零零幺幺: "it is", no 四
        elif is_han(ch) and char_key(ch) in keys:
            tokens.append("?" + keys[char_key(ch)])
        else:  # a pause or another word: a sound-alike next to it is not a digit
            tokens.append(None)
    groups: list[str] = []
    for run in _runs(tokens):
        if _only_digit_sounds(run):  # 腰 动 八 气: nothing but digits and their sound-alikes
            groups.append("".join(tok.lstrip("?") for tok in run))
            continue
        group = ""
        for i, tok in enumerate(run):
            if tok.startswith("?"):
                # A sound-alike (腰 for 幺, 酒 for 九) counts only between two real digits.
                before = run[i - 1] if i > 0 else ""
                after = run[i + 1] if i + 1 < len(run) else ""
                if before and not before.startswith("?") and after and not after.startswith("?"):
                    group += tok[1:]
                continue
            group += tok
        groups.append(group)
    return tuple(g for g in groups if g)


def _runs(tokens: list[str | None]) -> list[list[str]]:
    """The tokens between pauses and other words."""
    runs: list[list[str]] = [[]]
    for tok in tokens:
        if tok is None:
            runs.append([])
        else:
            runs[-1].append(tok)
    return [r for r in runs if r]


def _only_digit_sounds(run: list[str]) -> bool:
    """A run of three or more, every word a digit or sounding like one, one at least as
    written (腰动八气 = 幺洞八七): the sound-alikes are digits too (a sentence has other
    words between them)."""
    return len(run) >= 3 and any(not tok.startswith("?") for tok in run)


def _expand_chunks(text: str, strong: dict[str, str]) -> str:
    """二十三 四十五 / 九十 三十: numbers said in tens, each between the recogniser's gaps,
    are their digits one after the other (2345, 9030), not one number."""
    chunks = text.split()
    if len(chunks) < 2 or not all(any(u in c for u in _UNITS) for c in chunks):
        return text
    return "".join(_expand_units(c, strong) for c in chunks)


def _with_x_last(digits: str) -> str:
    """叉在最后，前头是幺两三: the X of an ID number is its last character, however said."""
    if "X" not in digits:
        return digits
    plain = digits.replace("X", "")
    return plain + "X" if len(plain) in (3, 17) else digits


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
