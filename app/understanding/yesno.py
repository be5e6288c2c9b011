"""Yes / no answers, including Kunming forms (是喽嘛, 要得, 活勒, 不消, 不得行, 莫得问题)."""

from __future__ import annotations

from functools import cache

from app.understanding import data
from app.understanding.fuzzy import Hit, Matcher, char_key
from app.understanding.normalize import clause_len, clause_start, clean

_SHORT_CLAUSE = 3
_MEDIUM_CLAUSE = 6
_LEAD = 1


@cache
def matcher() -> Matcher:
    """Matcher over yes / no / unclear / not-an-answer phrases (built once)."""
    entries: list[tuple[str, str]] = []
    for label, key in (("unclear", "unclear"), ("none", "not_answers"), ("yes", "yes_words"),
                       ("no", "no_words")):
        entries += [(clean(p), label) for p in data.words("yesno", key)]
    return Matcher(entries, fuzzy_min=2)


@cache
def _single_sounds() -> dict[str, str]:
    """Folded syllable -> answer, for one-character answers (是, 对, 不 ...)."""
    return {char_key(p): label for p, label in matcher().phrases.items()
            if len(p) == 1 and label in ("yes", "no")}


def _strong(hit: Hit) -> bool:
    return hit.exact and hit.size >= 2


def _counts(text: str, hit: Hit) -> bool:
    """Does this hit answer the question, given where it sits in its clause?

    Phrases of three characters or more always count; two-character phrases count near the
    start of a clause or in a clause of up to six characters ("好久没有人打电话" is no "no");
    one-character and sound-alike hits count only at a clause start or in a short clause.
    """
    offset = hit.start - clause_start(text, hit.start)
    size = clause_len(text, hit.start)
    if hit.exact and hit.size >= 3:
        return True
    if _strong(hit):
        return offset <= _LEAD or size <= _MEDIUM_CLAUSE
    return offset == 0 or size <= _SHORT_CLAUSE


def parse_yesno(text: str) -> str:
    """Return ``"yes"``, ``"no"`` or ``"unknown"``."""
    cleaned = clean(text)
    if not cleaned:
        return "unknown"
    hits = [h for h in matcher().hits(cleaned) if h.label != "none" and _counts(cleaned, h)]
    if not hits:
        # A one-character answer mis-heard as a sound-alike (四 for 是, 队 for 对).
        if len(cleaned) == 1:
            return _single_sounds().get(char_key(cleaned), "unknown")
        return "unknown"
    if any(h.label == "unclear" for h in hits):
        return "unknown"
    tier = [h for h in hits if _strong(h)] or hits
    labels = {h.label for h in tier}
    if len(labels) == 1:
        return labels.pop()
    # Conflicting answers: the first clause that holds an answer decides, if it is consistent.
    first = clause_start(cleaned, tier[0].start)
    labels = {h.label for h in tier if clause_start(cleaned, h.start) == first}
    return labels.pop() if len(labels) == 1 else "unknown"
