"""Local time for callers, hospitals and staff: China has one time zone (Asia/Shanghai).

The database stores UTC; everything a person hears or reads (今天, 明天, 上午, a cancel
deadline, a page's date) is in local time.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_now(now: datetime) -> datetime:
    """`now` in local time; refuses naive datetimes."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware times")
    return now.astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    """The local date: 07:00 in Kunming is still the previous day in UTC."""
    return local_now(now).date()
