"""Days named by a festival or by the lunar calendar: 元旦, 春节, 除夕, 腊八, 正月十五,
腊月初十, 大年初二; and a day counted from one (元旦前一天, 春节后一天).

Solar festivals (``holidays`` in ``grammars/when.yaml``) fall on a fixed month and day;
lunar ones (``lunar_festivals``) and lunar dates said as such (正月/冬月/腊月, a day said
with 初 or 廿, or 农历/阴历 before the month) are turned into solar dates with
``lunardate``. The day meant is the next one from today (today included).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any, NamedTuple

import chinese_calendar
from lunardate import LunarDate

from app.understanding import data
from app.understanding.fuzzy import Matcher
from app.understanding.normalize import clean
from app.understanding.numerals import to_int

#: The lunar new year's eve: the day before the first day of the first month.
EVE = "eve"

_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_DAY_WORD = (
    "初[一二三四五六七八九十]|廿[一二三四五六七八九]?|[二三]?十[一二三四五六七八九]?"
    "|[一二三四五六七八九]"
)
_LUNAR_DATE = re.compile(
    f"(?P<lunar>农历|阴历|老历)?(?P<m>正|冬|腊|十[一二]|[一二三四五六七八九十])月(?P<d>{_DAY_WORD})"
)
_NEW_YEAR_DAY = re.compile(
    "(?:大年|过了年|过年后|年后|开年)[，,|]?(?P<d>初[一二三四五六七八九十])"
)
#: 初八 said without a month: the next 8th of a lunar month (not 月初, 当初, 最初, 起初;
#: 过了年，初八 is the new year's, as 大年初八 is).
_BARE_LUNAR_DAY = re.compile("(?<![月当最起])(?P<d>初[一二三四五六七八九十])")
#: 农历十五 / 老历二十八 / 阴历的初三: a lunar day said without its month: the next one.
_LUNAR_DAY_ALONE = re.compile(
    f"(?:农历|阴历|老历)的?(?P<d>{_DAY_WORD})(?![月0-9一二三四五六七八九十])"
)
#: 元旦前一天 / 春节第二天 / 元宵后一天 / 中秋节前两天 / 清明后头那天: a day counted from the
#: festival (前两天, 后三天, 第五天; a week: 后一个礼拜, 前一个星期).
_SHIFT = re.compile(
    "节?(?:那天|的)?\\|?(?:"
    "(?P<before>前一天|前头一天|前面一天|前面那天|前头那天|头一天"
    "|前(?:头|面)?(?P<nb>[两二三四五])天|前(?:头|面)?(?P<wb>一)个?(?:礼拜|星期|周))"
    "|(?:(?P<after>过后|之后|以后)|过了|后)?的?(?:第(?P<n>[一二三四五六七])天|后一天|次日)"
    "|(?:过后|之后|以后|过了|后头|后面|后)(?P<k>[两二三四五六七])天"
    "|(?:过后|之后|以后|后)(?P<w>一)个?(?:礼拜|星期|周)"
    "|(?:过后|之后|后头|后面)那天"
    # (twelfth round) 初五过了就去: gone to as soon as it is over, the day after
    "|过了就(?:去|来)"
    "|再过(?P<r>[一两二三四五六七])天)"
)
_COUNTS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}


@cache
def _tables() -> tuple[dict[str, tuple[int, int]], dict[str, Any]]:
    """(solar festival word -> (month, day), lunar festival word -> (month, day) or EVE)."""
    raw = data.load("when")
    solar = {
        clean(str(w)): _month_day(str(md))
        for md, words in (raw.get("holidays") or {}).items()
        for w in words
    }
    lunar: dict[str, Any] = {
        clean(str(w)): EVE if str(md) == EVE else _month_day(str(md))
        for md, words in (raw.get("lunar_festivals") or {}).items()
        for w in words
    }
    def longest_first(table: dict[str, Any]) -> dict[str, Any]:  # 元宵节 before 元宵
        return dict(sorted(table.items(), key=lambda item: -len(item[0])))

    return longest_first(solar), longest_first(lunar)


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def _lunar_day(word: str) -> int | None:
    if word.startswith("初"):
        return to_int(word[1:])
    if word.startswith("廿"):
        return 20 + (to_int(word[1:]) or 0) if len(word) > 1 else 20
    return to_int(word)


#: How far ahead a lunar reading of a month and day may lie to be preferred over a solar
#: date already past this year (八月十五 said in September is the Mid-Autumn festival).
LUNAR_READING_DAYS = 60


def month_day(today: dt.date, month: int, day: int, *, said_lunar: bool) -> dt.date | None:
    """The day meant by a month and day (八月十五, 阴历八月十二): lunar when said so; else
    the solar date, unless it has passed this year and the lunar reading is near ahead
    (older callers count days by the lunar calendar; the day is read back to them)."""
    if said_lunar:
        return _next_lunar(today, month, day)
    solar = next_solar(today, month, day)
    if solar is None or solar.year == today.year:
        return solar
    lunar = _next_lunar(today, month, day) if day <= 30 else None
    if lunar is not None and (lunar - today).days <= LUNAR_READING_DAYS:
        return lunar
    return solar


def next_solar(today: dt.date, month: int, day: int) -> dt.date | None:
    """The next date (from today) with this month and day, or None when there is none."""
    for year in (today.year, today.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _next_lunar(today: dt.date, month: int | str, day: int = 1) -> dt.date | None:
    """The next solar date (from today) of a lunar month and day, or of the eve."""
    year = LunarDate.from_solar_date(today.year, today.month, today.day).year
    for lunar_year in (year, year + 1):
        try:
            if month == EVE:
                candidate = LunarDate(lunar_year + 1, 1, 1).to_solar_date() - dt.timedelta(days=1)
            else:
                candidate = LunarDate(lunar_year, int(month), day).to_solar_date()
        except ValueError:  # a 30th the month lacks
            continue
        if candidate >= today:
            return candidate
    return None


@cache
def _next_lunar_day(today: dt.date, day: int) -> dt.date | None:
    """The next solar date (from today) that is the ``day``-th of a lunar month."""
    for ahead in range(31):
        date = today + dt.timedelta(days=ahead)
        if LunarDate.from_solar_date(date.year, date.month, date.day).day == day:
            return date
    return None


class Mention(NamedTuple):
    """A day named by a festival or a lunar date: the solar date, where its words are, and
    the lunar month when it is a lunar day (for a day of that month said after it)."""

    date: dt.date | None
    start: int
    end: int
    lunar_month: int | None = None


def _mentions(text: str, today: dt.date) -> list[Mention]:
    """Every festival, lunar date and solar term named in ``text``, in the order said."""
    found: list[Mention] = []

    def add(mention: Mention) -> None:
        if not any(m.start < mention.end and mention.start < m.end for m in found):
            found.append(mention)

    for m in _LUNAR_DATE.finditer(text):
        if m["lunar"] or m["m"] in _LUNAR_MONTHS or m["d"][0] in "初廿":
            month = _LUNAR_MONTHS.get(m["m"]) or to_int(m["m"])
            day = _lunar_day(m["d"])
            if month and day and 1 <= month <= 12 and 1 <= day <= 30:
                add(Mention(_next_lunar(today, month, day), m.start(), m.end(), month))
    for m in _NEW_YEAR_DAY.finditer(text):
        if day := _lunar_day(m["d"]):
            add(Mention(_next_lunar(today, 1, day), m.start(), m.end(), 1))
    for m in (*_LUNAR_DAY_ALONE.finditer(text), *_BARE_LUNAR_DAY.finditer(text)):
        if (day := _lunar_day(m["d"])) and 1 <= day <= 30:
            add(Mention(_next_lunar_day(today, day), m.start(), m.end()))
    solar, lunar = _tables()
    for m in festival_words().finditer(text):  # one pass, the longest word at each place
        word = m.group(0)
        if word in lunar:
            when = lunar[word]
            date = _next_lunar(today, EVE) if when == EVE else _next_lunar(today, *when)
            add(Mention(date, m.start(), m.end(), 12 if when == EVE else when[0]))
        else:
            add(Mention(next_solar(today, *solar[word]), m.start(), m.end()))
    term = _solar_term(text, today)
    if term is not None:
        add(term)
    if not found:
        for hit in _sound_alikes().hits(text):  # 中求节 = 中秋节
            if hit.label in lunar:
                when = lunar[hit.label]
                date = _next_lunar(today, EVE) if when == EVE else _next_lunar(today, *when)
            else:
                date = next_solar(today, *solar[hit.label])
            add(Mention(date, hit.start, hit.end))
            break
    return sorted(found, key=lambda m: m.start)


#: 过了腊八，小年那天 / 腊八过了，小年那天: a festival said as already past is the reference,
#: not the day meant, when another day is named with it.
_PAST_BEFORE = re.compile("(?:过了|过完|过完了|等过了|等)$")
def said_as_past(before: str) -> bool:
    """Do the words ``before`` a day say it is to be passed first (过了腊八, 等过了春节)?"""
    return _PAST_BEFORE.search(before) is not None


_PAST_AFTER = re.compile("节?(?:过了|过完|一过)(?!那天|第|的第|后一天|以后那天|就(?:去|来))")


def mention(text: str, today: dt.date) -> Mention | None:
    """The festival or lunar day meant in cleaned ``text``, leaving out one said as already
    past (过了腊八) when another is named: one with a day counted from it (元宵，元宵节后一天;
    重阳节前一天，重阳节那天我们要聚会), else the last named."""
    found = _mentions(text, today)
    meant = [
        m for m in found
        if not said_as_past(text[: m.start]) and not _PAST_AFTER.match(text, m.end)
    ] or found
    counted = [m for m in meant if _SHIFT.match(text, m.end)]
    chosen = counted or meant
    return chosen[-1] if chosen else None


@cache
def _sound_alikes() -> Matcher:
    """Festival words of three characters or more, found by sound (中求节 for 中秋节)."""
    solar, lunar = _tables()
    words = [w for w in (*lunar, *solar) if len(w) >= _SOUND_ALIKE_MIN]
    return Matcher([(w, w) for w in words], fuzzy_min=_SOUND_ALIKE_MIN)


_SOUND_ALIKE_MIN = 3
#: The 24 solar terms (节气) a farmer names a day by (白露那天); those that are also everyday
#: weather words (雨水, 小雪, 大雪) only with 那天 / 节气 after them.
_TERMS_AS_WEATHER = ("雨水", "小雪", "大雪")


def _solar_term(text: str, today: dt.date) -> Mention | None:
    for name in _TERM_NAMES:
        at = text.find(name)
        if at < 0:
            continue
        end = at + len(name)
        if name in _TERMS_AS_WEATHER and not text.startswith(("那天", "节气", "那一天"), end):
            continue
        for day, term in chinese_calendar.get_solar_terms(today, today + dt.timedelta(days=366)):
            if term == name:
                return Mention(day, at, end)
        return Mention(None, at, end)
    return None


_TERM_NAMES = (
    "小寒", "大寒", "立春", "雨水", "惊蛰", "春分", "清明", "谷雨", "立夏", "小满", "芒种", "夏至",
    "小暑", "大暑", "立秋", "处暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至",
)


@cache
def festival_words() -> re.Pattern[str]:
    """Every festival word, to keep out of the half-day's words (端午后面 is not 午后)."""
    solar, lunar = _tables()
    return re.compile("|".join(map(re.escape, sorted({*solar, *lunar}, key=len, reverse=True))))


