"""A change said at the read-back of a ride booked ahead: "不是九点，是十点", "改到明天",
"去云大医院". What is said again replaces that part; nothing said keeps it.

``parse_change(text, today)`` gives ``{"date": ISO or None, "clock": [hour, minute] or
None, "session": "am"/"pm"/None, "to": "医院" / "云大医院" / None}``; when none of these is
said, a pickup place said instead ("不是家里，是女儿家", "在儿子家接") is ``{..., "place":
"女儿家"}``; a complaint about the time without a new one ("太早了", "时间不对") is
``{..., "time_again": True}``; ``None`` when nothing is said to change (a plain 不对 is
a "no", not a change).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from app.understanding import data
from app.understanding.normalize import clean
from app.understanding.numerals import NUM_CHARS
from app.understanding.when import parse_clock, parse_when

# 去 (Kunming 克) / 到 / 上 a hospital: "去云大医院", "克市一院", "上医院"; the name is kept
# as said. Not the 上 of 早上 / 晚上 / 马上, and no car or verb inside the name (早上七点叫个车
# 克医院 is 医院, not "七点叫个车克医院").
_TO_NAMED = re.compile(
    r"(?<!不)(?<!别)(?<!莫)(?<!不是)(?:去|克|到|(?<![早晚马路楼])上)"
    r"(?P<to>[^，。,.？?！!、\s去克到车叫喊整约]{1,12}?(?:医院|院))"
)


_NOT_TO = re.compile(r"(?:不|别|莫)(?:是)?(?:去|到|上)?(?:医院|看病|看医生)")


@cache
def _to_hospital_words() -> tuple[str, ...]:
    words = (clean(w) for w in data.words("when", "to_hospital"))
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


def destination(text: str) -> str | None:
    """The destination said: a hospital by name ("云大医院"), "医院" for a hospital
    not named (去医院, 看病), or None."""
    spoken = "".join((text or "").split())
    named = _TO_NAMED.search(spoken)
    if named is not None:
        return named["to"]
    cleaned = clean(spoken)
    if _NOT_TO.search(cleaned):
        return None  # 不去医院, 不是去看病
    return "医院" if any(w in cleaned for w in _to_hospital_words()) else None


# "不是明天，是后天": what follows the second 是 (or 改成 …) is what counts.
_NOT_THIS_BUT = re.compile(r"不是.+?[，,。\s]*(?:是|要|改成|换成|改到|换到)(?P<said>[^，,。]+)")


# "在女儿家接", "到儿子家接我": a pickup place named.
_AT_PLACE = re.compile(r"(?:在|到|去)(?P<place>[^，,。在到去]{1,12}?)(?:接|上车)")


@cache
def _time_complaints() -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("when", "time_complaints")) if w)


# "去女儿家", "不对，克翠湖公园": another place to go to (not a pickup: 去女儿家接我 is where
# the car picks up). No clock, day or car inside the place's words.
_TO_PLACE = re.compile(
    r"(?<![不别莫])(?:去|克)(?P<to>[^，。,.？?！!、去克到在]{2,12}?)(?:[嘛吧哈噻哦了]*)$"
)
_NOT_A_PLACE = re.compile(
    r"[0-9零一二两三四五六七八九十]点|钟|叫|车|接|约|今天|明天|后天|早上|上午|中午|下午|晚上|医院|看病"
)


def _place_to_go(spoken: str) -> str | None:
    for clause in reversed(re.split(r"[，。,.？?！!、]", spoken)):
        found = _TO_PLACE.search(clause)
        if found is not None and not _NOT_A_PLACE.search(found["to"]):
            return found["to"]
    return None


#: (twenty-second round, a user trial) An hour refused as it is said (八点太早了, 九点我来不了):
#: not the hour wanted ("八点太早了 有没有下午的" was read back as 上午8点).
_HOUR_REFUSED = re.compile(
    rf"[{NUM_CHARS}]{{1,3}}点(?:半|钟)?(?:[我那的就也]{{0,2}})"
    r"(?:太早|太晚|早了|不行|不得行|来不了|起不来|去不了|赶不上|不方便)"
)


def _day_or_half_day(when: dict[str, str | None] | None) -> bool:
    return bool(when and (when.get("date") or when.get("session")))


def parse_change(text: str, today: dt.date) -> dict[str, object] | None:
    said = "".join((text or "").split())
    text = spoken = _HOUR_REFUSED.sub("，", said)
    cleaned = clean(said)
    if (
        cleaned
        and any(w in cleaned for w in _time_complaints())
        and not parse_clock(spoken)
        and not _day_or_half_day(parse_when(spoken, today))  # 八点太早了，有没有下午的
    ):
        # "太早了", "时间不对": the time is wrong but no new one is said: ask the hour again.
        return {"date": None, "clock": None, "session": None, "to": None, "time_again": True}
    instead = _NOT_THIS_BUT.search(spoken)
    if instead is not None:
        text = instead["said"]
    when = parse_when(text, today) or {}
    clock = parse_clock(text)
    found: dict[str, object] = {
        "date": when.get("date"),
        "clock": list(clock) if clock else None,
        "session": when.get("session"),
        "to": destination(text) or _place_to_go("".join((text or "").split())),
    }
    if any(found.values()):
        return found
    # Neither time nor destination: a pickup place said instead ("不是家里，是女儿家").
    at = _AT_PLACE.search(spoken)
    place = at["place"] if at is not None else instead["said"] if instead is not None else None
    return {**found, "place": place} if place else None
