"""Pinyin-level phrase matching tolerant of Southwestern Mandarin sound merges.

Every Chinese character is reduced to a toneless *folded* syllable in which the sounds
that Yunnan speakers (and phone-quality recognition) confuse become equal: n/l, an/ang,
en/eng, in/ing, z/zh, c/ch, s/sh, f/h, ü/i and ge/ke/he ~ go/ko/ho. A phrase matches the
text where their folded syllables agree; exact character matches are preferred.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.understanding.patterns import GAP, MAX_GAP

#: Folded syllable of every CJK ideograph pypinyin reads, written once by
#: ``scripts/build_syllables.py`` (a line per syllable: the syllable, a tab, its characters),
#: so understanding never imports pypinyin (~0.4 s) nor asks it per character.
SYLLABLES_FILE = Path(__file__).with_name("syllables.txt")

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


def pinyin_key(text: str) -> str:
    """Folded syllable of (the first character of) ``text`` asked of pypinyin; ``text``
    itself when pypinyin has no reading. Used to build :data:`SYLLABLES_FILE`."""
    from pypinyin import Style, pinyin  # imported on first use: ~0.4 s

    ini = pinyin(text, style=Style.INITIALS, strict=True)[0][0]
    fin = pinyin(text, style=Style.FINALS, strict=True)[0][0]
    return fold(ini, fin) or text


def _read_syllables() -> list[tuple[str, str]]:
    """(folded syllable, its characters) per line of :data:`SYLLABLES_FILE`."""
    if not SYLLABLES_FILE.exists():  # only while scripts/build_syllables.py writes it
        return []
    with SYLLABLES_FILE.open(encoding="utf-8") as fh:
        return [(key, chars) for key, _, chars in (ln.rstrip("\n").partition("\t") for ln in fh)]


_SYLLABLES = _read_syllables()
_KEYS: dict[str, str] = {}
for _key, _chars in _SYLLABLES:
    _KEYS.update(dict.fromkeys(_chars, _key))
_KEYS_LOADED = bool(_KEYS)


def char_key(ch: str) -> str:
    """Folded syllable of one character (the character itself when not Chinese)."""
    key = _KEYS.get(ch)
    if key is None:
        if not _KEYS_LOADED:
            raise RuntimeError(f"{SYLLABLES_FILE} is missing: run scripts/build_syllables.py")
        # Not one character: asked of pypinyin, as it always was. A character missing from
        # the table has no reading: it stands for itself.
        multiple = len(ch) != 1 and is_han(ch)
        key = pinyin_key(ch) if multiple else "#" if ch == "|" else ch
        _KEYS[ch] = key
    return key


# Sound-alikes are found with string operations: each folded syllable is written as one
# private-use character, so a text becomes its "sound string" with one str.translate, and
# two spans sound alike exactly when their sound strings are equal.
_SOUND_BASE = 0xF0000  # Supplementary Private Use Area-A
_NOT_A_SOUND = "\x00"


def _sound_table() -> dict[int, str]:
    code = {key: chr(_SOUND_BASE + n) for n, (key, _) in enumerate(_SYLLABLES)}
    table: dict[int, str] = {}
    for key, chars in _SYLLABLES:
        table.update(dict.fromkeys(map(ord, chars), code[key]))
    # A private-use character in a text is no syllable; a lone letter that is a syllable's
    # whole spelling (a, e, o) sounds like it, as its key says.
    table.update((ord(c), _NOT_A_SOUND) for c in code.values())
    table.update((ord(key), c) for key, c in code.items() if len(key) == 1)
    return table


_SOUNDS = _sound_table()


def sound_string(text: str) -> str:
    """One character per character of ``text``, equal where their folded syllables are."""
    return text.translate(_SOUNDS)


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


# What a found phrase is, in the order equal spans are preferred: as written, as written
# with gaps, by sound.
_WRITTEN, _GAPPED, _SOUND = 0, 1, 2

#: Number words: a two-character phrase holding one (按一, 选幺: a key said) is found only as
#: written; by sound it would be found in everyday words (想要 ~ 选幺).
_NUMBER_WORDS = frozenset("零一二两三四五六七八九十幺洞拐")


def _key_said(phrase: str) -> bool:
    return len(phrase) == 2 and any(c in _NUMBER_WORDS for c in phrase)


class Matcher:
    """Finds the longest non-overlapping grammar phrases in a text, exactly or by pinyin.

    Phrases are indexed, not searched one by one: by their first character and length
    (heard as written), by their first part (gap phrases), and by their folded syllables
    (sound-alikes). A text is then read once per index, looking up only the spans that
    can start a phrase at each character (found by one regex of the index's first
    characters).
    """

    def __init__(self, entries: Iterable[tuple[str, str]], *, fuzzy_min: int = 2) -> None:
        seen: dict[str, str] = {}
        for phrase, label in entries:
            if phrase and phrase not in seen:
                seen[phrase] = label
        self.phrases = seen
        # Gap phrases by the first character of their first part, then by that part (many
        # share it: 胸口…疼, 胸口…闷), so each first part is looked for once.
        gaps: dict[str, dict[str, list[tuple[int, tuple[str, ...], str]]]] = {}
        for index, (p, lab) in enumerate(seen.items()):
            if GAP in p:
                parts = tuple(p.split(GAP))
                heads = gaps.setdefault(parts[0][:1], {})
                heads.setdefault(parts[0], []).append((index, parts, lab))
        self._gaps = gaps
        # Gap phrases also found by sound when their first part is two characters or more
        # and the whole phrase is at least fuzzy_min long (新脏…痛 ~ 心脏…痛); the later
        # parts are still looked for as written.
        # By the first syllable of their first part's sound, then by that sound, so only
        # the heads whose first syllable is in the text are looked for.
        sound_gaps: dict[str, dict[str, list[tuple[int, tuple[str, ...], str]]]] = {}
        for index, (p, lab) in enumerate(seen.items()):
            if GAP in p:
                parts = tuple(p.split(GAP))
                if (
                    len(parts[0]) >= 2
                    and all(is_han(c) for c in parts[0])
                    and sum(map(len, parts)) >= fuzzy_min
                ):
                    head = sound_string(parts[0])
                    heads = sound_gaps.setdefault(head[:1], {})
                    heads.setdefault(head, []).append((index, parts, lab))
        self._sound_gaps = sound_gaps
        # Equal spans found by sound keep the order of the longest-first phrase list.
        ordered = sorted(
            ((p, lab) for p, lab in seen.items() if GAP not in p), key=lambda item: -len(item[0])
        )
        self._written: dict[str, str] = dict(ordered)
        # Sound-alikes by sound string; of phrases sounding the same, the first is kept
        # (only it can ever be chosen).
        sounds: dict[str, tuple[int, str]] = {}
        for index, (p, lab) in enumerate(ordered):
            if len(p) >= fuzzy_min and all(is_han(c) for c in p) and not _key_said(p):
                sounds.setdefault(sound_string(p), (index, lab))
        self._sounds = sounds
        self._sound_sizes = _sizes_by_first(sounds)
        # Per index, a regex of the characters its phrases (first parts) start with: the
        # text is searched in C for the next index where one may start, and only there
        # are the phrases of that first character looked up.
        self._written_at = _starts_pattern(self._written)
        self._sounds_at = _starts_pattern(sounds)
        # Per first character, the longest phrase there found by one regex (its phrases
        # as a trie), compiled when the character is first met: compiling every one at
        # start-up would cost more than it saves a short run.
        self._written_longest: dict[str, Callable[[str, int], re.Match[str] | None]] = {}
        self._sounds_longest: dict[str, Callable[[str, int], re.Match[str] | None]] = {}
        self._written_by_first = _by_first(self._written)
        self._sounds_by_first = _by_first(sounds)
        self._gap_heads = {f: tuple(heads) for f, heads in gaps.items() if f}
        self._gaps_at = _starts_pattern(h for heads in gaps.values() for h in heads if h)
        self._sound_gap_heads = {f: tuple(heads) for f, heads in sound_gaps.items() if f}
        self._sound_gaps_at = _starts_pattern(
            h for heads in sound_gaps.values() for h in heads if h
        )

    def hits(self, text: str) -> list[Hit]:
        """Selected hits, left to right (leftmost-longest, exact before fuzzy).

        Going left to right, the best phrase starting at a free character is taken: the
        longest; of equal ones, heard as written, then with gaps, then by sound (in phrase
        order). Only the best phrase at each start can ever be taken, so only that one is
        kept: "不是不是" is 不是 + 不是, not 不 + 是不是.
        """
        # Per start: (-size, how found, phrase index, label), the smallest is the best.
        best: dict[int, tuple[int, int, int, str]] = {}
        written_spans: list[tuple[int, int]] = []  # the longest heard as written, per start
        size_of_text = len(text)
        if self._written_at is not None:
            written = self._written
            search = self._written_at.search
            m = search(text)
            while m is not None:
                i = m.start()
                longest = self._written_longest.get(text[i]) or self._longest(
                    self._written_longest, self._written_by_first, text[i]
                )
                found = longest(text, i)
                if found is not None:
                    end = found.end()
                    best[i] = (i - end, _WRITTEN, 0, written[found.group()])
                    written_spans.append((i, end))
                m = search(text, i + 1)
        gaps = self._gaps
        if "" in gaps:  # a gap phrase opening with a gap: from every start
            for head, entries in gaps[""].items():
                _gapped(text, _occurrences(text, head), entries, best)
        if self._gaps_at is not None:
            for head, starts in _heads_at(self._gaps_at, text, self._gap_heads).items():
                _gapped(text, starts, gaps[head[0]][head], best)
        if self._sound_gaps_at is None and self._sounds_at is None:
            return _selected(best)  # nothing is found by sound (short everyday words)
        sound = text.translate(_SOUNDS)
        if self._sound_gaps_at is not None:
            sound_gaps = self._sound_gaps
            heads = _heads_at(self._sound_gaps_at, sound, self._sound_gap_heads)
            for head, starts in heads.items():
                for index, parts, label in sound_gaps[head[0]][head]:
                    if parts[-1] not in text:
                        continue  # its last part is not said: no span
                    for start, end in _gap_spans(text, parts, starts):
                        if text.startswith(parts[0], start) or _hidden(start, end, written_spans):
                            continue  # heard as written: found above
                        here = best.get(start)
                        candidate = (start - end, _SOUND, index, label)
                        if here is None or candidate < here:
                            best[start] = candidate
        if self._sounds_at is not None:
            sounds, sizes = self._sounds, self._sound_sizes
            search = self._sounds_at.search
            m = search(sound)
            while m is not None:
                i = m.start()
                m = search(sound, i + 1)
                here = best.get(i)
                longest = self._sounds_longest.get(sound[i]) or self._longest(
                    self._sounds_longest, self._sounds_by_first, sound[i]
                )
                found = longest(sound, i)
                if found is None:
                    continue
                size = found.end() - i
                if here is not None and -here[0] >= size:
                    continue  # as long and heard as written: that one is preferred
                if not _hidden(i, i + size, written_spans):
                    best[i] = (-size, _SOUND, *sounds[found.group()])
                    continue
                for size in sizes[sound[i]]:  # the longest is hidden: a shorter one?
                    if here is not None and -here[0] >= size:
                        break
                    end = i + size
                    if end <= size_of_text:
                        alike = sounds.get(sound[i:end])
                        if alike is not None and not _hidden(i, end, written_spans):
                            best[i] = (-size, _SOUND, *alike)
                            break
        return _selected(best)

    def _longest(
        self,
        patterns: dict[str, Callable[[str, int], re.Match[str] | None]],
        phrases: dict[str, list[str]],
        first: str,
    ) -> Callable[[str, int], re.Match[str] | None]:
        """The match of the longest of ``phrases[first]`` at an index, made (compiled)
        the first time that character is met and kept in ``patterns``."""
        match = _longest_pattern(phrases[first]).match
        patterns[first] = match
        return match


def _selected(best: dict[int, tuple[int, int, int, str]]) -> list[Hit]:
    """Left to right, the best phrase at each start not inside one taken before."""
    if not best:
        return []
    chosen: list[Hit] = []
    free_from = 0
    for i in sorted(best):
        if i >= free_from:
            minus_size, how, _, label = best[i]
            free_from = i - minus_size
            chosen.append(Hit(i, free_from, label, how != _SOUND))
    return chosen


def _starts_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A regex found at every character one of ``phrases`` starts with (a set of
    characters: searched in C, and quick to compile), or None for no phrases."""
    firsts = sorted({p[0] for p in phrases if p})
    if not firsts:
        return None
    return re.compile("[" + "".join(map(re.escape, firsts)) + "]")


