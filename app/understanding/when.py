"""Dates and sessions ("明天上午", "下礼拜三", "十五号下午", "下个月三号") relative to today."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import cache
from typing import Any

from app.understanding import data
from app.understanding.festivals import (
    festival_day,
    festival_words,
    later_shift,
    later_shift_at,
    mention,
    mention_pattern,
    month_day,
    next_solar,
    said_as_past,
    shift_follows,
    shifted,
)
from app.understanding.fuzzy import Matcher, is_han
from app.understanding.market_days import AFTER_MARKET, market_day
from app.understanding.normalize import SEP, after_correction, alternation, clean, without_english
from app.understanding.numerals import NUM_CHARS, to_int
from app.understanding.people import relatives

_N = f"[{NUM_CHARS}]+"
_DAY_END = "(?:号|日)"
#: A day of the month in words or digits (三月三三月三: the recogniser's two sayings run
#: together are two days of three, not a day 三三).
_DAY_NUMBER = "(?:[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]|[0-9]{1,2})"
#: (not the weekday before it: 本周四七月十三日 is July, not month 47)
_MONTH_DAY = re.compile(f"(?<![周拜期])(?P<m>{_N})月份?(?P<d>{_DAY_NUMBER}){_DAY_END}?")
_NEXT_MONTH_DAY = re.compile(f"下个?月(?P<d>{_N}){_DAY_END}?")
#: (eighteenth round) 这个月二十八: the day said without 号 too (not 这个月两次)
_THIS_MONTH_DAY = re.compile(
    f"(?:这个?|本)月(?P<d>{_DAY_NUMBER})(?:{_DAY_END}|(?![{NUM_CHARS}个次回天遍]))"
)
_DAY = re.compile(f"(?P<d>{_N}){_DAY_END}")
_WEEKDAY = "(?:下下个?|下个?|这个?)?(?:礼拜|星期|周)[一二三四五六日天七1-7]"
#: Day words that also say the morning (明早 = tomorrow morning), with how many days ahead of
#: today they are: an explicit afternoon wins.
_MORNING_DAYS_AHEAD = {"今早": 0, "明早": 1, "后早": 2}
#: ... said as a day word (not the 后早 of 以后早上, a morning after some days).
_MORNING_DAY_WORD = "明早|今早|(?<![以之然往过最])后早"
_MORNING_DAY = re.compile(_MORNING_DAY_WORD)
_ANY_DAY = f"{_WEEKDAY}|{_N}(?:号|日)|大后天|后天|明天|今天|{_MORNING_DAY_WORD}"
_LUNAR_WORDS = ("农历", "阴历", "老历")
#: 后天不大后天 / 星期五哦下个星期五: a day said again right after 不 or 哦 replaces the first.
_SAID_AGAIN_DAY = re.compile(
    "(?<=天|[一二三四五六日])(?:不|哦|噢)(?=大后天|后天|明天|今天|下下?个?(?:礼拜|星期|周)|(?:礼拜|星期|周))"
)
#: 三天以后 / 三天过后 / 过两天 (not 一天后天, nor 后天再过一天: a day counted on from another
#: day).
_AFTER_DAYS = re.compile(
    f"(?P<n>{_N})天(?:以后|之后|过后|后(?!天))|(?<![天号])(?<![天号]再)再?过(?P<k>{_N})天"
)
#: (twenty-second round) A day refused after the day wanted was said (我说的是礼拜天！礼拜天！
#: 不是礼拜一，上午): not a correction to it. Only written as one word and closed by a mark:
#: the recogniser's "不是 后天" is as often "no, the day after".
_DAY_REFUSED_AFTER = re.compile(f"[，,。.！!？?\\s]不是(?:{_ANY_DAY})(?=[，,。.！!？?]|$)")
_DAY_NAMED = re.compile(_ANY_DAY)


def _without_day_refused_after(spoken: str) -> str:
    refused = _DAY_REFUSED_AFTER.search(spoken)
    if refused is None or not _DAY_NAMED.search(spoken, 0, refused.start()):
        return spoken
    return spoken[: refused.start()] + "，" + spoken[refused.end() :]


#: 一个礼拜以后 / 两个星期后 / 过一个礼拜 / 等一个礼拜再去: that many weeks from today.
_AFTER_WEEKS = re.compile(
    f"(?P<n>{_N})个?(?:礼拜|星期|周|拜)(?:以后|之后|过后|后)|(?:过|等)(?P<k>{_N})个?(?:礼拜|星期|周)"
)
_NEXT_WEEK = re.compile("下个?(?:礼拜|星期|周)(?![一二三四五六日天七两])")
_WEEK_AFTER_NEXT = re.compile("下下个?(?:礼拜|星期|周)(?![一二三四五六日天七两])")
#: An hour: 0-23 in digits or words (周四九点 is 九点 after the weekday 四, not "四九").
_HOUR = "[0-9]{1,2}|二十[一二三]?|十[一二三四五六七八九]?|[零一二两三四五六七八九幺]"
_CLOCK = re.compile(
    f"(?P<pre>上午|早上|早晨|凌晨|下午|中午|傍晚|晚上|夜里|夜晚|半夜)?(?P<h>{_HOUR})(?:点|时)(?P<post>钟|半|过)?"
)
#: 明天早点 / 礼拜三早些: "early" right after a day is its morning (早点就行 alone is no
#: preference).
_EARLY_ON_THE_DAY = re.compile(
    "(?:天|号|日|[一二三四五六])\\|?(?:早点|早些|早早)(?!就行|就好|都行)"
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
            f"(?P<pre>下下个?|(?<!一)下个?|这个?|本)?(?:{week_words})(?P<w>[{weekday_chars}])(?!个)"
        ),
        "am": [clean(w) for w in data.words("when", "am")],
        "pm": [clean(w) for w in data.words("when", "pm")],
        "vague": [clean(w) for w in data.words("when", "vague")],
        "busy": [clean(w) for w in data.words("when", "busy")],
        "no_preference": [w for w in (clean(x) for x in data.words("when", "no_preference")) if w],
        "restatements": re.compile(
            "|".join(map(re.escape, sorted(data.words("when", "restatements"), key=len)[::-1]))
            or "(?!)"
        ),
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


#: 十 heard as 是 / 事 between the tens digit and 号 (三是号 = 三十号).
_TEN_HEARD_AS_SHI = re.compile("(?<=[二三])[是事](?=[一二三四五六七八九]?[号日](?!码|子))")


@cache
def _day_number_sound_alikes() -> tuple[re.Pattern[str], dict[str, str]]:
    """A day or month number heard as a sound-alike before 号 / 日 / 月 (七月是号 = 七月四号)."""
    raw = data.load("when").get("day_number_heard_as") or {}
    table = {str(v): str(k) for k, vs in raw.items() for v in vs}
    others = "".join(re.escape(c) for c in table if c != "是") or "(?!)"
    tens = "".join(re.escape(c) for c, n in table.items() if n in "二三") or "(?!)"
    number = f"[一二三四五六七八九十{others}是]"
    day = f"(?:十{number}?|{number}十?{number}?)[号日](?!码|子)"
    ones = "[一二三四五六七八九]?[号日](?!码|子)"
    return (
        # only 二 and 三 take a 十 after them (山十号; 吃酒十号 is a feast, then the 10th)
        re.compile(
            f"(?:[{others}]|(?:(?<=[月|])|^)是)(?={ones}|月{day})|[{tens}](?=十{ones})"
            f"|[{tens}](?=[是事]{ones})"  # 山是号: 十 heard as 是 too (then made 十)
            f"|(?<=初)[{others}]"  # 初舞 = 初五
            "|(?<=十)是(?=[号日](?!码|子))"  # (twenty-second round) 十是号 = 十四号
        ),
        table,
    )


#: 不是明天，后天 / 不是礼拜三是礼拜四: the day right after 不是 is the one taken back.
_DENIED_DAY = re.compile(
    f"不是(?:{_N}月{_N}{_DAY_END}?|(?:下下个?|下个?|这个?)?(?:礼拜|星期|周).|{_N}{_DAY_END}"
    "|大后天|后天|明天|今天)(?:是)?"
)


@cache
def _heard_as_re() -> re.Pattern[str]:
    """Every mis-heard time word of ``heard_as``, longest first, in one pattern."""
    words = sorted(_vocabulary()[1], key=len, reverse=True)
    return re.compile(f"(?<!早)(?:{'|'.join(map(re.escape, words)) or '(?!)'})(?![点时钟])")


@cache
def _not_time_words() -> re.Pattern[str]:
    return re.compile(alternation(data.words("when", "not_time_words")) or "(?!)")


def _repair(text: str) -> str:
    """Replace mis-heard time words by the real ones (numerals are never replaced)."""
    matcher, heard = _vocabulary()
    # 上五 for 上午, but not in 早上五点 (an hour after 早上)
    text = _heard_as_re().sub(lambda m: heard[m.group(0)], text)
    weekday, table = _weekday_sound_alikes()
    text = weekday.sub(lambda m: m["week"] + table[m["n"]], text)
    day_number, numbers = _day_number_sound_alikes()
    text = day_number.sub(lambda m: numbers[m.group(0)], text)
    text = _TEN_HEARD_AS_SHI.sub("十", text)  # 山是号 (made 三是号 above) is 三十号
    out = list(text)
    kept = [m.span() for m in _no_preference_re().finditer(text)]  # 尽早 is no 今早
    kept += [m.span() for m in _not_time_words().finditer(text)]  # 闲在家 is no 现在
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


_LAST_DAY_NUMBER = re.compile(f"{_DAY_NUMBER}$")


def _said_again_before(number: str) -> int | None:
    """二十九二十九号: the day's number said twice (or begun again) before 号: the last one."""
    last = _LAST_DAY_NUMBER.search(number)
    return to_int(last.group(0)) if last and last.start() > 0 else None


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
    by_market, day_by_market = market_day(text, today)
    if by_market and (
        AFTER_MARKET.search(text) or not _DAY.search(text) and not t["week_re"].search(text)
    ):
        return day_by_market  # 五天一街，今天赶街，下一街那天 (十一号是街子天: the 11th)
    week = t["week_re"].search(text)
    if week and week.start():  # 八月十五过后那个礼拜六
        anchored = _weekday_from_anchor(text, today, week.start(), t["weekdays"][week["w"]])
        if anchored is not None:
            return anchored
    m = _MONTH_DAY.search(text)
    if m and festival_words().match(text, m.start()):
        m = None  # 二月二龙抬头: the festival's lunar day
    if m and (month := to_int(m["m"])) and (day := to_int(m["d"])):
        if not 1 <= month <= 12:
            return None
        if m[0].endswith(("号", "日")):  # 九月一号 is a solar date
            date = next_solar(today, month, day)
        else:
            lunar = text[: m.start()].endswith(_LUNAR_WORDS)
            date = month_day(today, month, day, said_lunar=lunar)
        return shifted(date, text, m.end()) if date else None  # 八月十五第二天
    for pattern, ahead in ((_NEXT_MONTH_DAY, 1), (_THIS_MONTH_DAY, 0)):
        m = pattern.search(text)
        if m and (day := to_int(m["d"])):
            return _day_of_month(today, day, ahead)
    m = t["week_re"].search(text)
    if m:
        weekday = t["weekdays"][m["w"]]
        prefix = m["pre"] or ""
        if not prefix and _NEXT_WEEK.search(text):  # 星期三下午，下个星期的
            prefix = "下下" if _WEEK_AFTER_NEXT.search(text) else "下"  # 下下个礼拜，礼拜四
        return shifted(_weekday(today, prefix, weekday), text, m.end())
    m = _DAY.search(text)
    if m and (day := to_int(m["d"]) or _said_again_before(m["d"])):
        date = _day_of_month(today, day, None)
        return shifted(date, text, m.end()) if date else None
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
        return shifted(today + dt.timedelta(days=t["days"][m.group(0)]), text, m.end())
    return None


