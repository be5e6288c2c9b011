"""Dates and sessions ("明天上午", "下礼拜三", "十五号下午", "下个月三号") relative to today."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache
from typing import Any

from app.understanding import data
from app.understanding.festivals import festival_day, month_day, next_solar
from app.understanding.fuzzy import Matcher, is_han
from app.understanding.normalize import after_correction, clean
from app.understanding.numerals import NUM_CHARS, to_int

_N = f"[{NUM_CHARS}]+"
_DAY_END = "(?:号|日)"
_MONTH_DAY = re.compile(f"(?P<m>{_N})月份?(?P<d>{_N}){_DAY_END}?")
_NEXT_MONTH_DAY = re.compile(f"下个?月(?P<d>{_N}){_DAY_END}?")
_THIS_MONTH_DAY = re.compile(f"(?:这个?|本)月(?P<d>{_N}){_DAY_END}")
_DAY = re.compile(f"(?P<d>{_N}){_DAY_END}")
_LUNAR_WORDS = ("农历", "阴历", "老历")
#: Day words that also say the morning (明早 = tomorrow morning): an explicit afternoon wins.
_MORNING_DAYS = ("明早", "今早")
#: 后天不大后天 / 星期五哦下个星期五: a day said again right after 不 or 哦 replaces the first.
_SAID_AGAIN_DAY = re.compile(
    "(?<=天|[一二三四五六日])(?:不|哦|噢)(?=大后天|后天|明天|今天|下下?个?(?:礼拜|星期|周)|(?:礼拜|星期|周))"
)
_AFTER_DAYS = re.compile(f"(?P<n>{_N})天(?:以后|之后|后)|再?过(?P<k>{_N})天")
#: 一个礼拜以后 / 两个星期后 / 过一个礼拜: that many weeks from today.
_AFTER_WEEKS = re.compile(
    f"(?P<n>{_N})个?(?:礼拜|星期|周)(?:以后|之后|后)|过(?P<k>{_N})个?(?:礼拜|星期|周)"
)
_NEXT_WEEK = re.compile("下个?(?:礼拜|星期|周)(?![一二三四五六日天七两])")
#: An hour: 0-23 in digits or words (周四九点 is 九点 after the weekday 四, not "四九").
_HOUR = "[0-9]{1,2}|二十[一二三]?|十[一二三四五六七八九]?|[零一二两三四五六七八九幺]"
_CLOCK = re.compile(
    f"(?P<pre>上午|早上|早晨|凌晨|下午|中午|傍晚|晚上|夜里|夜晚|半夜)?(?P<h>{_HOUR})(?:点|时)(?P<post>钟|半)?"
)
#: Words before an hour that put it in the evening or the night (傍晚六点 = 18:00).
_EVENING = ("下午", "晚上", "傍晚", "夜里", "夜晚")


@cache
def _tables() -> dict[str, Any]:
    raw = data.load("when")
    weekday_chars = "".join(str(k) for k in raw.get("weekdays") or {})
    week_words = "|".join(str(w) for w in raw.get("week_words") or [])
    days = {clean(str(k)): int(v) for k, v in (raw.get("days") or {}).items()}
    return {
        "days": days,
        "days_re": re.compile("|".join(sorted(map(re.escape, days), key=len, reverse=True))),
        "weekdays": {str(k): int(v) for k, v in (raw.get("weekdays") or {}).items()},
        "week_re": re.compile(
            f"(?P<pre>下下个?|(?<!一)下个?|这个?|本)?(?:{week_words})(?P<w>[{weekday_chars}])"
        ),
        "am": [clean(w) for w in data.words("when", "am")],
        "pm": [clean(w) for w in data.words("when", "pm")],
        "vague": [clean(w) for w in data.words("when", "vague")],
        "busy": [clean(w) for w in data.words("when", "busy")],
        "no_preference": [w for w in (clean(x) for x in data.words("when", "no_preference")) if w],
        "corrections": re.compile(
            "|".join(
                re.escape(w)
                for w in sorted((clean(x) for x in data.words("when", "corrections")), key=len)[
                    ::-1
                ]
                if w
            )
            or "(?!)"
        ),
    }


@cache
def _vocabulary() -> tuple[Matcher, dict[str, str]]:
    """Time words for sound-alike repair, and explicit mis-hearings (``heard_as``)."""
    raw = data.load("when")
    words = [str(w) for w in raw.get("days") or {}]
    words += data.words("when", "week_words") + data.words("when", "am")
    words += data.words("when", "pm")
    entries = [(clean(w), clean(w)) for w in words if len(clean(w)) >= 2]
    heard = {
        clean(str(v)): clean(str(k)) for k, vs in (raw.get("heard_as") or {}).items() for v in vs
    }
    return Matcher(entries, fuzzy_min=2), heard


@cache
def _weekday_sound_alikes() -> tuple[re.Pattern[str], dict[str, str]]:
    """A weekday number heard as a sound-alike right after 礼拜/星期/周 (星期是 = 星期四)."""
    raw = data.load("when").get("weekday_heard_as") or {}
    table = {str(v): str(k) for k, vs in raw.items() for v in vs}
    week_words = "|".join(map(re.escape, data.words("when", "week_words")))
    alikes = "".join(map(re.escape, table)) or "(?!)"
    return re.compile(f"(?P<week>{week_words})(?P<n>[{alikes}])"), table


#: 不是明天，后天 / 不是礼拜三是礼拜四: the day right after 不是 is the one taken back.
_DENIED_DAY = re.compile(
    f"不是(?:{_N}月{_N}{_DAY_END}?|(?:下下个?|下个?|这个?)?(?:礼拜|星期|周).|{_N}{_DAY_END}"
    "|大后天|后天|明天|今天)(?:是)?"
)


def _repair(text: str) -> str:
    """Replace mis-heard time words by the real ones (numerals are never replaced)."""
    matcher, heard = _vocabulary()
    for wrong, right in heard.items():
        # 上五 for 上午, but not in 早上五点 (an hour after 早上)
        text = re.sub(f"(?<!早){re.escape(wrong)}(?![点时钟])", right, text)
    weekday, table = _weekday_sound_alikes()
    text = weekday.sub(lambda m: m["week"] + table[m["n"]], text)
    out = list(text)
    kept = [m.span() for m in _no_preference_re().finditer(text)]  # 尽早 is no 今早
    for hit in matcher.hits(text):
        span = text[hit.start : hit.end]
        if any(s < hit.end and hit.start < e for s, e in kept):
            continue
        if not hit.exact and all(is_han(c) and not re.match(f"[{NUM_CHARS}]", c) for c in span):
            out[hit.start : hit.end] = list(hit.label)
    return "".join(out)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _day_of_month(today: dt.date, day: int, months_ahead: int | None) -> dt.date | None:
    """``day`` of this month (or later); ``months_ahead`` fixes the month offset."""
    if not 1 <= day <= 31:
        return None
    offsets = [months_ahead] if months_ahead is not None else list(range(0, 13))
    for n in offsets:
        year, month = _add_months(today.year, today.month, n)
        if day > calendar.monthrange(year, month)[1]:
            continue
        candidate = dt.date(year, month, day)
        if months_ahead is not None or candidate >= today:
            return candidate
    return None


def _weekday(today: dt.date, prefix: str, weekday: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    if prefix.startswith("下下"):
        return monday + dt.timedelta(days=14 + weekday - 1)
    if prefix.startswith("下"):
        return monday + dt.timedelta(days=7 + weekday - 1)
    if prefix:
        return monday + dt.timedelta(days=weekday - 1)
    ahead = (weekday - 1 - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=ahead)


def _date(text: str, today: dt.date) -> dt.date | None:
    t = _tables()
    m = _MONTH_DAY.search(text)
    if m and (month := to_int(m["m"])) and (day := to_int(m["d"])):
        if not 1 <= month <= 12:
            return None
        if m[0].endswith(("号", "日")):  # 九月一号 is a solar date
            return next_solar(today, month, day)
        lunar = text[: m.start()].endswith(_LUNAR_WORDS)
        return month_day(today, month, day, said_lunar=lunar)
    for pattern, ahead in ((_NEXT_MONTH_DAY, 1), (_THIS_MONTH_DAY, 0)):
        m = pattern.search(text)
        if m and (day := to_int(m["d"])):
            return _day_of_month(today, day, ahead)
    m = t["week_re"].search(text)
    if m:
        prefix = m["pre"] or ""
        if not prefix and _NEXT_WEEK.search(text):  # 星期三下午，下个星期的
            prefix = "下"
        return _weekday(today, prefix, t["weekdays"][m["w"]])
    m = _DAY.search(text)
    if m and (day := to_int(m["d"])):
        return _day_of_month(today, day, None)
    # 元旦那天, 腊月初十; a numbered day said with a festival wins (过了元旦四号 = the 4th)
    named, day_named = festival_day(text, today)
    if named:
        return day_named
    m = _AFTER_DAYS.search(text)
    if m:
        word = m["n"] or m["k"]
        n = to_int(word)
        if n is not None and not (m["k"] and word in ("两", "二")):
            return today + dt.timedelta(days=n)
    m = _AFTER_WEEKS.search(text)
    if m and (weeks := to_int(m["n"] or m["k"])):
        return today + dt.timedelta(weeks=weeks)
    m = t["days_re"].search(text)
    if m:
        return today + dt.timedelta(days=t["days"][m.group(0)])
    return None


def _session(text: str) -> str | None:
    t = _tables()
    sessions: set[str] = set()
    for m in _CLOCK.finditer(text):
        hour = to_int(m["h"])
        pre = m["pre"] or ""
        if hour is None or hour > 23:
            continue
        if pre in ("上午", "早上", "早晨"):
            sessions.add("am")
        elif pre == "下午" or pre == "中午" and hour <= 5:
            sessions.add("pm")
        elif pre:
            continue
        elif hour == 1 and not m["post"]:
            continue  # 快一点 / 早一点 mean "a bit", not one o'clock
        elif 6 <= hour <= 11:
            sessions.add("am")
        elif 1 <= hour <= 5 or 13 <= hour <= 17:
            sessions.add("pm")
    am = [w for w in t["am"] if w in text]
    if am:
        sessions.add("am")
    if any(w in text for w in t["pm"]):
        sessions.add("pm")
    if sessions == {"am", "pm"} and all(w in _MORNING_DAYS for w in am):
        return "pm"  # 明早下午: 明早 names the day (tomorrow), 下午 the half-day
    return sessions.pop() if len(sessions) == 1 else None


def _session_with_the_day(clauses: str, today: dt.date) -> str | None:
    """Both half-days heard: the one said with the day counts (明天下午，我上午要去买菜), else
    the one not said as busy (明天嘛，下午，我上午要去地里)."""
    with_day = [c for c in clauses.split("|") if _date(c, today) is not None]
    session = _session(with_day[0]) if len(with_day) == 1 else None
    if session is None:
        free = [c for c in clauses.split("|") if not any(w in c for w in _tables()["busy"])]
        session = _session("|".join(free)) if len(free) < len(clauses.split("|")) else None
    return session


def _day_not_busy(clauses: str, today: dt.date) -> dt.date | None:
    """礼拜四我要去接孙子，礼拜五可以: of several days said in their own clauses, one said as
    busy, the last one not busy counts."""
    dated = [(c, _date(c, today)) for c in clauses.split("|")]
    dated = [(c, d) for c, d in dated if d is not None]
    busy = _tables()["busy"]
    if len(dated) < 2 or not any(any(w in c for w in busy) for c, _ in dated):
        return None
    free = [d for c, d in dated if not any(w in c for w in busy)]
    return free[-1] if free else None


def _date_and_session(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The day and session meant, the last said counting after a correction (不不, 不行).

    With a no-preference word (上午还是下午都行) nothing is corrected: both are allowed.
    """
    t = _tables()
    if t["corrections"].search(text) is None or _no_preference_re().search(text):
        return _date(text, today), _session(text)
    denied = _DENIED_DAY.search(text)
    if denied and _date(text[: denied.start()], today) is None:
        # 不是明天，后天: the day after 不是 is taken back; but in 下礼拜一，不是，下礼拜二
        # a day came first and 不是 takes that one back (the split below does it).
        text = text[: denied.start()] + "不是" + text[denied.end() :]
    parts = [p for p in t["corrections"].split(text) if p]
    found = [(_date(p, today), _session(p)) for p in parts] or [(None, None)]
    dated = [i for i, (d, _) in enumerate(found) if d is not None]
    start = dated[-1] if dated else 0
    sessions = [s for _, s in found[start:] if s is not None]
    date = found[dated[-1]][0] if dated else None
    return date, sessions[-1] if sessions else None


