"""Is the caller describing a sudden, serious emergency now? (``grammars/emergency.yaml``)

True for chest pain or tightness, a heart disease flaring up, not being able to breathe,
stroke signs (numb hands and feet, one side weak), a fall or a person down, fainting or
not responding, vomiting blood or heavy bleeding, seizures, severe palpitations,
poisoning and self-harm, being hit by a vehicle and cries for help; and for pairs that
are an emergency only together (``together``: a sudden severe headache, very high blood
pressure with symptoms, sudden loss of sight, sudden palpitations). False when the sign is
negated (没有胸口疼, 胸口不疼了), in the past (上个月摔了一跤, unless it still goes on:
到现在还起不来), an old complaint (老毛病, 经常手脚发麻), over (现在好多了) or not there at all.

Recognisers put spaces between words and no punctuation, so the spaces are removed and the
whole utterance is read as one stretch; signs are found as written or, from three
characters on, by sound (兄口疼 = 胸口疼) with the same folded pinyin as the other kinds.
"""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.fuzzy import Hit, Matcher
from app.understanding.normalize import SEP, clean
from app.understanding.patterns import compile_phrase

_SOUND_ALIKE_MIN = 3  # shorter signs (救命, 嘴歪) count only as written
_EXACT_ONLY = 99  # the parts of a pair are short everyday words: heard only as written
_NEGATION_WINDOW = 2  # characters before a sign searched for a negation (没有胸口疼)
_SPACES = re.compile(r"\s+")


@cache
def _matchers() -> tuple[Matcher, Matcher]:
    """(signs found as written or by sound, signs found only as written)."""
    hiding = [(clean(p), "none") for p in data.words("emergency", "not_signs")]
    signs = [
        (c, "sign") for p in data.words("emergency", "signs") for c in compile_phrase(p, clean)
    ]
    exact = [(clean(p), "sign") for p in data.words("emergency", "exact")]
    return (
        Matcher(hiding + signs, fuzzy_min=_SOUND_ALIKE_MIN),
        Matcher(hiding + exact, fuzzy_min=len(max(exact, key=len, default="")) + 1),
    )


@cache
def _together() -> tuple[tuple[Matcher, ...], ...]:
    """For each ``together`` entry, one matcher per group (every group must be heard).

    The parts (突然, 头疼, 血压好高) are short everyday words: they count only as written,
    which also keeps the check cheap (no sound-alike pass per group). A group written the
    same way in several entries (the "sudden" words) is one matcher, searched once.
    """
    raw = data.load("emergency").get("together") or []
    hiding = [(clean(p), "none") for p in data.words("emergency", "not_signs")]
    built: dict[tuple[str, ...], Matcher] = {}
    for entry in raw:
        for group in entry:
            key = tuple(str(p) for p in group)
            if key not in built:
                signs = [(c, "sign") for p in key for c in compile_phrase(p, clean)]
                built[key] = Matcher(hiding + signs, fuzzy_min=_EXACT_ONLY)
    return tuple(tuple(built[tuple(str(p) for p in group)] for group in entry) for entry in raw)


def _heard_together(cleaned: str) -> bool:
    """Is every group of some ``together`` entry heard, each part "now"?"""
    heard: dict[int, bool] = {}

    def group_heard(group: Matcher) -> bool:
        if id(group) not in heard:
            heard[id(group)] = any(
                h.label == "sign" and _counts(cleaned, h) for h in group.hits(cleaned)
            )
        return heard[id(group)]

    return any(all(group_heard(group) for group in entry) for entry in _together())


@cache
def _words(key: str) -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("emergency", key)) if w)


def cleaned_utterance(text: str) -> str:
    """The caller's words cleaned like every kind, as one stretch without separators."""
    return clean(_SPACES.sub("", text or "")).replace(SEP, "")


def _last(text: str, words: tuple[str, ...]) -> int:
    """End index of the last occurrence of any of ``words`` in ``text`` (-1: none)."""
    ends = [text.rfind(w) + len(w) for w in words if w in text]
    return max(ends, default=-1)


def _counts(text: str, hit: Hit) -> bool:
    """A sign counts unless negated, in the past, an old complaint or already over."""
    before, after = text[: hit.start], text[hit.end :]
    if any(n in before[-_NEGATION_WINDOW:] for n in _words("negators")):
        return False
    if any(w in after for w in _words("resolved")):
        return False
    now = _last(before, _words("now"))
    if _last(before, _words("past")) > now and not any(w in after for w in _words("still")):
        return False
    # An old complaint (老毛病) makes it not an emergency, unless "now" words follow it.
    chronic = [w for w in _words("chronic") if w in text]
    return not chronic or (now >= 0 and all(text.find(w) < now for w in chronic))


def is_emergency(text: str) -> bool:
    """True when the words describe a sudden serious emergency happening now."""
    cleaned = cleaned_utterance(text)
    if not cleaned:
        return False
    if cleaned in _words("alone_only"):
        return True
    for matcher in _matchers():
        for hit in matcher.hits(cleaned):
            if hit.label == "sign" and _counts(cleaned, hit):
                return True
    return _heard_together(cleaned)
