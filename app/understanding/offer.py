"""Answers to a slot offer: take it, a later or earlier one, another day, or a named day.

``parse_offer(text, today)`` returns ``"yes"`` (take this slot), ``"no"``, ``"later"``,
``"earlier"``, ``"other_day"``, a ``when`` value ``{"date", "session"}`` when the caller
names a day or a session (礼拜六上午, 下礼拜三, 下午的 is ``later``/``earlier`` only when no
day is named), or ``"unknown"``. The order is: a request for another slot, a named day or
session, then yes / no (``yesno``: 要晚一点的 is no yes). A vague time (下个礼拜, 过几天)
is ``"other_day"``: the flow lists days; "no preference" (随便, 都可以) takes the slot.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from app.understanding import data
from app.understanding.fuzzy import Matcher
from app.understanding.normalize import clean
from app.understanding.when import no_preference, parse_when
from app.understanding.yesno import asks_for_something, parse_yesno

_SOUND_ALIKE_MIN = 3
_NEGATION_WINDOW = 2
_SPACES = re.compile(r"\s+")
_LABELS = ("later", "earlier", "other_day", "take")


@cache
def matcher() -> Matcher:
    """Phrases asking for another slot or taking this one (built once)."""
    entries = [(clean(p), label) for label in _LABELS for p in data.words("offer", label)]
    return Matcher([e for e in entries if e[0]], fuzzy_min=_SOUND_ALIKE_MIN)


@cache
def _negators() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("offer", "negators")) if w)


def _asked_for(text: str) -> set[str]:
    """The labels of the phrases said and not negated (不要换, 不挂)."""
    return {
        hit.label
        for hit in matcher().hits(text)
        if not text[max(0, hit.start - _NEGATION_WINDOW) : hit.start].endswith(_negators())
    }


def parse_offer(text: str, today: dt.date) -> object:
    """What the caller wants after hearing an offered slot (see the module docstring)."""
    joined = _SPACES.sub("", text or "")
    cleaned = clean(joined)
    if not cleaned:
        return "unknown"
    when = parse_when(joined, today)
    named = when is not None and (
        (when["date"] is not None and when["date"] != today.isoformat())
        or (when["date"] is not None and when["session"] is not None)
    )
    if named:
        return when  # 礼拜六上午, 下礼拜三, 明天下午
    asked = _asked_for(cleaned)
    others = asked - {"take"}
    if len(others) == 1:
        return others.pop()
    if others:
        return "unknown"  # 晚一点或者换一天: ask again
    if when is not None and when["date"] is None and when["session"] is None:
        if no_preference(joined):
            return "yes"  # 随便, 都可以: the slot offered is as good as any
        return "other_day"  # 下个礼拜, 过几天: a day is wanted but not said
    if "take" in asked and not asks_for_something(cleaned):
        return "yes"  # 挂, 就这个 (but 挂号要好多钱 is a question)
    return parse_yesno(joined)