@cache
def mention_pattern() -> re.Pattern[str]:
    """A festival word or a lunar date, where it starts (今天是元宵节: what today is)."""
    return re.compile(f"{festival_words().pattern}|{_LUNAR_DATE.pattern}")


#: 过了七月半，十六那天: a bare day of the lunar month said after a lunar day.
_DAY_OF_THAT_MONTH = re.compile(
    "(?P<d>廿[一二三四五六七八九]?|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:那天|那一天|那日)"
)


#: 火把节那天不去，要点火把，第二天去: the day before or after, said in a later clause.
_LATER_SHIFT = re.compile(
    "(?<![初一二三四五六七八九十])(?:第二天|后面一天|后头一天|后一天|次日|(?P<before>前一天|前面一天|前头一天)"
    # (thirteenth round) 过后第三天 / 过后三天: counted from the day after it
    "|(?:过后|之后|以后)第?(?P<k>[三四五六七])天)"
)


def later_shift(text: str) -> int | None:
    """The days before (-1) or after a day said on its own (第二天去, 过后第三天), else None."""
    found = later_shift_at(text)
    return found[0] if found else None


def later_shift_at(text: str) -> tuple[int, int] | None:
    """(the days, where they end) of a day before or after said on its own, else None."""
    later = _LATER_SHIFT.search(text)
    return None if later is None else (_later_days(later), later.end())