#: 端午后面那个星期一 / 十五号以后的第一个礼拜一 / 国庆前头那个星期五: a weekday counted from
#: another day, said between that day's words and the weekday's.
_AFTER_ANCHOR = re.compile(
    "节?(?:那天)?(?:过后|以后|之后|后面|后头|过了|一过|后)(?:的|那个|那|第一个|头一个|个)*$"
)
_BEFORE_ANCHOR = re.compile(
    "节?(?:那天)?(?:之前|以前|前面|前头)(?:的|那个|那|最后一个|个|嘛|\\|)*$"
)


def _weekday_from_anchor(
    text: str, today: dt.date, start: int, weekday: int
) -> dt.date | None:
    """The weekday counted from a day said before it, or None when none is."""
    before = text[:start]
    for pattern, sign in ((_AFTER_ANCHOR, 1), (_BEFORE_ANCHOR, -1)):
        said = pattern.search(before)
        anchor = _date(before[: said.start()], today) if said and said.start() else None
        if anchor is not None:
            return _weekday_next_to(anchor, weekday, sign)
    named = mention(before, today)
    if (
        named is not None
        and named.date is not None
        and said_as_past(text[: named.start])  # 过了春节的第一个礼拜一
        and re.fullmatch("(?:的|那个|第一个|个)*", text[named.end : start])
    ):
        return _weekday_next_to(named.date, weekday, 1)
    return None


def _weekday_next_to(day: dt.date, weekday: int, sign: int) -> dt.date:
    """The first ``weekday`` after ``day`` (sign 1) or before it (sign -1)."""
    if sign > 0:
        return day + dt.timedelta(days=(weekday - 1 - day.weekday()) % 7 or 7)
    return day - dt.timedelta(days=(day.weekday() - weekday + 1) % 7 or 7)


_WEEKDAY_WORD = re.compile("(?:礼拜|星期|周)[一二三四五六日天七]")
#: 上下午都行 / 上午下午都得: either half-day will do (no half-day chosen).
_EITHER_HALF_DAY = re.compile(
    "上下午(?=都|随便|哪个|均|也)|(?:随便|哪个|不管)上下午|上午下午都|上午还是下午都|早上下午都"
    "|上午下午随便"
)
#: 后天上午后天好点: a day word starting after a half-day (上午|后天), not 午后 (afternoon).
_DAY_WORD_START = re.compile("(?=大后天|后天|明天)")


#: (seventeenth round) 只要不是下午 / 就是下午不行: one half-day refused, so the other is meant.
_HALF_DAY_REFUSED = re.compile(
    "(?:不是|不要)(?P<a>上午|下午)|(?P<b>上午|下午)(?:不行|不得|不去|不方便|不得空)"
)


def _session(text: str) -> str | None:
    t = _tables()
    refused = _HALF_DAY_REFUSED.search(text)
    if refused and not _CLOCK.search(text):
        afternoon = (refused["a"] or refused["b"]) == "下午"
        other, words = ("am", t["am"]) if afternoon else ("pm", t["pm"])
        if not any(w in text for w in words):
            return other  # 哪天都得，只要不是下午: the morning
    # 周五一早: the weekday goes first, so 五一 (May Day) is not read out of it
    text = festival_words().sub("|", _WEEKDAY_WORD.sub(r"\g<0>|", text))
    text = _DAY_WORD_START.sub("|", _EITHER_HALF_DAY.sub("|", text))
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
    if _EARLY_ON_THE_DAY.search(text):  # 明天早点 / 星期三早些: early that day
        am.append("早点")
    if am:
        sessions.add("am")
    if any(w in text for w in t["pm"]):
        sessions.add("pm")
    if sessions == {"am", "pm"} and all(w in _MORNING_DAYS_AHEAD for w in am):
        return "pm"  # 明早下午: 明早 names the day (tomorrow), 下午 the half-day
    if sessions == {"am", "pm"}:
        return _settled_half_day(text)
    return sessions.pop() if len(sessions) == 1 else None