def _by_first(phrases: Iterable[str]) -> dict[str, list[str]]:
    """First character (or syllable) -> the phrases starting with it."""
    out: dict[str, list[str]] = {}
    for p in phrases:
        out.setdefault(p[0], []).append(p)
    return out


def _longest_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """A regex matching the longest of ``phrases`` at an index: the phrases as a trie
    (胸(?:口(?:疼)?)?), each character one branch of its node; a greedy optional group goes
    on as far as a longer phrase allows and falls back to the longest one ending."""
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # a phrase ends here

    def written(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + written(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(written(trie), re.DOTALL)


def _heads_at(
    pattern: re.Pattern[str], where: str, heads: dict[str, tuple[str, ...]]
) -> dict[str, list[int]]:
    """Every first part of ``heads`` (by first character) found in ``where``, with the
    indexes where it starts, in order; ``pattern`` finds where any of them starts."""
    found: dict[str, list[int]] = {}
    m = pattern.search(where)
    while m is not None:
        i = m.start()
        for head in heads[where[i]]:
            if where.startswith(head, i):
                found.setdefault(head, []).append(i)
        m = pattern.search(where, i + 1)
    return found


def _gapped(
    text: str,
    starts: list[int],
    entries: list[tuple[int, tuple[str, ...], str]],
    best: dict[int, tuple[int, int, int, str]],
) -> None:
    """Gap phrases ``entries`` heard as written from ``starts`` (where their first part
    is) into ``best``."""
    if not starts:
        return
    for index, parts, label in entries:
        if parts[-1] not in text:
            continue  # its last part is not said: no span
        for start, end in _gap_spans(text, parts, starts):
            here = best.get(start)
            candidate = (start - end, _GAPPED, index, label)
            if here is None or candidate < here:
                best[start] = candidate


def _sizes_by_first(phrases: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """First character (or syllable) -> the lengths of the phrases starting with it."""
    sizes: dict[str, set[int]] = {}
    for p in phrases:
        sizes.setdefault(p[0], set()).add(len(p))
    return {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}


def _hidden(start: int, end: int, written: list[tuple[int, int]]) -> bool:
    """A sound-alike overlapping a longer phrase heard as written, or one of two characters
    or more that runs on past its end, does not count: in 身上起疙瘩, 上起 sounds like 疝气
    (an/ang), but 起疙瘩 was heard exactly; in 约的撤销, 约的撤 sounds like 约的车, but 撤销
    was heard as written."""
    size = end - start
    return any(
        s < end and start < e and (e - s > size or e - s >= 2 and e > end) for s, e in written
    )


#: A gap never spans a clause separator or a negation (血压不高 is not 血压…高); the 别 of
#: 特别 ("very": 胸口特别疼) is no negation.
_GAP_STOPS = frozenset("|不没莫别未")


def _occurrences(text: str, part: str) -> list[int]:
    """Every index where ``part`` starts in ``text`` (overlapping)."""
    found: list[int] = []
    i = text.find(part)
    while i >= 0:
        found.append(i)
        i = text.find(part, i + 1)
    return found


def _gap_spans(text: str, parts: tuple[str, ...], starts: list[int]) -> list[tuple[int, int]]:
    """Spans of ``part1…part2…`` from each of ``starts`` (where part1 is) with at most
    ``MAX_GAP`` characters between parts and no clause separator or negation in a gap."""
    out: list[tuple[int, int]] = []
    for i in starts:
        end = i + len(parts[0])
        for part in parts[1:]:
            window = text[end : end + MAX_GAP + len(part)]
            j = window.find(part)
            if j < 0 or any(c in _GAP_STOPS for c in window[:j].replace("特别", "")):
                break
            end += j + len(part)
        else:
            out.append((i, end))
    return out
