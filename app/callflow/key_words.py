"""A question's own words for its keys, heard before the question's kind of answer.

At an offer "要晚一点的" is the offer's key 2 (a later slot), not a "yes" because it holds
要; at "这辆车要取消吗？" "不要车了" is key 8 (cancel) and "还要等" is key 2 (keep it).
The caller's words are read left to right, taking the longest listed phrase at each
place, so "不取消" is not heard as "取消" and "不要等车了" not as "要等车". A phrase right
after 不/别/莫/没, or after one of them and a verb of wanting (不要, 不用, 不想, 不找, 别挂:
"不要专家", "不想挂号"), is a negation and counts for no key ("不挂这个"); the question's
own yes/no understanding then answers it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

NEGATIONS = frozenset("不别莫没")
# A verb between the negation and the phrase still negates it: 不要专家, 不想挂号.
NEGATED_VERBS = frozenset("要用想找挂是")
_NOT_WORDS = re.compile(r"[\W_]+")


def keys_said(key_words: Mapping[str, Sequence[str]], text: str) -> set[str]:
    """Every key whose words are in `text` (none, one, or several when they conflict)."""
    phrases = {_NOT_WORDS.sub("", p): key for key, words in key_words.items() for p in words}
    phrases.pop("", None)
    if not phrases:
        return set()
    longest = max(map(len, phrases))
    said = _NOT_WORDS.sub("", text)
    found: set[str] = set()
    i = 0
    while i < len(said):
        for size in range(min(longest, len(said) - i), 0, -1):
            key = phrases.get(said[i : i + size])
            if key is not None:
                if not _negated(said, i):
                    found.add(key)
                i += size
                break
        else:
            i += 1
    return found


def _negated(said: str, i: int) -> bool:
    """Is the phrase starting at `i` negated: 不专家, 不要专家 (not 要专家). A phrase that is
    a negation itself is not: 莫莫莫，不取消 (the 莫 stops what was said before it)."""
    if said[i] in NEGATIONS:
        return False
    if i >= 1 and said[i - 1] in NEGATIONS:
        return True
    return i >= 2 and said[i - 1] in NEGATED_VERBS and said[i - 2] in NEGATIONS