_HALF_DAYS = re.compile("(?P<am>上午|早上)|(?P<pm>下午)")


def _settled_half_day(text: str) -> str | None:
    """上午 下午 哦 下午 下周二下午: of both half-days said, the one said last, when it was
    said again (the caller weighed both and settled); else neither."""
    found = list(_HALF_DAYS.finditer(text))
    if not found:
        return None
    ends = [m.start() for m in found[1:]] + [len(text)]
    free = [  # 上午下午哦下午下午，上午我要送孙女: the half-day said as busy is no choice
        "am" if m["am"] else "pm" for m, end in zip(found, ends, strict=True)
        if not _half_day_taken(text[m.start() : end])
    ]
    if len(free) < len(found) and free and free.count(free[-1]) >= 2:
        return free[-1]
    said = ["am" if m["am"] else "pm" for m in found]
    if not said or said.count(said[-1]) < 2 or not _answer_clause(text.replace("|", "")):
        return None  # 后天下午，老人上午要坐车来，赶不上上午: a reason, not a choice
    return said[-1]


#: 下周一或者下周二都得 / 明天后天都可以: either of two days will do.
_EITHER_DAY = re.compile(
    f"(?:{_ANY_DAY})\\|?(?:或者|或是|还是|或|和|跟)?(?:{_ANY_DAY})\\|?我?(?:都|也)"
    "(?:行|得|可以|要得|好|能去|能得|空着|有空|得空)"
    # (eleventh round) any day of a range (礼拜一到礼拜五哪天有号都得)
    f"|(?:{_ANY_DAY})(?:到|至)(?:{_ANY_DAY})(?:之间)?(?:哪天|随便|都)"
)
#: (sixteenth round) 哪天都不得空: no day free at all (not "any day").
_NO_DAY_FREE = re.compile(
    "(?:哪天|哪一天|什么时候|啥时候)都(?:不得空|没得空|没有空|没空|不行|不得闲|去不了|来不了|不方便)"
)
#: 明天不得空 / 后天我来不及: a day said only to be refused.
_ONLY_REFUSED = re.compile(
    f"(?:{_ANY_DAY})(?:我|他|她|就|都|也|我就|我都)?"
    "(?:不行|不得空|没得空|没有空|没空|来不及|不方便|有事|去不了|去不成|不得|不得闲|不去)了?"
)
#: 下周的今天 / 下个礼拜的今天: a week from today.
_SAME_DAY_NEXT_WEEK = re.compile("下个?(?:周|礼拜|星期)的?今天")
#: 这个月的月底，就最后一天 / 下个月最后一天: the month's last day.
_LAST_OF_MONTH = re.compile(
    "(?P<next>下个?月)?(?:这个?月|本月|月底)?[的就是那]*(?:月底)?[的就是那]*(?<=月|底|的|就|是|那)最后一天"
)
#: 这个月底 / 月底那天 / 下个月底: the month's last day (not 月底前, 月底左右).
_MONTH_END = re.compile(
    f"(?P<next>下个?)?(?:这个?|本)?月底(?:那天|那一天)?(?![前之以左])(?![的就是那吧嘛]*{_N}{_DAY_END})"
)
#: A weekday said with 下 (下周三) and later without it (周三下午要接孙子): the same week.
_NEXT_WEEKDAY = re.compile("下个?(?:礼拜|星期|周)[一二三四五六日天七]")
_BARE_WEEKDAY = re.compile("(?<![下这个上])(?=(?:礼拜|星期|周)[一二三四五六日天七])")


def _morning_of_another_day(cleaned: str, date: dt.date, today: dt.date) -> bool:
    """Is the only morning said the one of 明早 / 今早 / 后早 while the day meant is another?"""
    words = [m.group(0) for m in _MORNING_DAY.finditer(cleaned)]
    if not words:
        return False
    rest = _MORNING_DAY.sub("|", cleaned)
    own = {w: today + dt.timedelta(days=n) for w, n in _MORNING_DAYS_AHEAD.items()}
    return _session(rest) is None and all(own[w] != date for w in words)


def _said_plainly(text: str, today: dt.date) -> str:
    """Days said in words the day rules do not read, said plainly: a week from today, the
    month's last day (月底), a weekday said again without the 下 it was said with first."""
    text = _SAME_DAY_NEXT_WEEK.sub("七天以后", text)

    def last_day(m: re.Match[str]) -> str:
        year, month = _add_months(today.year, today.month, 1 if m["next"] else 0)
        day = calendar.monthrange(year, month)[1]
        return f"{month}月{day}号" if m["next"] else f"{day}号"

    text = _MONTH_END.sub(last_day, _LAST_OF_MONTH.sub(last_day, text))
    first = _NEXT_WEEKDAY.search(text)
    if first:
        text = text[: first.end()] + _BARE_WEEKDAY.sub("下", text[first.end() :])
    return text


#: 过几天再说 / 到时候再讲: the choice of a day put off.
#: 现在说不好 / 还没定: not decided yet.
_PUT_OFF = re.compile(
    "再说|再讲|再看|到时候再|(?<![天周拜期月])以后再|再打(?!电话改)|(?:过了|过完|完了|之后)再(?:去|来)"
    # (thirteenth round) "some while later", open-ended (过段时间嘛，现在地里头忙得很)
    "|过[一]?段时间|过一阵|过些时候|过阵子"
    "|说不好|说不准|定不下|定不了|还没定|没想好|还不晓得|不晓得哪天"
)
#: 医生说哪天就哪天 / 等我问下我儿子: the day left to someone else, who has not said it yet.
_LEFT_TO_OTHERS = re.compile(
    f"(?:医生|{relatives()})(?:说|讲|定)(?:哪天|什么时候)就(?:哪天|什么时候)"
    f"|(?:先|等我)问(?:问|一下|下)(?:我的?)?(?:医生|{relatives()})"
    # (eleventh round) 具体哪天我还要问问我儿子: the day still to be asked of someone
    f"|(?:还要|还得|要)问(?:问|一下|下)(?:我的?)?(?:医生|{relatives()})"
)
#: 下午好些 / 上午合适: a half-day said to suit the caller best.
_PREFERRED_SESSION = re.compile(
    "(?P<session>上午|下午|早上)(?:好些|好点|好一点|合适|方便|得空|有空|比较好|要好些|最好)"
    "|(?:就是要|就要|只要|最好是|只能|只有|只得)(?P<wanted>上午|下午|早上)"
    "|(?P<visit>上午|下午|早上)去?(?:看病|看医生|去医院|挂号|检查)"
)
_HALF_DAY_WORD = re.compile("上午|下午|早上|上半天|下半天")
_HALF_DAY_STARTS = re.compile("(?<!\\|)(?=上午|下午|早上|晚上|上半天|下半天)")