@cache
def _no_preference_re() -> re.Pattern[str]:
    words = sorted(_tables()["no_preference"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)) or "(?!)")


@cache
def _time_words() -> re.Pattern[str]:
    """Words that make an answer a time answer even without a day or session."""
    t = _tables()
    words = sorted({*t["vague"], *t["am"], *t["pm"], *t["no_preference"]} - {""}, key=len)
    return re.compile("|".join(map(re.escape, reversed(words))))


_CLAUSES = re.compile(r"[，,。.；;！!？?、]")


def _without_small_talk(text: str) -> str:
    """Drop the clauses that are chatter (今天天气好): a day word there is no answer."""
    words = data.words("when", "small_talk")
    return "，".join(c for c in _CLAUSES.split(text) if c and not any(w in c for w in words))


def _first_clause(text: str) -> str:
    """The words up to the first pause: what a correction says again (下午，我上午要买菜)."""
    return re.split(r"[，,。.；;！!？?、]", text, maxsplit=1)[0]


#: A clause of at most this many characters after clean-up can be a bare half-day (上午嘛).
_SESSION_ONLY = 3


def _next_clause_session(
    text: str, today: dt.date, first: dict[str, str | None]
) -> str | None:
    """The session of the clause after the first, when that clause names no day of its own
    or the same day again (后天，后天早上)."""
    rest = re.split(r"[，,。.；;！!？?、]", text, maxsplit=1)[1:]
    clause = _first_clause(rest[0]) if rest else ""
    said = parse_when(clause, today) if clause else None
    if said and said["date"] is not None and said["date"] == first.get("date"):
        return said["session"]
    if not clause or len(clean(clause)) > _SESSION_ONLY:
        return None  # 后天，我上午要买菜 tells why, not when
    return said["session"] if said and not said["date"] else None


