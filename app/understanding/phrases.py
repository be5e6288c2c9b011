"""Phrase lists that constrain Vosk for each kind of prompt, built from ``grammars/``.

The lists hold the words exactly as written in the grammar files (dialect forms included),
so speech recognition and understanding share one source of truth. Vosk's grammar JSON is
this list; the last item is ``"[unk]"`` so out-of-grammar speech is not forced onto a
phrase. Every list also holds the emergency signs (``grammars/emergency.yaml``): an
emergency may be said at any prompt.
"""

from __future__ import annotations

import json
from functools import cache

from app.understanding import KINDS, data
from app.understanding.fuzzy import is_han
from app.understanding.market_days import MARKET_WORDS
from app.understanding.patterns import surface_forms
from app.understanding.people import kin_words

UNKNOWN = "[unk]"
_SMALL = ["一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十"]


def _days_of_month() -> list[str]:
    import cn2an  # imported on first use

    return [cn2an.an2cn(n) for n in range(1, 32)]


def _everywhere() -> list[str]:
    """Phrases useful at every prompt: asking for a person or a repeat."""
    intents = data.load("intent").get("intents") or {}
    out: list[str] = []
    for name in ("operator", "repeat"):
        strong = (intents.get(name) or {}).get("strong") or []
        out += [w for p in strong for w in surface_forms(str(p))]
    return out


def _emergency() -> list[str]:
    """Emergency signs: in every list, because an emergency may be said at any prompt."""
    out = [w for p in data.words("emergency", "signs") for w in surface_forms(p)]
    for entry in data.load("emergency").get("together") or []:
        out += [w for group in entry for p in group for w in surface_forms(str(p))]
    return out + data.words("emergency", "exact") + data.words("emergency", "alone_only")


def _intent() -> list[str]:
    out: list[str] = []
    for groups in (data.load("intent").get("intents") or {}).values():
        for strength in ("strong", "weak"):
            out += [w for p in groups.get(strength) or [] for w in surface_forms(str(p))]
    return out


def _yesno() -> list[str]:
    from app.understanding.department import catalogue

    return [
        *data.words("yesno", "yes_words"),
        *data.words("yesno", "no_words"),
        *data.words("yesno", "unclear"),
        # what a read-back answer says again or puts right (给我孙子, 眼科那个)
        *data.words("yesno", "heard_only"),
        *kin_words(),
        *catalogue(),
    ]


def _department() -> list[str]:
    out: list[str] = []
    for dept, groups in (data.load("departments").get("departments") or {}).items():
        out.append(str(dept))
        out += [w for p in groups.get("names") or [] for w in surface_forms(str(p))]
        for tier in ("conditions", "symptoms"):
            out += [w for p in groups.get(tier) or [] for w in surface_forms(str(p))]
    table = data.load("symptoms")
    for phrases in (table.get("departments") or {}).values():
        out += [w for p in phrases or [] for w in surface_forms(str(p))]
    out += [w for p in table.get("ask") or [] for w in surface_forms(str(p))]
    return (
        out
        + data.words("departments", "ambiguous")
        + data.words("departments", "dizziness")
        + data.words("departments", "child")
    )


def _when() -> list[str]:
    raw = data.load("when")
    out = [str(w) for w in raw.get("days") or {}]
    for week in data.words("when", "week_words"):
        out += [
            f"{pre}{week}{day}"
            for pre in ("", "下", "下个", "这个")
            for day in raw.get("weekdays") or {}
        ]
    days_of_month = _days_of_month()
    out += [f"{d}号" for d in days_of_month] + [f"{m}月" for m in days_of_month[:12]]
    out += [f"{h}点" for h in _SMALL + ["十一", "十二"]]
    out += [f"{n}天后" for n in _SMALL]
    out += data.words("when", "no_preference") + data.words("when", "corrections")
    for table in ("holidays", "lunar_festivals"):  # 元旦, 春节, 腊八 ...
        out += [str(w) for words in (raw.get(table) or {}).values() for w in words]
    out += ["正月", "冬月", "腊月", "农历", "大年"] + [f"初{d}" for d in _SMALL[:10]]
    out += [f"{n}个礼拜以后" for n in ("一", "两")]
    out += data.words("when", "restatements") + list(MARKET_WORDS)
    return out + data.words("when", "am") + data.words("when", "pm") + data.words("when", "vague")


def _digits() -> list[str]:
    raw = data.load("digits")
    out = [str(w) for spoken in (raw.get("digits") or {}).values() for w in spoken]
    out += [str(w) for w in raw.get("x") or []]
    return [w for w in out if all(is_han(c) for c in w)]


def _choice() -> list[str]:
    raw = data.load("choice")
    out = [str(k) for k in raw.get("ordinals") or {}]
    for n in _SMALL:
        out += [n, f"第{n}个", f"{n}号"]
    return out


def _offer() -> list[str]:
    words = [
        w for label in ("later", "earlier", "other_day", "take") for w in data.words("offer", label)
    ]
    return words + _yesno() + _when()


def _decline() -> list[str]:
    words = [data.words("yesno", k) for k in ("decline_words", "decline_alone", "decline_tails")]
    return [w for group in words for w in group] + _yesno()


def _change() -> list[str]:
    return _when() + _yesno() + data.words("when", "to_hospital")


def _menu() -> list[str]:
    """A top-level menu: requests, and the days and hours of a car for later."""
    return _intent() + _when() + _decline()


_BUILDERS = {
    "intent": _intent,
    "yesno": _yesno,
    "department": _department,
    "when": _when,
    "digits": _digits,
    "choice": _choice,
    "offer": _offer,
    "emergency": _emergency,
    "decline": _decline,
    "change": _change,
    "menu": _menu,
}


@cache
def _cached(expect: str) -> tuple[str, ...]:
    if expect not in _BUILDERS:
        raise ValueError(f"unknown kind {expect!r}; expected one of {', '.join(KINDS)}")
    words = _BUILDERS[expect]() + (_everywhere() if expect != "intent" else []) + _emergency()
    unique = list(dict.fromkeys(w.strip() for w in words if w and w.strip()))
    return (*unique, UNKNOWN)


def phrase_list(expect: str) -> list[str]:
    """Phrases for a Vosk grammar at a prompt expecting ``expect``; ends with ``"[unk]"``."""
    return list(_cached(expect))


def vosk_grammar(expect: str) -> str:
    """The Vosk grammar JSON string for a prompt expecting ``expect``."""
    return json.dumps(phrase_list(expect), ensure_ascii=False)