def _session_with_the_day(
    clauses: str, today: dt.date, date: dt.date | None = None
) -> str | None:
    """Both half-days heard: the one said with the day counts (明天下午，我上午要去买菜), else
    the one not said as busy (明天嘛，下午，我上午要去地里)."""
    preferred = {
        _session(m["session"] or m["wanted"] or m["visit"])
        for m in _PREFERRED_SESSION.finditer(clauses)
    }
    if len(preferred) == 1:  # 下周四，下午好些，上午我要吃药: the half-day said to suit
        return preferred.pop()
    parts = clauses.split("|")
    days = [_date(c, today) for c in parts]
    dated = [i for i, d in enumerate(days) if d is not None]
    # the clauses naming the day chosen (not 星期四上午不行 before 星期五)
    said = {
        s for s in (
            _untaken_session(parts[i]) for i in dated if len(dated) == 1 or days[i] == date
        )
        if s is not None
    }
    # 后天嘛，后天早上，下午我喘得凶: the one half-day said with a day
    session = said.pop() if len(said) == 1 else None
    if session is None:  # 10月8号，上午，那天……聚会在下午: the half-day said right after
        after = {
            _session(parts[i + 1]) for i in dated
            if i + 1 < len(parts) and len(parts[i + 1]) <= _SESSION_ONLY
            and _time_words().search(parts[i]) is None
            and _HALF_DAY_WORD.search(parts[i + 1])
        } - {None}
        session = after.pop() if len(after) == 1 else None
    if session is None:  # 明天早上越早越好我下午还要去: each half-day starts its clause
        pieces = _HALF_DAY_STARTS.sub("|", _EITHER_HALF_DAY.sub("|", clauses)).split("|")
        free = [c for c in pieces if not _half_day_taken(c)]
        session = _session("|".join(free)) if len(free) < len(pieces) else None
        if session is None and len(free) < len(pieces):
            # 后天上午……后天下午，上午要去社区领药: of both said, the one not said as busy
            taken = {_session(c) for c in pieces if c not in free} - {None}
            left = {_session(c) for c in free} - {None} - taken
            session = left.pop() if len(left) == 1 and taken else None
    if session is None and not _EITHER_HALF_DAY.search(clauses):
        # 上午吧，老人家下午容易犯困: a half-day answered alone first, the other told of after
        answered = [c for c in parts if _BARE_HALF_DAY.fullmatch(c)]
        if (
            len({_session(c) for c in answered}) == 1
            and clauses.startswith(answered[0])
            and not _ALSO_FINE.search(clauses)
        ):
            session = _session(answered[0])
    return session


def _untaken_session(clause: str) -> str | None:
    """The half-day of a clause, leaving out one said to be busy (明天早上雾大: none)."""
    pieces = _HALF_DAY_STARTS.sub("|", clause).split("|")
    free = [p for p in pieces if not _half_day_taken(p)]
    return _session("|".join(free) if len(free) < len(pieces) else clause)


def _half_day_taken(piece: str) -> bool:
    """Is this piece of an answer (each begins at a half-day word) said to be busy: a busy
    word, or the half-day with something to do in it (早上茶地要摘茶, 早上雾大路滑)?"""
    return any(w in piece for w in _tables()["busy"]) or _HALF_DAY_TAKEN.match(piece) is not None


#: 早上茶地要摘茶 / 早上雾大路滑 / 早上割胶: a half-day with the caller's work or a hindrance
#: in it (not 下午要去看病, going to the doctor then).
_HALF_DAY_TAKEN = re.compile(
    "(?:上午|早上|下午|晚上)[^|]{0,6}?(?:要(?!去?(?:看病|医院|挂号|检查|看医生|看))"
    "|割胶|摘茶|采茶|雾大|路滑|坐车|赶车"
    # (fourteenth round) what the caller cannot do then (早上我起不来, 上午我送不了他,
    # 上午我走路慢)
    "|起不来|[^|]不了|不得|不成|走路慢)"
)
#: 上午吧 / 就下午嘛 (嘛 already dropped): a half-day said alone as the answer.
_BARE_HALF_DAY = re.compile("(?:就|那就)?(?:上午|下午|早上|上半天|下半天)(?:吧|就好|就行|就得)?")
#: 下午也得 / 下午也可以: the other half-day said to do as well.
_ALSO_FINE = re.compile("(?:上午|下午|早上)(?:也|都)(?:得|行|可以|要得|成)")


#: Words saying the caller is free that day.
_FREE = ("得空", "有空", "得闲", "方便", "闲起")


def _day_not_busy(clauses: str, today: dt.date) -> dt.date | None:
    """礼拜四我要去接孙子，礼拜五可以: of several days said in their own clauses, one said as
    busy, the last one not busy counts."""
    # 十八号我有事二十号下午: a recogniser writes no pause; a busy word ends its clause (and
    # busy words close together end it once: 约我下棋明天下午, not 约我|下棋明天下午).
    clauses = _busy_run_re().sub(lambda m: m.group(0) + "|", clauses)
    # 等到十号过后，十一号上午: a day said as the one to wait past is not the day meant.
    clauses = _PAST_DAY.sub(lambda m: m.group(0) + "|", clauses)

    def taken(clause: str) -> bool:
        return _busy_re().search(clause) is not None or _PAST_DAY.search(clause) is not None

    said = [  # 明天也不去后天去: the day said last after one refused, in its clause
        (c, d) for c in clauses.split("|") if (d := _date_and_session(c, today)[0]) is not None
    ]
    dated = [  # 一月三号，星期一: the weekday of the day said is no other day
        (c, d) for i, (c, d) in enumerate(said) if not _weekday_of(c, d, said[:i])
    ]
    if len(dated) >= 2 and not any(taken(c) for c, _ in dated):
        # 我孙女明天要考试……后天上午我得空: the day said to be free
        free = [d for c, d in dated if any(w in c for w in _FREE)]
        return free[-1] if len(set(free)) == 1 else None
    if len(dated) < 2:
        return None
    free = [d for c, d in dated if not taken(c)]
    return free[-1] if free else None


