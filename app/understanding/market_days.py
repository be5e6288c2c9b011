"""Days counted by market days (赶街天, 街子天): "我们这点五天赶一街，今天赶街，下一街那天".

Yunnan's village markets come round every few days. A caller who counts by them says the
round (五天一街, 六天一场) or the dates they fall on (逢三逢八), a market day they know
(今天赶街, 昨天是街子天) and which market day they mean (下一街, 下下个街子天, 这个街子天).
The day is worked out when all of it is said; a market day meant but not computable (no
round or no known market day) is a day not understood, so the caller is asked again.
"""

from __future__ import annotations

import datetime as dt
import re

from app.understanding import data
from app.understanding.numerals import to_int

#: The market-day words the recogniser's phrase list for a day question needs.
MARKET_WORDS = ("街子天", "赶街", "赶集", "赶场", "一街", "一场", "下一街", "下个街子天", "逢")
_MARKET = "(?:赶街天|街子天|街天|赶集天|赶场天|街子|赶街|赶集|赶场|街|场)"
_DIGIT = "[一二三四五六七八九十0-9]"
_ROUND = re.compile(
    f"(?P<n>[一二三四五六七八九十两0-9]{{1,2}})天(?:赶|赶一|一赶)?(?:一个?|个)?{_MARKET}"
)
_DATES = re.compile(f"逢(?P<a>{_DIGIT})(?:逢|、|和)?(?P<b>{_DIGIT})?")
_OFFSETS = {"今天": 0, "明天": 1, "后天": 2, "昨天": -1, "前天": -2, "昨晚": -1, "昨天晚上": -1}
_KNOWN = re.compile(
    "(?P<a>今天|明天|后天|昨天晚上|昨天|昨晚|前天)"
    f"(?:是|就是|正好是|刚好是|刚好|正好|才|刚|刚刚)?(?:赶[的了过]街?|{_MARKET})"
    f"|{_MARKET}(?:是|就是)(?P<b>今天|明天|后天|昨天|前天)"
)
_DAY_OF_MARKET = "(?:赶街天|街子天|街天|赶集天|赶场天|街子|赶街|赶集|赶场)"
#: Which market day is meant: 下一街, 下个街子天, 下下个赶集天, 这个街子天, 赶街那天.
_NAMED = re.compile(
    f"(?:下下一?个?|下一个?|下个|这一?个?){_DAY_OF_MARKET}|下下?一[街场]|{_DAY_OF_MARKET}那天"
)


#: 赶完街第二天 / 街子天过了第二天 / 属马街过了第二天: the day after the next market day.
AFTER_MARKET = re.compile(
    f"(?:(?:赶完|赶过|干完)(?:街子?|集|场)?|(?:{_DAY_OF_MARKET}|属.街)(?:过了?|过完))"
    "的?(?:第二天|后一天|次日)"
)
#: 属狗天赶街 / 属马街: markets held on the days of one animal of the twelve (a 12-day round).
_ZODIAC = "鼠牛虎兔龙蛇马羊猴鸡狗猪"
_ZODIAC_MARKET = re.compile(f"属(?P<z>[{_ZODIAC}])(?:天|日|街|场)")
#: The branch of 2000-01-01 (戊午, a horse day) in the order of ``_ZODIAC``.
_ZODIAC_EPOCH = (dt.date(2000, 1, 1), 6)
#: 星期六赶街 / 街子天是礼拜天: a weekly market.
_WEEKLY = re.compile(
    "(?:礼拜|星期|周)(?P<a>[一二三四五六日天七])(?:是)?(?:赶|干)(?:街|集|场)"
    f"|{_DAY_OF_MARKET}(?:是|在)(?:礼拜|星期|周)(?P<b>[一二三四五六日天七])"
)


def market_day(text: str, today: dt.date) -> tuple[bool, dt.date | None]:
    """(a market day was meant, the date) for cleaned ``text``."""
    after = AFTER_MARKET.search(text)
    if after is not None:  # 逢三逢八，赶完街第二天: the day after the next one
        days = _market_days(text, today)
        upcoming = [d for d in days or [] if d > today]  # today's market: the next one
        return True, upcoming[0] + dt.timedelta(days=1) if upcoming else None
    named = _NAMED.search(text)
    if named is None:
        return False, None
    which = named.group(0)
    ahead = 2 if which.startswith("下下") else 1 if which.startswith("下") else 0
    days = _market_days(text, today)
    if days is None:  # 后天赶街那天: the market day said is the one meant
        known = _KNOWN.search(text)
        day = today + dt.timedelta(days=_OFFSETS[known["a"] or known["b"]]) if known else None
        return True, day if ahead == 0 and day is not None and day >= today else None
    upcoming = [d for d in days if d > today or (ahead == 0 and d == today)]
    index = max(ahead - 1, 0)
    return True, upcoming[index] if len(upcoming) > index else None


def _market_days(text: str, today: dt.date) -> list[dt.date] | None:
    """The market days of the next two months, or None when the round cannot be told."""
    horizon = [today + dt.timedelta(days=n) for n in range(-7, 62)]
    dates = _DATES.search(text)
    if dates:
        ends = {to_int(dates[k]) for k in ("a", "b") if dates[k]}
        ends = {e % 10 for e in ends if e is not None}
        return [d for d in horizon if d.day % 10 in ends] if ends else None
    zodiac = _ZODIAC_MARKET.search(text)
    if zodiac:
        epoch, branch = _ZODIAC_EPOCH
        animal = _ZODIAC.index(zodiac["z"])
        return [d for d in horizon if (branch + (d - epoch).days) % 12 == animal]
    weekly = _WEEKLY.search(text)
    if weekly:
        weekday = int(data.load("when")["weekdays"][weekly["a"] or weekly["b"]]) - 1  # Monday 1
        return [d for d in horizon if d.weekday() == weekday]
    round_ = _ROUND.search(text)
    known = _KNOWN.search(text)
    if round_ is None or known is None:
        return None
    n = to_int(round_["n"])
    if not n or not 2 <= n <= 13:
        return None
    anchor = today + dt.timedelta(days=_OFFSETS[known["a"] or known["b"]])
    return [d for d in horizon if (d - anchor).days % n == 0]
