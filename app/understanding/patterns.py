"""A tiny phrase syntax for ``grammars/`` so one line covers a family of wordings.

* ``[a|b]`` optional alternatives: ``打[个|一个]的`` is 打的, 打个的 and 打一个的 (the empty
  alternative is always included).
* ``(a|b)`` required alternatives: ``咳(嗽|了|得)`` is 咳嗽, 咳了 and 咳得, never 咳 alone.
* ``…`` a short gap: ``血压…高`` matches 血压高, 血压又高, 血压有点高: up to
  :data:`MAX_GAP` characters in between, inside one clause (never across punctuation) and
  never across a negation (血压不高 does not match).

Plain phrases are unchanged. :func:`compile_phrase` turns a grammar line into the cleaned
strings a :class:`~app.understanding.fuzzy.Matcher` takes; :func:`surface_forms` gives the
word sequences for a Vosk phrase list (a gap phrase contributes its parts).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Gap marker inside a compiled phrase (never survives text clean-up, so never in input).
GAP = "…"
#: Most characters a gap may skip.
MAX_GAP = 4

_GROUP = re.compile(r"\[([^\[\]()]*)\]|\(([^\[\]()]*)\)")


def expand(phrase: str) -> list[str]:
    """All wordings of ``phrase`` with its ``[a|b]`` and ``(a|b)`` groups resolved."""
    m = _GROUP.search(phrase)
    if m is None:
        return [phrase]
    head, tail = phrase[: m.start()], phrase[m.end() :]
    if m.group(1) is not None:
        options = ["", *(o for o in m.group(1).split("|") if o)]
    else:
        options = [o for o in m.group(2).split("|") if o]
    return [f"{head}{o}{rest}" for o in options for rest in expand(tail)]


def compile_phrase(phrase: str, clean: Callable[[str], str]) -> list[str]:
    """Cleaned wordings of a grammar line; gap phrases keep :data:`GAP` between parts."""
    out: list[str] = []
    for wording in expand(phrase.replace("...", GAP)):
        parts = [clean(p) for p in wording.split(GAP)]
        if all(parts):
            out.append(GAP.join(parts))
    return out


def surface_forms(phrase: str) -> list[str]:
    """Word sequences for a recogniser's phrase list (gap phrases are split into parts)."""
    out: list[str] = []
    for wording in expand(phrase.replace("...", GAP)):
        out += [p for p in wording.split(GAP) if p]
    return out