def _date_and_session(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The day and session meant, the last said counting after a correction (不不, 不行).

    With a no-preference word (上午还是下午都行) nothing is corrected: both are allowed.
    """
    t = _tables()
    if t["corrections"].search(text) is None or _no_preference_re().search(text):
        said = [d for d in (_date(p, today) for p in t["restatements"].split(text)) if d]
        if said and _day_taken_back_for_any(text):
            return None, _session(text)  # 明天——不是，哪天都行: no day after all
        return (said[-1] if said else None), _session(text)
    denied = _DENIED_DAY.search(text)
    if denied and _date(text[: denied.start()], today) is None:
        # 不是明天，后天: the day after 不是 is taken back; but in 下礼拜一，不是，下礼拜二
        # a day came first and 不是 takes that one back (the split below does it).
        text = text[: denied.start()] + "不是" + text[denied.end() :]
    parts = [p for p in t["corrections"].split(text) if p]
    # (sixteenth round) 周五上午，不对，下午，上午我要上班: a half-day said again as busy after
    # the correction is no choice
    found = [(_date(p, today), _untaken_session(p) or _session(p)) for p in parts] or [(None, None)]
    dated = [i for i, (d, _) in enumerate(found) if d is not None]
    start = dated[-1] if dated else 0
    sessions = [s for _, s in found[start:] if s is not None]
    date = found[dated[-1]][0] if dated else None
    if date is not None:  # 不行，一号我要吃席，二号嘛: after a correction the last day said
        date = _last_said(parts[start], today) or date
    if date is not None and len(dated) > 1:  # 九月一号不行，二号嘛: the month said before
        date = _month_carried(parts[start], found[dated[-2]][0], today) or date
    if date is not None:  # 火把节那天不去，第二天去: the day after the one refused
        shift = next((n for p in parts[start + 1 :] if (n := later_shift(p))), None)
        date += dt.timedelta(days=shift or 0)
    if not sessions and date is not None:  # 后天下午，上午我要送孙子: both, one taken
        rest = text[text.rfind(parts[start]) :]
        sessions = [s for s in [_session_with_the_day(rest, today, date)] if s is not None]
    if not sessions and date is not None:  # 十二月三十号下午……那就三十号吧: said again
        sessions = [s for d, s in found[:start] if d == date and s is not None]
    return date, sessions[-1] if sessions else None


_PAST_DAY = re.compile(
    "(?:过后|以后|之后|过了)(?!那|第|的|头一|个|后一天|都|也|随便|礼拜|星期|周|就(?:去|来))"
)


_SAID_DAY = re.compile(f"{_ANY_DAY}")


def _day_taken_back_for_any(text: str) -> bool:
    """A day said, taken back (不是, 不对), then any day: the last no-preference word comes
    after a correction that comes after the last day said."""
    days = list(_SAID_DAY.finditer(text))
    any_day = list(_no_preference_re().finditer(text))
    if not days or not any_day:
        return False
    taken_back = _tables()["corrections"].search(text, days[-1].end())
    return taken_back is not None and taken_back.end() <= any_day[-1].start()


def _last_said(part: str, today: dt.date) -> dt.date | None:
    """The day said last in ``part`` when it names more than one, else None."""
    found = _last_said_at(part, today)
    return found[0] if found else None


def _last_said_at(part: str, today: dt.date) -> tuple[dt.date, int] | None:
    """The day said last in ``part`` and where it is said, when ``part`` names more than one."""
    spans = [m.span() for m in _MONTH_DAY.finditer(part)]
    starts = [
        m.start() for m in _SAID_DAY.finditer(part)
        if not any(s < m.start() < e for s, e in spans)
    ]
    starts = sorted({*starts, *(s for s, _ in spans)})
    if len(starts) < 2:
        return None
    last = _date(part[starts[-1] :], today)
    week = _tables()["week_re"].match(part, starts[-1])
    before = _date(part[starts[-2] : starts[-1]], today)
    if week and not week["pre"] and last and before and before.weekday() == last.weekday():
        return before, starts[-2]  # 那就七月十九号，星期一: the weekday of the day said
    return (last, starts[-1]) if last else None


def _only_going(clause: str) -> bool:
    """七号去医院 / 二十六号嘛 / 明天下午: the day said with nothing but going, a particle or
    its half-day or hour (not 后天过节, 二号我孙子回来)."""
    return _GOING.fullmatch(_CLOCK.sub("", _besides_the_day(clause))) is not None


def _besides_the_day(clause: str, *, festivals: bool = False) -> str:
    """What the clause says besides its days and half-days (and, with ``festivals``, its
    festivals, taken out before the half-days: 端午后面 is no 午后, 周五一早 holds no 五一)."""
    t = _tables()
    days = (_MONTH_DAY, _DAY, t["week_re"], t["days_re"])
    for pattern in (*days, *((festival_words(),) if festivals else ()), _half_day_words()):
        clause = pattern.sub("", clause)
    return clause


#: What may be said with the day chosen: going there (taken there by someone), a particle.
_GOING = re.compile(
    "(?:那天|那一天)?(?:就)?(?:(?:他|她|我|他们)?(?:说)?(?:带|陪|拉|送|接)"
    "(?:我|老人家|老人|我妈|我爸|我奶奶|我爷爷|他|她)?)?"
    "(?:去|来|过来|去医院|医院去|看病|去看|看)?(?:嘛|吧|呢|哦)?"
)
#: 过后 / 之前 / 前头: a day said as the point another is counted from.
_COUNTED_FROM = re.compile("过后|以后|之后|后面|后头|前头|前面|之前|以前")


def _last_of_one_clause(clauses: str, today: dt.date) -> dt.date | None:
    """十月六号回来七号去医院 / 二十五号客才走二十六号嘛: an answer the recogniser wrote without a
    pause, naming several days: the one said last, unless words after it make it busy."""
    if SEP in clauses:
        return None
    found = _last_said_at(clauses, today)
    if found is None or _busy_re().search(clauses, found[1]) is not None:
        return None
    date, start = found
    if _COUNTED_FROM.search(clauses, 0, start):
        return None  # 八月十五过后那个礼拜六: a weekday counted from a day, one day
    if clauses[:start].endswith(("是", "就是")) or not _only_going(clauses[start:]):
        return None  # 街子天是礼拜五 tells what day something is; 后天过节 is a reason
    first = _date(clauses[:start], today)
    if first is not None and first.weekday() == date.weekday() and abs((first - date).days) < 7:
        return None  # 下礼拜二二十二号: a weekday and its date, one day
    if first is not None and _MONTH_DAY.search(clauses, 0, start):
        return _month_carried(clauses[start:], first, today) or date  # 十月六号回来七号去
    return date


def _counted_on(clauses: str, today: dt.date, date: dt.date) -> dt.date:
    """这个礼拜天我姑娘回来，她回来第二天去 / 她周日晚上回来，第二天一早带她去: a clause after
    the day's own, with no day of its own, going there the day after (or a few days on)."""
    parts = clauses.split(SEP)
    dated = [(i, d) for i, p in enumerate(parts) if (d := _date(p, today)) is not None]
    if not dated or dated[-1][1] != date:
        return date
    after = parts[dated[-1][0] + 1 :]
    said = parts[dated[-1][0]]
    days = list(_SAID_DAY.finditer(said))
    if days and not shift_follows(said, days[-1].end()):  # 周日晚上回我妈那儿第二天一早带她去
        after.insert(0, said[days[-1].end() :])  # (its own day's count, 周日第二天, is in it)
    for part in after:
        shift = later_shift_at(part)
        if shift is not None and _GOES.search(part, shift[1]) and "回" not in part[shift[1] :]:
            return date + dt.timedelta(days=shift[0])
    return date


_GOES = re.compile("去|克|来看|过来")
#: 礼拜四是街子天: a day said to be something, not the day chosen.
_DAY_IS = re.compile(f"(?:{_ANY_DAY})(?:是|就是)")
#: What an answer clause may hold besides its day and half-day (后天去, 就后天上午嘛).
_ANSWER_LEFTOVER = 4
_CONDITION = re.compile("要是|如果|假如|万一|没得号|没有号")


@cache
def _half_day_words() -> re.Pattern[str]:
    """Every word of a half-day (上午, 吃过早饭, 午饭后): 后天吃过早饭去 just says a day."""
    t = _tables()
    return re.compile(alternation({*t["am"], *t["pm"], "上半天", "下半天"} - {""}))


def _answer_clause(clause: str) -> bool:
    """Does the clause just say a day (就后天上午嘛), not a reason naming one (中秋要在家团圆)
    or what the day is (礼拜四是街子天)?"""
    bare = _besides_the_day(clause, festivals=True)
    if _DAY_IS.match(clause) and len(bare) > 2:
        return False
    short = len(bare) <= _ANSWER_LEFTOVER or _GOING.fullmatch(bare) is not None
    return short and not _CONDITION.search(clause)


def _last_said_clause(clauses: str, today: dt.date) -> dt.date | None:
    """明天街子天，我要卖茶，后天去: of days said in their own clauses, the last, when its
    clause just says a day (a later clause giving a reason, 中秋要在家团圆, or a condition,
    要是没得号就后天, does not count; nor a weekday said of the day before it)."""
    parts = clauses.split(SEP)
    dated_at = [(i, c, d) for i, c in enumerate(parts) if (d := _date(c, today)) is not None]
    dated = [(c, d) for _, c, d in dated_at]
    if len({d for _, d in dated}) < 2:
        return None
    clause, last = dated[-1]
    if any(later_shift(c) for c in parts[dated_at[-1][0] + 1 :]):
        return None  # 火把节，就是六月二十五那天，过后第三天去: counted on from that day
    if _weekday_of(clause, last, dated[:-1]):
        return None  # 四月二号，星期五: the weekday of the day said
    if _answer_clause(clause):
        return last
    # 礼拜五嘛，礼拜四是街子天: the day answered just before one said to be something
    before, day = dated[-2]
    if _DAY_IS.match(clause) and day != last and _answer_clause(before):
        return None if _REFUSING.search(before) else day
    return None


def _weekday_of(clause: str, date: dt.date, before: list[tuple[str, dt.date]]) -> bool:
    """Is the clause only a weekday (no 下 / 这) that a day said before it falls on?"""
    week = _tables()["week_re"].fullmatch(clause)
    return bool(week and not week["pre"] and any(d.weekday() == date.weekday() for _, d in before))


def _month_carried(part: str, before: dt.date | None, today: dt.date) -> dt.date | None:
    """A bare day (二号) said after a day with its month (九月一号): that day of the month."""
    m = ([None, *_DAY.finditer(part)])[-1]  # the last said
    if before is None or m is None or _MONTH_DAY.search(part) or _NEXT_MONTH_DAY.search(part):
        return None
    day = to_int(m["d"])
    try:
        carried = before.replace(day=day) if day else None
    except ValueError:
        return None
    return carried if carried is not None and carried >= today else None


@cache
def _busy_re() -> re.Pattern[str]:
    words = sorted(_tables()["busy"], key=len, reverse=True)
    # 初八上班了再去: the day work starts again is when, not a day taken
    if not words:
        return re.compile("(?!)")
    return re.compile(f"(?:{'|'.join(map(re.escape, words))})(?!了再|了以后|以后再|过后)")


@cache
def _busy_run_re() -> re.Pattern[str]:
    """Busy words close together, one errand (约我下棋)."""
    busy = _busy_re().pattern
    return re.compile(f"(?:{busy})(?:\\w{{0,2}}?(?:{busy}))*")


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


_CLAUSES = re.compile(r"[，,。.；;！!？?、]|—+")


_ECHOED = re.compile(r"[^，,。.；;！!？?、]+[?？](?=.*[^?？\s])")


def _without_small_talk(text: str) -> str:
    """Drop the clauses that are chatter (今天天气好): a day word there is no answer."""
    words = data.words("when", "small_talk")
    kept = [c for c in _CLAUSES.split(text) if c and not any(w in c for w in words)]
    days = [m.group(0) for m in _SAID_DAY.finditer(text)]
    if kept or (len(set(days)) < 2 and len(days) < 2):
        return "，".join(kept)
    # 天气预报说礼拜四就晴了 那就礼拜四嘛: the day said again is the answer
    # 明天不行明天说是要下雨后天嘛: no pause to drop a clause at; only the chatter goes
    return re.sub("|".join(map(re.escape, words)), "", text)


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
    # (not after 莫要 / 不要 / 别: 下午 莫 要 上午 refuses the morning)
    r"(?<=[\u4e00-\u9fff])(?<!莫\s要)(?<!不\s要)(?<![莫别要])\s+(?=(?:我|他|她)?(?:上午|下午|早上|中午|晚上)(?P<rest>(?:(?!上午|下午|早上|中午|晚上).)*))"
)