def _later_days(later: re.Match[str]) -> int:
    return -1 if later["before"] else _COUNTS[later["k"]] if later["k"] else 1


def shift_follows(text: str, end: int) -> bool:
    """Is a count of days said right after a day's words at ``end`` (元旦第二天)?"""
    return _SHIFT.match(text, end) is not None


def shifted(date: dt.date, text: str, end: int) -> dt.date:
    """``date`` moved by a count said right after its words at ``end`` (元旦前一天, 星期三
    过后那天, 十五号后一天); unchanged when none is said."""
    shift = _SHIFT.match(text, end)
    if shift is None:
        return date
    if shift["before"]:  # 前两天: two days before; 前一个礼拜: a week before
        days = 7 if shift["wb"] else _COUNTS.get(shift["nb"] or "", 1)
        return date - dt.timedelta(days=days)
    if shift["w"]:
        return date + dt.timedelta(days=7)
    if shift["k"] or shift["r"]:  # 过后两天 / 后三天 / 后天再过一天
        return date + dt.timedelta(days=_COUNTS[shift["k"] or shift["r"]])
    if shift["n"]:  # 第二天 (过了第二天) is the day after: the festival is the first
        n = _COUNTS[shift["n"]]  # but 过后第三天 counts from the day after it (three days on)
        return date + dt.timedelta(days=n if shift["after"] and n >= 3 else n - 1)
    return date + dt.timedelta(days=1)


def festival_day(text: str, today: dt.date) -> tuple[bool, dt.date | None]:
    """(a festival or lunar day was named, the solar date meant) for cleaned ``text``."""
    found = mention(text, today)
    if found is None:
        return False, None
    if found.date is None:
        return True, None
    day = _DAY_OF_THAT_MONTH.search(text, found.end)
    if found.lunar_month is not None and day and (n := to_int(day["d"])) and 1 <= n <= 30:
        lunar = LunarDate.from_solar_date(found.date.year, found.date.month, found.date.day)
        try:
            return True, LunarDate(lunar.year, lunar.month, n).to_solar_date()
        except ValueError:
            return True, found.date
    later = _LATER_SHIFT.search(text, found.end)
    if _SHIFT.match(text, found.end) is None and later:  # 火把节那天不去……第二天去
        return True, found.date + dt.timedelta(days=_later_days(later))
    return True, shifted(found.date, text, found.end)
