"""Does the answer refuse the whole thing ("stop, I want nothing")?

不消了, 莫整了, 不要了, 算了, 不整了 said to "车到家接您，对吗？" or to a slot offer are a
"no" (``yesno``) that wants nothing at all: the flow should stop or go back to the menu,
not ask for a correction. 不对, 不是, 错了 are a "no" that corrects one detail: not a
decline. Words: ``grammars/yesno.yaml`` ``decline_words`` (at the end of the answer),
``decline_alone`` (the whole answer), ``decline_tails`` (polite endings after it).
"""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.normalize import SEP, clean
from app.understanding.yesno import parse_yesno

_SPACES = re.compile(r"\s+")


@cache
def _words(key: str) -> tuple[str, ...]:
    cleaned = {w for w in (clean(x) for x in data.words("yesno", key)) if w}
    return tuple(sorted(cleaned, key=len, reverse=True))


def _strip_tail(text: str) -> str:
    """Drop separators and polite endings (谢谢你, 再见) from the end of the answer."""
    tails = _words("decline_tails")
    while True:
        stripped = text.rstrip(SEP)
        for tail in tails:
            if stripped.endswith(tail) and len(stripped) > len(tail):
                stripped = stripped[: -len(tail)]
                break
        if stripped == text:
            return text
        text = stripped


def is_decline(text: str) -> bool:
    """True when the answer is a no that wants nothing at all (不消了, 莫整了, 算了), also
    with how the caller goes instead or when said after it (算了算了，我儿子开车送我 / 莫要了，
    过两天再说)."""
    if parse_yesno(text) != "no":
        return False
    cleaned = _strip_tail(clean(_SPACES.sub("", text)))
    cleaned = _strip_tail(_OTHER_WAY.sub("", cleaned)) or cleaned
    return cleaned in _words("decline_alone") or cleaned.endswith(_words("decline_words"))


#: (twenty-first round, from a user trial of calls) Said last after the refusal: someone
#: else takes the caller, the caller goes alone, or another time (我儿子开车送我, 我儿子说他来
#: 接我, 我自己坐公交去, 过两天再说).
_OTHER_WAY = re.compile(
    rf"[{SEP}]*(?:我(?:的|家)?\w{{1,3}}?(?:说(?:他|她)?)?(?:开车)?(?:来)?(?:送|接|带)我(?:去)?"
    "|我自己(?:开车|坐公交|坐车|走路)?(?:去|走)"
    "|(?:过两天|过几天|改天|下回|下次|以后)再说)$"
)