def _busy_session_apart(text: str) -> str:
    """后天下午嘛 上午我要送孙子: a recogniser's gap before a half-day said as busy starts a
    new clause (the half-day said with the day, or the one not busy, counts)."""

    def apart(m: re.Match[str]) -> str:
        rest = clean("".join(m["rest"].split()))  # 我 要 克 茶地: 克 is 去
        return "，" if any(w in rest for w in _tables()["busy"]) else m.group(0)

    return _SESSION_AFTER_GAP.sub(apart, text)


#: 现在冷得很 / 现在退休了: "now" telling how things are, not when to go (现在就去, 现在
#: 可以, 现在上午 are a day).
_NOW_NOT_A_DAY = re.compile(
    "现在(?!(?:我|他|她|我们)?(?:就(?!我一个|他一个|她一个|一个人|剩)|马上|立刻|赶紧|去|走(?!路)|来|过|可以|行|得|有|要|想|挂|看|上午|下午"
    "|早上|中午|\\||$))"
)
#: 星期五，不，星期六: a bare 不 between two pauses takes back the day before it (not the
#: recogniser's gap inside 不 行, nor inside a verb's 不 and its complement: 起 不 来, 走 不
#: 开, 来 不 及).
_BARE_NO = re.compile(
    r"(?<=[，,。\s…])不(?=[，,。\s])"
    r"(?!\s*(?:[行得要去了能用可好会方来开及上着动成到起完住清见懂赢]|下(?!\s*[个周礼星])))"
)


#: 我五点就醒了 / 六点钟起床: an hour the caller wakes or sleeps, not the time to go.
_WOKE_AT = re.compile(
    f"(?:{_HOUR})\\s*点\\s*(?:钟)?\\s*(?:就|都|才)?\\s*(?:醒|起来|起床|睡|睡觉|睡不着)"
)
#: 我天天都是星期天: every day a holiday (retired), no weekday meant.
_EVERY_DAY_A_SUNDAY = re.compile(
    "天天(?:都)?(?:是|像|过)(?:星期天|礼拜天|星期日|周末)"
    # (thirteenth round) "the 1st or the 15th, all the same" (any day)
    "|初一十五都(?=一样|行|得|可以)"
)
#: 拜六 for 礼拜六, 礼 dropped (not 下拜, repaired to 下礼拜 with the sound-alikes).
_BAI_FOR_LIBAI = re.compile("(?<![礼下做朝参里你李])拜(?=[一二三四五六日天](?![拜年]))")
#: 后天的，: "the one of the day after tomorrow", its clause closed (no 后天的后天 with the next).
_DAYS_ONE = re.compile("(?<=天)的(?=\\s*[，,。.；;！!、])")
#: 今天礼拜天，明天就去 / 明天礼拜三: a weekday said of a day word says what day that is.
_WEEKDAY_SAID_OF = re.compile(
    f"(?P<day>大后天|后天|明天|今天|{_N}(?:号|日))(?:是|就是|刚好是|正好是)?{_WEEKDAY}"
)
#: 哪天都行，就是莫要礼拜天 / 除了礼拜天都得 / 莫要下午 / 莫给我整到下午去 (莫 is 别 after
#: the clean-up): a day or half-day refused.
_REFUSED = re.compile(
    f"(?:(?P<before>^|\\||就是|但是|只是|只要|就|反正|都行|都得|都可以|(?<=午|上))"
    "(?:莫要|不要|莫|别|不能是|莫是)(?:给我|给他|给她)?(?:整|排|弄|安排|放|搞)?(?:到|在|成)?"
    "|除了|除开)(?:是)?"
    f"(?:(?P<day>{_ANY_DAY})|(?P<session>上午|下午|早上))"
)


#: 今天是元宵节 / 今天十五号 / 中秋节是十五号吧: what a day is, said as a fact, not as the
#: day wanted (dropped when another day is said).
_TODAY_IS = re.compile("今天(?:是|就是|刚好是|正好是)?(?=.)")
#: 国庆之前都行: a day before which any day will do leaves the choice to us.
_DEADLINE = re.compile(
    f"(?:{_ANY_DAY}|[\u4e00-\u9fff]{{2,3}}节?)(?:之前|以前|前头|前面)(?:去|来)?(?=\\|?(?:都|随便|哪天))"
)


@cache
def _reference_points() -> re.Pattern[str]:
    """五一过了随便哪天 / 国庆节前后都得 / 过了初五就都得了: beside "any day", a day said
    only as the point after (or around) which any day will do names no day."""
    festival = festival_words().pattern
    day = f"(?:{_ANY_DAY}|{festival}|初[一二三四五六七八九十]+|[{NUM_CHARS}]+月[{NUM_CHARS}]+)"
    return re.compile(
        f"{day}节?(?:那天|那几天)?(?:刚|一)?(?:过了|过后|以后|之后|前后|放完|过完)"
        f"|(?:过了|出了|过完)(?:年)?{day}(?:节)?"
        f"|(?:{festival})节?(?:刚过|过了|放完|前头|之前|还没到|没到)"
    )


@cache
def _before_festival() -> re.Pattern[str]:
    """中秋前 / 国庆之前 (not 中秋前一天, 中秋前头那天): a festival said as a deadline."""
    return re.compile(
        f"(?:{festival_words().pattern})节?(?:之前|以前|前)(?![一两二三四五六七几头面那])"
    )