def no_preference(text: str) -> bool:
    """Does the answer leave the time to us (随便, 越快越好, 你们定)?"""
    cleaned = clean("".join((text or "").split()))
    return any(w in cleaned for w in _tables()["no_preference"])


_SESSION_AFTER_GAP = re.compile(
    r"(?<=[\u4e00-\u9fff])\s+(?=(?:我|他|她)?(?:上午|下午|早上|中午|晚上)(?P<rest>\S*))"
)


def _busy_session_apart(text: str) -> str:
    """后天下午嘛 上午我要送孙子: a recogniser's gap before a half-day said as busy starts a
    new clause (the half-day said with the day, or the one not busy, counts)."""

    def apart(m: re.Match[str]) -> str:
        return "，" if any(w in m["rest"] for w in _tables()["busy"]) else m.group(0)

    return _SESSION_AFTER_GAP.sub(apart, text)


#: 星期五，不，星期六: a bare 不 between two pauses takes back the day before it.
_BARE_NO = re.compile(r"(?<=[，,。\s])不(?=[，,。\s])")


def parse_when(text: str, today: dt.date) -> dict[str, str | None] | None:
    """``{"date": ISO or None, "session": "am"/"pm"/None}``; ``None`` if nothing temporal.

    The recogniser's spaces are removed first ("明 天 桑 午" is 明天桑午 -> 明天上午).
    """
    text = _BARE_NO.sub("不对", text or "")
    spoken = _without_small_talk("".join(_busy_session_apart(text).split()))
    spoken = _SAID_AGAIN_DAY.sub("改成", spoken)
    cleaned = clean(spoken)
    if not cleaned:
        return None
    corrected = after_correction(spoken)
    if corrected != spoken:  # 后天上午，哦不，下午: the day stays, the session is said again
        before = parse_when(spoken[: len(spoken) - len(corrected)], today) or {}
        after = parse_when(_first_clause(corrected), today) or {}
        if after.get("date"):  # a day said again: a session said before it is dropped
            if after.get("session") is None:  # 后天，上午: the half-day in the next clause
                after = {**after, "session": _next_clause_session(corrected, today, after)}
            return after
        session = after.get("session") or before.get("session")
        merged = {"date": before.get("date"), "session": session}
        return merged if before or after else None
    clauses = _repair(cleaned)
    cleaned = clauses.replace("|", "")
    date, session = _date_and_session(cleaned, today)
    date = _day_not_busy(clauses, today) or date
    if date is not None and session is None:
        session = _session_with_the_day(clauses, today)
    if date is None and session is None and _time_words().search(cleaned) is None:
        return None
    return {"date": date.isoformat() if date else None, "session": session}


