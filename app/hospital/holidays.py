"""The official holiday calendar of the years the `chinese_calendar` package does not cover.

The package ships the State Council's arrangement up to a fixed year; the next year's is
published each autumn, while the booking windows and the regular rides already reach into
it. A service admin (`StaffRole.ADMIN`, page /hospital/holidays) enters it once for the
whole service: the holiday days with their names and the 调休 working days
(`ServiceHoliday`, one row a day). `app.hospital.rules.is_workday` / `is_public_holiday`
then know that year, and with them every hospital's rules (closed days, the cancel
deadline's working day) and the regular rides that skip holidays; a hospital's own
calendar entries still win for that hospital. Years the package covers are refused: its
data is the official one.

The rules are pure and read the days through `rules.use_service_days`: `watch(db)` makes
them read this table, reloaded at most every `REFRESH_SECONDS` and only for days of years
the package lacks (so a process sees another process's entry within a minute; the process
that saved it at once). The web app watches its database while it runs; so do the
commands that generate sessions or run the scheduler.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.hospital import rules
from app.hospital.models import ServiceHoliday
from app.staff.models import StaffUser

HOLIDAY, WORKDAY = "holiday", "workday"
KINDS = {HOLIDAY: "放假", WORKDAY: "调休上班"}
# The official holidays (全国年节及纪念日放假办法): the names the State Council uses.
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
MAX_RANGE_DAYS = 10  # the longest holiday (春节) is 8 or 9 days
REFRESH_SECONDS = 60


class HolidayError(ValueError):
    """A refused entry; the message is Chinese, for the service admin."""


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str
    name: str
    who: str
    at: datetime

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def last_package_year() -> int:
    """The last year the package's data covers (2026 for chinese_calendar 1.11)."""
    return max(chinese_calendar.holidays).year


def covered_by_package(year: int) -> bool:
    return year <= last_package_year()


def set_days(
    session: Session,
    *,
    first: date,
    last: date | None,
    kind: str,
    name: str,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Enter first..last (one day when `last` is None) as holiday `name` or as 调休 working
    days. Refused: a 调休 working day on a Monday to Friday (a 调休 working day is a
    Saturday or Sunday: the others are working days anyway), and any day entered before
    (decision: not silently replaced; the admin removes the wrong day first). Returns how
    many days were saved."""
    last = last or first
    if kind not in KINDS:
        raise HolidayError("请选择：放假，还是调休上班。")
    if last < first:
        raise HolidayError("结束日期不能早于开始日期。")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise HolidayError(f"一次最多录入{MAX_RANGE_DAYS}天；更长的请分几次录入。")
    if first.year != last.year:
        raise HolidayError("一次只录入同一年的日子；跨年的请分两次录入。")
    if covered_by_package(first.year):
        raise HolidayError(f"{first.year}年的节假日和调休系统里已经有了（国家日历），不用录入。")
    name = name.strip()
    if kind == HOLIDAY and name not in HOLIDAY_NAMES:
        raise HolidayError("请选择是哪个节日（元旦、春节……国庆节）。")
    if kind == WORKDAY:
        name = name if name in HOLIDAY_NAMES else ""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if kind == WORKDAY:
        weekdays = [day for day in days if day.isoweekday() <= 5]
        if weekdays:
            raise HolidayError(
                f"调休上班的日子是星期六或星期日；{_days_said(weekdays)}本来就是工作日，不用录入。"
            )
    entered = list(session.scalars(
        select(ServiceHoliday.day).where(ServiceHoliday.day.in_(days))
        .order_by(ServiceHoliday.day)
    ))
    if entered:
        raise HolidayError(
            f"{_days_said(entered)}已经录入过了。要改，请先在下面的列表里删除那一天，再重新录入。"
        )
    for day in days:
        session.add(
            ServiceHoliday(day=day, kind=kind, name=name, staff_user_id=actor_id, at=now)
        )
    session.flush()
    refresh(session)
    return len(days)


def _days_said(days: list[date]) -> str:
    """1月4日（星期一）、1月5日（星期二）: a few days, as the admin page says them."""
    said = [f"{d.month}月{d.day}日（星期{'一二三四五六日'[d.weekday()]}）" for d in days[:3]]
    return "、".join(said) + ("等" if len(days) > 3 else "")


def remove_day(session: Session, *, day: date) -> bool:
    """Remove one entered day (entered by mistake); False if it was not entered."""
    removed = session.execute(delete(ServiceHoliday).where(ServiceHoliday.day == day))
    session.flush()
    refresh(session)
    return bool(getattr(removed, "rowcount", 0))


def entries(session: Session) -> list[Entry]:
    """Every entered day, by date, with who entered it."""
    rows = session.execute(
        select(ServiceHoliday, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == ServiceHoliday.staff_user_id)
        .order_by(ServiceHoliday.day)
    ).all()
    return [Entry(h.day, h.kind, h.name, who or "系统", h.at) for h, who in rows]


def load(session: Session) -> rules.ServiceDays:
    holidays: dict[date, str] = {}
    workdays: set[date] = set()
    for day, kind, name in session.execute(
        select(ServiceHoliday.day, ServiceHoliday.kind, ServiceHoliday.name)
    ):
        if kind == HOLIDAY:
            holidays[day] = name
        else:
            workdays.add(day)
    return rules.ServiceDays(holidays=holidays, workdays=frozenset(workdays))


class _Cache:
    """The entered days of one database, reloaded when older than REFRESH_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.db: Database | None = None
        self.days = rules.NO_SERVICE_DAYS
        self.loaded_at = float("-inf")

    def current(self) -> rules.ServiceDays:
        with self.lock:
            db = self.db
            stale = monotonic_time.monotonic() - self.loaded_at > REFRESH_SECONDS
        if db is not None and stale:
            with db.session() as session:
                days = load(session)
            self.store(days)
        return self.days

    def store(self, days: rules.ServiceDays) -> None:
        with self.lock:
            self.days = days
            self.loaded_at = monotonic_time.monotonic()


_cache = _Cache()


def watch(db: Database) -> None:
    """Read the entered days from `db` from now on (the web app, the commands)."""
    with _cache.lock:
        _cache.db = db
        _cache.loaded_at = float("-inf")
    rules.use_service_days(_cache.current)


def unwatch(db: Database) -> None:
    """Stop reading `db` (the app shuts down): the rules know no entered days again."""
    if _cache.db is db:
        forget()


def forget() -> None:
    """The rules know no entered days (and read no database) until `watch` or `refresh`."""
    with _cache.lock:
        _cache.db = None
        _cache.days = rules.NO_SERVICE_DAYS
        _cache.loaded_at = float("-inf")
    rules.use_service_days(None)


def refresh(session: Session) -> None:
    """Use the days as this session sees them now (after a change, or without `watch`)."""
    _cache.store(load(session))
    rules.use_service_days(_cache.current)
