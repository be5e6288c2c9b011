"""Pinyin-level phrase matching tolerant of Southwestern Mandarin sound merges.

Every Chinese character is reduced to a toneless *folded* syllable in which the sounds
that Yunnan speakers (and phone-quality recognition) confuse become equal: n/l, an/ang,
en/eng, in/ing, z/zh, c/ch, s/sh, f/h, ü/i and ge/ke/he ~ go/ko/ho. A phrase matches the
text where their folded syllables agree; exact character matches are preferred.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.understanding.patterns import GAP, MAX_GAP

_INITIALS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "f": "h"}
_FINALS = {
    "ang": "an",
    "eng": "en",
    "ing": "in",
    "iang": "ian",
    "uang": "uan",
    "ueng": "uen",
    "v": "i",
    "ve": "ie",
    "van": "ian",
    "vn": "in",
}
_KEYS: dict[str, str] = {}


def fold(initial: str, final: str) -> str:
    """Folded syllable for a pinyin initial and final (strict pypinyin spelling)."""
    initial = _INITIALS.get(initial, initial)
    final = _FINALS.get(final, final)
    if final == "e" and initial in ("g", "k", "h"):
        final = "o"
    return initial + final


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff"


def char_key(ch: str) -> str:
    """Folded syllable of one character (the character itself when not Chinese)."""
    key = _KEYS.get(ch)
    if key is None:
        if is_han(ch):
            from pypinyin import Style, pinyin  # imported on first use: ~0.4 s

            ini = pinyin(ch, style=Style.INITIALS, strict=True)[0][0]
            fin = pinyin(ch, style=Style.FINALS, strict=True)[0][0]
            key = fold(ini, fin) or ch
        else:
            key = "#" if ch == "|" else ch
        _KEYS[ch] = key
    return key


def text_key(text: str) -> tuple[str, dict[int, int]]:
    """``|``-delimited folded syllables of ``text`` and a map offset -> character index."""
    parts = ["|"]
    offsets: dict[int, int] = {}
    pos = 0
    for i, ch in enumerate(text):
        offsets[pos] = i
        k = char_key(ch)
        parts.append(k)
        parts.append("|")
        pos += len(k) + 1
    return "".join(parts), offsets


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in the text: characters ``start:end`` carry ``label``."""

    start: int
    end: int
    label: str
    exact: bool

    @property
    def size(self) -> int:
        return self.end - self.start


class Matcher:
    """Finds the longest non-overlapping grammar phrases in a text, exactly or by pinyin."""

    def __init__(self, entries: Iterable[tuple[str, str]], *, fuzzy_min: int = 2) -> None:
        seen: dict[str, str] = {}
        for phrase, label in entries:
            if phrase and phrase not in seen:
                seen[phrase] = label
        self.phrases = seen
        # Phrases are grouped by their first character (gap phrases by their first part,
        # sound-alikes by their first syllable), so a text is only searched for phrases
        # that can start in it; the index keeps the original order for equal hits.
        self._gaps: dict[str, list[tuple[int, tuple[str, ...], str]]] = {}
        for index, (p, lab) in enumerate(seen.items()):
            if GAP in p:
                parts = tuple(p.split(GAP))
                self._gaps.setdefault(parts[0], []).append((index, parts, lab))
        ordered = sorted(
            ((p, lab) for p, lab in seen.items() if GAP not in p), key=lambda item: -len(item[0])
        )
        self._exact: dict[str, list[tuple[str, str]]] = {}
        for p, lab in ordered:
            self._exact.setdefault(p[0], []).append((p, lab))
        self._fuzzy: dict[str, list[tuple[int, str, int, str]]] = {}
        for index, (p, lab) in enumerate(ordered):
            if len(p) >= fuzzy_min and all(is_han(c) for c in p):
                key = "|" + "|".join(char_key(c) for c in p) + "|"
                self._fuzzy.setdefault(char_key(p[0]), []).append((index, key, len(p), lab))

    def hits(self, text: str) -> list[Hit]:
        """Selected hits, left to right (leftmost-longest, exact before fuzzy)."""
        found: list[Hit] = []
        chars = set(text)
        for first in chars & self._exact.keys():
            for phrase, label in self._exact[first]:
                i = text.find(phrase)
                while i >= 0:
                    found.append(Hit(i, i + len(phrase), label, True))
                    i = text.find(phrase, i + 1)
        written = list(found)  # phrases heard exactly as written (no gaps)
        gaps = [e for first, group in self._gaps.items() if first in text for e in group]
        for _, parts, label in sorted(gaps):
            found += _gap_hits(text, parts, label)
        if self._fuzzy:
            joined, offsets = text_key(text)
            syllables = {char_key(c) for c in chars}
            fuzzy = [e for s in syllables & self._fuzzy.keys() for e in self._fuzzy[s]]
            for _, key, size, label in sorted(fuzzy):
                j = joined.find(key)
                while j >= 0:
                    start = offsets.get(j)
                    if start is not None and not _hidden(start, start + size, written):
                        found.append(Hit(start, start + size, label, False))
                    j = joined.find(key, j + 1)
        if not found:
            return []
        # Leftmost-longest: "不是不是" is 不是 + 不是, not 不 + 是不是.
        found.sort(key=lambda h: (h.start, -h.size, not h.exact))
        taken = [False] * len(text)
        chosen: list[Hit] = []
        for hit in found:
            if any(taken[hit.start : hit.end]):
                continue
            for k in range(hit.start, hit.end):
                taken[k] = True
            chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        return chosen


def _hidden(start: int, end: int, written: list[Hit]) -> bool:
    """A sound-alike overlapping a longer phrase heard as written does not count: in
    身上起疙瘩, 上起 sounds like 疝气 (an/ang), but 起疙瘩 was heard exactly."""
    return any(h.start < end and start < h.end and h.size > end - start for h in written)


#: A gap never spans a clause separator or a negation (血压不高 is not 血压…高).
_GAP_STOPS = frozenset("|不没莫别未")


def _gap_hits(text: str, parts: tuple[str, ...], label: str) -> list[Hit]:
    """Exact hits of ``part1…part2…`` with at most ``MAX_GAP`` characters between parts and
    no clause separator or negation in a gap."""
    out: list[Hit] = []
    i = text.find(parts[0])
    while i >= 0:
        end = i + len(parts[0])
        for part in parts[1:]:
            window = text[end : end + MAX_GAP + len(part)]
            j = window.find(part)
            if j < 0 or any(c in _GAP_STOPS for c in window[:j]):
                break
            end += j + len(part)
        else:
            out.append(Hit(i, end, label, True))
        i = text.find(parts[0], i + 1)
    return out