@cache
def _clock_words() -> list[tuple[str, tuple[int, int]]]:
    """(phrase, (hour, minute)) of grammars/when.yaml `clock_words`, longest phrase first."""
    found = []
    for clock, phrases in (data.load("when").get("clock_words") or {}).items():
        hour, minute = (int(x) for x in str(clock).split(":"))
        found += [(clean(str(p)), (hour, minute)) for p in phrases or [] if clean(str(p))]
    return sorted(found, key=lambda item: len(item[0]), reverse=True)


def _clock_word(cleaned: str) -> tuple[int, int] | None:
    """A time of day said without an hour: 晌午 / 中午 is noon, 晌午饭后 is 13:00."""
    return next((clock for phrase, clock in _clock_words() if phrase in cleaned), None)


_HALF = re.compile(
    "(?:点|时)(?:钟)?(?:过|零)?"
    f"(?:(?P<half>半)|(?P<early>差)?(?P<q>[一二两三123])刻|(?P<m>{_N})分?)"
)
#: 一刻 is a quarter of an hour: 八点一刻 8:15, 九点三刻 9:45, 八点差一刻 7:45.
_QUARTERS = {"一": 15, "1": 15, "二": 30, "两": 30, "2": 30, "三": 45, "3": 45}


def parse_clock(text: str) -> tuple[int, int] | None:
    """The clock time said, as (hour 0-23, minute): "早上八点" (8, 0), "下午两点半" (14, 30),
    "晚上七点" (19, 0), "八点" (8, 0); ``None`` when no hour is said. The words before
    the hour decide morning or afternoon, as in `parse_when`; without one, 1 to 5 o'clock
    is the afternoon (nobody books a car for 3 in the night)."""
    cleaned = _repair(clean("".join((text or "").split()))).replace("|", "")
    found = None
    for m in _CLOCK.finditer(cleaned):
        hour = to_int(m["h"])
        if hour is None or hour > 23 or (hour == 1 and not m["post"] and not m["pre"]):
            continue
        found = (m, hour)  # the last said counts (明天八点，不，九点)
    if found is None:
        return _clock_word(cleaned)
    m, hour = found
    pre = m["pre"] or ""
    afternoon = pre in _EVENING and hour < 12 or pre == "中午" and hour <= 5
    if pre == "半夜" and hour == 12:
        hour = 0
    if afternoon or not pre and 1 <= hour <= 5:
        hour += 12
    minute = 0
    tail = _HALF.match(cleaned, m.end("h"))
    if tail and tail["half"]:
        minute = 30
    elif tail and tail["q"]:
        minute = _QUARTERS[tail["q"]]
        if tail["early"]:  # 八点差一刻: a quarter before eight
            hour, minute = (hour - 1) % 24, 60 - minute
    elif tail and tail["m"] and (value := to_int(tail["m"])) is not None and value < 60:
        minute = value
    return hour % 24, minute