def _without_weekday_said_of(text: str, today: dt.date) -> str:
    """The weekday said of a day word dropped; 今天礼拜天 / 今天是元宵节 dropped whole when
    another day is said (it tells what today is, not when); a day said as a deadline
    before which any day will do (国庆之前都行) dropped."""
    def drop(m: re.Match[str]) -> str:
        rest = text[: m.start()] + text[m.end() :]
        if m["day"] == "今天" and _date(rest, today) is not None:
            return ""
        return m["day"]

    text = _WEEKDAY_SAID_OF.sub(drop, text)
    # 中秋节是十五号吧，那中秋节前一天: the festival's date said as a fact
    text = re.sub(
        f"(?P<f>{festival_words().pattern})(?:是|就是)(?:{_N}月)?{_N}{_DAY_END}",
        lambda m: m["f"], text,
    )
    today_is = _TODAY_IS.search(text)
    if today_is:
        said = _date(text[today_is.end() :], today)
        if said == today:  # 今天是元宵节 / 今天是十五号
            rest = text[: today_is.start()] + text[today_is.end() :]
            for pattern in (mention_pattern(), _DAY):
                first = pattern.search(rest, today_is.start())
                if first and first.start() == today_is.start():
                    rest = rest[: first.start()] + rest[first.end() :]
                    break
            if _date(rest, today) is not None:
                text = rest
    if _no_preference_re().search(text):
        text = _DEADLINE.sub("", _reference_points().sub("", text))
    before = _before_festival().sub("", text)
    if before != text and _date(before, today) is not None:
        text = before  # 中秋前嘛，后天上午: the festival is a deadline, the day is said
    return text


#: 不是上午，下午: the answer opens by refusing a half-day.
_NOT_THAT_HALF_DAY = re.compile("^(?P<before>)不是(?P<session>上午|下午|早上)")
_REFUSED_AFTER = re.compile(
    f"(?:{_ANY_DAY})(?:那天)?(?:我|他|她|我们)?"
    "(?=来不及|赶不上|赶不及|不得空|没得空|没空|有事|不去|不克|去不了|去不成|来不了|来不赢|赶不赢|走不了)"
)


#: 明天早上不行，下午嘛: a half-day refused after it is said.
_SESSION_REFUSED = re.compile(
    "(?P<session>上午|早上|下午)(?=不行|不得|不得空|没得空|没空|有事|来不及|不方便|太早|太晚|赶不上|车堵|堵车"
    "|去不了|去不成|来不了|不得去"
    # (eleventh round) too cold to go out in it (早上冻得很, 早上不敢出门)
    "|冻得很|太冷|冷得很|不敢出门|出不了门)"
)


def _without_refused(text: str, today: dt.date) -> tuple[str, str | None]:
    """The text without the days refused, and the half-day refused ("am"/"pm") if one is."""
    refused: list[str] = []
    days: list[str] = []

    def drop(m: re.Match[str]) -> str:
        if m["session"]:
            refused.append("pm" if m["session"] == "下午" else "am")
        elif m["day"]:
            days.append(m["day"])
        return (m["before"] or "") + "|"

    text = _REFUSED.sub(drop, text)
    text = _NOT_THAT_HALF_DAY.sub(drop, text)
    for day in days:  # 不要礼拜天，礼拜天我孙子回来，礼拜一嘛: refused, said again with why
        kept = text.replace(day, "|")  # (哪天都行，就是不要礼拜三，礼拜三我要打针: any other)
        if kept != text and (_date(kept, today) is not None or _no_preference_re().search(kept)):
            text = kept
    # 不是今天，是明天，今天来不及了: a day said as too soon or taken, with another day said
    refused += [  # 礼拜三下午不行，礼拜五: another day said after it, that day counts
        "pm" if m["session"] == "下午" else "am"
        for m in _SESSION_REFUSED.finditer(text)
        if _date(text[m.end() :], today) is None
    ]
    kept = _REFUSED_AFTER.sub("|", text)
    if kept != text and _date(kept, today) is not None:
        text = kept
    return text, (refused[-1] if refused else None)


#: 十 十号 / 二 二十号: a number the recogniser wrote once begun, once said whole.
_STUTTERED_NUMBER = re.compile(  # (not a weekday's number: 下 礼 拜 二 二 十 二 号)
    f"(?<!\\S)(?<!拜\\s)(?<!期\\s)(?<!周\\s)([{NUM_CHARS}]+)\\s+(?=\\1)"
)


#: Kunming says 下 as ha (一哈 for 一下): 后天哈五 is 后天下午 (not 哈 then five o'clock).
_HA_WU = re.compile(r"哈\s*午|哈\s*五(?!\s*[点号个月岁块十])")
#: 十二好上午: 号 heard as 好 after a day's number, before a half-day or the end.
_HAO_FOR_DAY = re.compile(
    "(?<=[一二三四五六七八九十])好(?=\\s*(?:上\\s*午|下\\s*午|早\\s*上|尚\\s*午|那\\s*天|[，,。]|$"
    # (thirteenth round) the day said again (十 八 好 十 八 好 下 午)
    "|[一二三四五六七八九十]\\s*[一二三四五六七八九十]?\\s*好))"
)
#: 石点 / 石二号: 十 heard as 石 before the hour's 点 or a day's 号.
#: (fourteenth round) 今 / 明 / 大后 with a half-day right after: the recogniser dropped
#: 天 (明 上午 吧, 大后 下午 嘛); not 清明, 如今, 至今.
_TIAN_DROPPED = re.compile(
    "(?<![清如至])(今|明|大后)(?=上午|下午|早上|中午|晚上|上半天|下半天|晚些|早点)"
)
_SHI_FOR_TEN = re.compile("石(?=\\s*点|\\s*[一二三四五六七八九]?\\s*[号日])")
#: 八月 八月二号 / 一月，一月五号: a month said, then said again with its day.
_MONTH_SAID_TWICE = re.compile(
    "(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,2}月)[，,、]?(?=\\1)"
)
#: 过了初五就去: said the other way round, as 初五过了就去 (the day after it).
_PASSED_THEN = re.compile("过了(?P<day>[^\\s，,。.！!？?]{2,5}?)就(?=去|来|克)")
#: 改后天上午 / 改下礼拜: moved to the day said after it.
_MOVED_TO = re.compile("改(?=大后天|后天|明天|下个|下礼拜|下周|下星期|礼拜|星期|周)")
_NEW_YEAR_SAID = re.compile("过年|过完年|过了年|年过完|春节|大年|新年|年三十")
#: A bare 初三 (not 正月初三, 月初, 当初 ...): where 正月 goes when the new year was named.
_BARE_NEW_YEAR_DAY = re.compile("(?<![月当最起正腊冬])(?=初[一二三四五六七八九十])")


def parse_when(text: str, today: dt.date) -> dict[str, str | None] | None:
    """``{"date": ISO or None, "session": "am"/"pm"/None}``; ``None`` if nothing temporal.

    The recogniser's spaces are removed first ("明 天 桑 午" is 明天桑午 -> 明天上午).
    """
    found = _parse_when(text, today)
    placed = _PLACED_AFTER.search(text)
    if placed and placed.start() and not _MAY_REFUSE.search(text[: placed.start()]):
        before = _parse_when(text[: placed.start()], today)
        if before and before["date"] and not (found and (found["date"] or "") >= before["date"]):
            return before  # (eighteenth round) 十月八号上午，过了国庆: the day, placed after one
    if found and found["date"] and _MAY_REFUSE.search(text):
        # a bare 不 between pauses refuses as 不对 does (后天上午 不 大后天上午)
        said = _BARE_NO.sub("不对", text)
        other = _instead_of_refused(said, today, dt.date.fromisoformat(found["date"]))
        if other is not None:
            return {**found, "date": other.isoformat()}
    return found


