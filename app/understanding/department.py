"""Hospital department from a department name, an alias, a symptom or a mis-heard form."""

from __future__ import annotations

from functools import cache

from app.understanding import data
from app.understanding.fuzzy import Matcher
from app.understanding.normalize import clean
from app.understanding.patterns import compile_phrase

GENERAL = "普通内科"
CHILDREN = "儿科"


@cache
def matcher() -> Matcher:
    """Labels: ``name:<dept>``, ``symptom:<dept>``, ``ambiguous`` and ``child``."""
    entries: list[tuple[str, str]] = []
    departments = data.load("departments").get("departments") or {}
    for dept in departments:
        entries.append((clean(dept), f"name:{dept}"))
    for dept, groups in departments.items():
        entries += [
            (c, f"name:{dept}")
            for p in groups.get("names") or []
            for c in compile_phrase(str(p), clean)
        ]
    for dept, groups in departments.items():
        entries += [
            (c, f"symptom:{dept}")
            for p in groups.get("symptoms") or []
            for c in compile_phrase(str(p), clean)
        ]
    entries += [(clean(p), "ambiguous") for p in data.words("departments", "ambiguous")]
    entries += [(clean(p), "child") for p in data.words("departments", "child")]
    return Matcher(entries, fuzzy_min=2)


@cache
def catalogue() -> tuple[str, ...]:
    """The canonical department names, in file order."""
    return tuple(data.load("departments").get("departments") or {})


@cache
def _negators() -> tuple[str, ...]:
    return tuple(sorted(data.words("departments", "negators"), key=len, reverse=True))


def _negated(text: str, start: int) -> bool:
    return any(text.endswith(neg, 0, start) for neg in _negators())


def named_department(cleaned: str) -> str | None:
    """The department whose name (not symptom) is in already-cleaned text, if exactly one."""
    names = {h.label[5:] for h in matcher().hits(cleaned) if h.label.startswith("name:")}
    return names.pop() if len(names) == 1 else None


def parse_department(text: str) -> str | None:
    """Return a canonical department name, or ``None`` when unclear or ambiguous."""
    cleaned = clean(text)
    if not cleaned:
        return None
    # Heard exactly beats heard approximately: in 身上起疹子, 上起 sounds like 疝气, but
    # 疹子 was heard as it is written.
    names: dict[bool, set[str]] = {True: set(), False: set()}
    symptoms: dict[bool, set[str]] = {True: set(), False: set()}
    child = False
    for hit in matcher().hits(cleaned):
        kind, _, dept = hit.label.partition(":")
        if kind == "name" and not _negated(cleaned, hit.start):
            names[hit.exact].add(dept)
        elif kind == "symptom" and not _negated(cleaned, hit.start):
            symptoms[hit.exact].add(dept)
        elif kind == "child":
            child = True
    return _decide(names[True] or names[False], symptoms[True] or symptoms[False], child)


def _decide(names: set[str], symptoms: set[str], child: bool) -> str | None:
    if names:
        return names.pop() if len(names) == 1 else None
    if child:
        return CHILDREN
    if len(symptoms) > 1:
        symptoms.discard(GENERAL)
    return symptoms.pop() if len(symptoms) == 1 else None


def department_question(text: str) -> str | None:
    """"dizziness" when the words name dizziness but no department (ask, don't guess)."""
    cleaned = clean(text)
    if not cleaned or parse_department(text) is not None:
        return None
    words = data.words("departments", "dizziness")
    return "dizziness" if any(clean(w) in cleaned for w in words) else None