#: ……，过了国庆 / ……，国庆以后 / ……，元旦过了再去: a last clause placing the day said after
#: another day.
_PLACED_AFTER = re.compile(
    r"[，,。.\s]+(?:(?:过了|过完)[^，,。.\s]{1,5}|[^，,。.\s]{1,5}(?:过后|以后|之后|过了(?:再去|再来)?))"
    r"[。.！!\s]*$"
)
#: Words without which no day is refused (the check below is skipped: it reads the answer
#: again).
_MAY_REFUSE = re.compile("不|没空|没得空|来不及|sorry", re.IGNORECASE)
#: A day refused where it is said (后天不得, 十二号哦不是, 礼拜一不得, 二十号不对).
_REFUSING = re.compile(
    "(?:上午|下午|早上)?(?:我|他|她|我们|就|也|都|那天)*\\|?(?:哦|噢|嗯)?(?:不得|不行|不对|不是|不去|不克"
    "|克不成|去不成|去不了|来不赢|不不|不(?=这个|那个)|(?i:sorry)"
    "|没空|没得空|不得空|没有空|不方便|来不及|不成)"
)


def _instead_of_refused(text: str, today: dt.date, date: dt.date) -> dt.date | None:
    """后天不得，后天我家办事情，大后天嘛 / 十二号哦不是十三号，十二号我要送茶: the day found was
    refused where first said and is named again last only with its reason; the day said
    instead (the last not refused, after the refusal) is meant. ``None`` to keep ``date``."""
    spoken = _repair(clean("".join(text.split())))
    said = [
        (m.start(), m.end(), d)
        for m in _SAID_DAY.finditer(spoken)
        if (d := _date(m.group(0), today)) is not None
    ]
    refused_at = [end for _, end, d in said if d == date and _REFUSING.match(spoken, end)]
    if not refused_at:
        return None
    last_start, last_end, _ = [m for m in said if m[2] == date][-1]
    if last_end <= refused_at[0] or _only_going(spoken[last_end:].split(SEP)[0]):
        return None  # 明天不行……算了还是明天: said again as the answer
    instead: list[dt.date] = []
    for start, end, d in said:
        if start <= refused_at[0] or d == date or _REFUSING.match(spoken, end):
            continue
        week = _tables()["week_re"].fullmatch(spoken, start, end)
        if week and not week["pre"] and instead and instead[-1].weekday() == d.weekday():
            continue  # 三月一号 周三: the weekday of the day said
        instead.append(d)
    return instead[-1] if instead else None


def _parse_when(text: str, today: dt.date) -> dict[str, str | None] | None:
    text = _BARE_NO.sub("不对", without_english(text or ""))
    text = _DAYS_ONE.sub("", text)  # 挂后天的，后天下午: no 后天的后天
    text = _WOKE_AT.sub("", text)  # 越早越好，我五点就醒了: the hour is no time asked for
    text = _STUTTERED_NUMBER.sub("", text)  # 十 十号: a number begun again
    answered = _ECHOED.sub("", text)  # 十号？那十二号嘛: a day asked back, then the answer
    if answered != text and (after := parse_when(answered, today)) and after["date"]:
        asked = parse_when(text[: len(text) - len(answered)], today) or {}
        if after["session"] is None and asked.get("date") == after["date"]:
            # 下周一上午可以吗？就是下周一: the half-day asked about stays with its day
            return {**after, "session": asked.get("session")}
        return after
    text = _HA_WU.sub("下午", text)  # before the clean-up drops 哈 as a particle
    text = _SHI_FOR_TEN.sub("十", text)  # 石点: 十点
    text = _PASSED_THEN.sub(r"\g<day>过了就", text)  # 过了初五就去 = 初五过了就去
    text = _without_day_refused_after(text)  # 礼拜天！礼拜天！不是礼拜一，上午
    spoken = "".join(_busy_session_apart(text).split())
    spoken = _EVERY_DAY_A_SUNDAY.sub("", spoken)  # 我天天都是星期天: retired, no day
    spoken = _without_small_talk(spoken)
    spoken = _HAO_FOR_DAY.sub("号", spoken)  # 十二好上午 / 十八好十八好下午: 号
    spoken = _BAI_FOR_LIBAI.sub("礼拜", spoken)  # 采完了拜六嘛: 礼拜六
    spoken = _TIAN_DROPPED.sub(r"\1天", spoken)  # 明 下午 / 大后 上午: 天 dropped
    spoken = _SAID_AGAIN_DAY.sub("改成", _MOVED_TO.sub("改成", spoken))
    spoken = _MONTH_SAID_TWICE.sub("", spoken)  # 八月 八月二号: the month begun again
    if _NEW_YEAR_SAID.search(spoken):  # 过年前不去，初三嘛: the new year's 初三
        spoken = _BARE_NEW_YEAR_DAY.sub("正月", spoken)
    cleaned = _NOW_NOT_A_DAY.sub("", clean(spoken))
    if not cleaned:
        return None
    corrected = after_correction(spoken)
    if corrected != spoken:  # 后天上午，哦不，下午: the day stays, the session is said again
        before = parse_when(spoken[: len(spoken) - len(corrected)], today) or {}
        # 哦不对，十二号是我孙子考试，改成十三号: corrected again after the first clause
        # 哦不对，明天我要赶街，后天上午嘛: the first clause after it gives a reason, the
        # day follows
        again = _tables()["corrections"].search(clean(corrected)) or _busy_re().search(
            clean(_first_clause(corrected))
        )
        said = corrected if again else _first_clause(corrected)
        after = parse_when(said, today) or {}
        if after.get("date"):  # a day said again: a session said before it is dropped
            if after.get("session") is None:  # 后天，上午: the half-day in the next clause
                after = {**after, "session": _next_clause_session(corrected, today, after)}
            return after
        session = after.get("session") or before.get("session")
        merged = {"date": before.get("date"), "session": session}
        return merged if before or after else None
    said = _said_plainly(_repair(cleaned), today)
    clauses, refused = _without_refused(_without_weekday_said_of(said, today), today)
    cleaned = clauses.replace("|", "")
    date, session = _date_and_session(cleaned, today)
    date = (
        _day_not_busy(clauses, today)
        or _last_said_clause(clauses, today)
        or _last_of_one_clause(clauses, today)
        or date
    )
    if date is not None:
        date = _counted_on(clauses, today, date)
    either = _EITHER_DAY.search(clauses)
    if either:  # 下周一或者下周二都得: no one day chosen, unless one is said after (就后天嘛):
        # the first said after the last correction (还是后天嘛，明天要赶街 / 那就明天嘛)
        rest = clauses[either.end() :]
        chosen = [d for p in _tables()["corrections"].split(rest) if (d := _date(p, today))]
        date = chosen[-1] if chosen else None
    if session is None:  # 随便哪天，上午就得，下午我要去茶地: the half-day not busy
        session = _session_with_the_day(clauses, today, date)
    if session == "am" and date is not None and _morning_of_another_day(cleaned, date, today):
        session = None  # 明早不得空……大后天嘛: the morning was of the day refused
    if refused and session in (None, refused) and not _EITHER_HALF_DAY.search(cleaned):
        # 哪天都行，莫要下午 / 早上不行，下午嘛 (not 上午不得……后天随便上下午)
        session = "am" if refused == "pm" else "pm"
    if date is None and session is None and _time_words().search(cleaned) is None:
        return None
    if _ONLY_REFUSED.fullmatch(cleaned) or _NO_DAY_FREE.search(cleaned):
        return None  # 明天不得空 / 哪天都不得空: the day refused, none wanted instead
    if _LEFT_TO_OTHERS.search(cleaned):
        return None  # 医生说哪天就哪天: not "any day", the day is not known yet
    if date is not None and date < today:  # 越快越好，我妈昨天晚上咳了一夜: a day gone by
        date = None
        if session is None and not _no_preference_re().search(cleaned):
            return None
    put_off = ([None, *_PUT_OFF.finditer(cleaned)])[-1]  # the last said
    if put_off and not _no_preference_re().search(cleaned) and (
        date is None or date == today or _date(cleaned[put_off.end() :], today) is None
    ):
        return None  # 过几天再说 / 年过完了再说，现在不去: no day chosen, not "any day"
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
