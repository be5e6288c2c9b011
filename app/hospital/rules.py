"""Hospital booking rules (measure 14), pure: no database, no framework.

Each hospital keeps its rules as JSON (`Hospital.rules`); `BookingRules.from_json` reads
them with defaults for every missing key. All clock rules are in hospital local time
(Asia/Shanghai); callers pass timezone-aware datetimes (the database stores UTC).

Decisions (see docs/appointments.md):

* Phone booking is for future days only; a same-day visit is booked at the hospital.
* The window slides once a day at `release_time`: before it, days today+1 ..
  today+window-1 are bookable; from it on, today+2 .. today+window. So the day
  `window` days ahead is released at the release time, and tomorrow closes at the same
  moment ("next-day booking closes the afternoon before"). `next_day_close_time` may set
  a different closing time for tomorrow.
* Closed days (`closed_on_holidays`): Sundays and public holidays, except days the
  holiday calendar makes working days (调休). Saturdays are open (clinics run Saturday
  mornings) unless they are part of a public holiday.
* Cancel deadline: `"16:00 the working day before"` means until 16:00 on the last
  working day before the visit (a Monday visit: Friday 16:00); `"16:00 the day before"`
  means the calendar day before. Later, a missed visit counts as a no-show.
* No-show penalties: the largest threshold reached within `noshow_window_days` gives the
  suspension, e.g. 1 -> 30 days, 2 -> 60, 3 or more -> 90.
* An unknown age counts as elderly: the hotline exists for older callers.

* The hospital's own calendar entries win over the holiday data: `closed_days` (no
  clinics, e.g. a holiday the data does not know yet) and `working_days` (clinics run,
  e.g. a 调休 Sunday of a year the data does not cover).
* Pools per session: `elderly_share_percent` of the slots are kept for older phone
  callers (until `elderly_release`: then the unused ones are ordinary slots anyone may
  book; computed when booking, nothing is rewritten), `onsite_share_percent` for older
  walk-ins booked at the desk (never by phone),
  `family_doctor_share_percent` for family doctors booking for their signed patients
  (never by phone or at the desk); together at most 100. They apply to sessions
  generated after the change.

The `chinese_calendar` package ships holiday data for a fixed range of years. A later year
is covered once a service admin has entered its official holidays and 调休 working days
(`ServiceDays`, stored in `service_holidays` by app.hospital.holidays, which installs them
here with `use_service_days`); a year neither covers falls back to the plain week
(Saturday and Sunday are non-working days), and the consoles warn (`calendar_gap`). For
every hospital the hospital's own entries (`closed_days`, `working_days`) still win.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import chinese_calendar

from app.core.local_time import LOCAL_TZ, local_now

WEEKDAYS = "一二三四五六日"
SESSION_WORDS = {"am": "上午", "pm": "下午"}

DEFAULT_PENALTIES: tuple[tuple[int, int], ...] = ((1, 30), (2, 60), (3, 90))
_DEADLINE_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s+the\s+(working\s+)?day\s+before\s*$")
# When the unused elderly share of a session becomes ordinary slots (`elderly_release`).
_RELEASE_DAYS_RE = re.compile(
    r"^\s*(\d{1,2}):(\d{2})\s+(?:the\s+day|(\d{1,2})\s+days)\s+before\s*$"
)
_RELEASE_HOURS_RE = re.compile(r"^\s*(\d{1,3})\s+hours?\s+before\s*$")
# When a session starts (local time); slot times and the release "N hours before" use it.
SESSION_STARTS: dict[str, time] = {"am": time(8, 0), "pm": time(14, 0)}


class DayStatus(StrEnum):
    """Whether a visit day can be booked by phone at a given moment."""

    OPEN = "open"
    TOO_LATE = "too_late"  # today, the past, or tomorrow after the next-day closing time
    NOT_YET = "not_yet"  # beyond the window: released later
    CLOSED = "closed"  # Sunday or public holiday




def _parse_time(value: Any, key: str) -> time:
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if match is None:
        raise ValueError(f"hospital rule {key!r}: expected HH:MM, got {value!r}")
    return time(int(match[1]), int(match[2]))


def _parse_release(value: Any) -> dict[str, Any]:
    """`elderly_release` as BookingRules fields; None or "" means never released."""
    if value is None or str(value).strip() == "":
        return {}
    days = _RELEASE_DAYS_RE.match(str(value))
    if days is not None:
        return {
            "elderly_release_days": int(days[3]) if days[3] else 1,
            "elderly_release_time": _parse_time(f"{days[1]}:{days[2]}", "elderly_release"),
        }
    hours = _RELEASE_HOURS_RE.match(str(value))
    if hours is not None and int(hours[1]) >= 1:
        return {"elderly_release_hours": int(hours[1])}
    raise ValueError(
        "hospital rule 'elderly_release': expected '17:00 the day before', '17:00 2 days"
        f" before' or '4 hours before', got {value!r}"
    )


@dataclass(frozen=True)
class ServiceDays:
    """The official calendar of years the package does not cover, as a service admin
    entered it: the holiday days with their names (春节) and the 调休 working days. A year
    counts as entered once it has a holiday day."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()

    @property
    def years(self) -> frozenset[int]:
        return frozenset(day.year for day in self.holidays)


NO_SERVICE_DAYS = ServiceDays()
_service_days: Callable[[], ServiceDays] = lambda: NO_SERVICE_DAYS  # noqa: E731


def use_service_days(source: Callable[[], ServiceDays] | None) -> None:
    """Where the entered days come from (app.hospital.holidays); None: nowhere."""
    global _service_days
    _service_days = source or (lambda: NO_SERVICE_DAYS)


def _package_covers(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _entered(day: date) -> ServiceDays | None:
    """The entered days, when `day` is in a year the package lacks and they cover."""
    if _package_covers(day):
        return None
    days = _service_days()
    return days if day.year in days.years else None


def calendar_covers(day: date) -> bool:
    """Whether the holiday data knows `day`: the package's years and the years entered."""
    return _package_covers(day) or _entered(day) is not None


def calendar_gap(first: date, last: date) -> date | None:
    """The first day in first..last the holiday data does not cover, or None."""
    day = first
    while day <= last:
        if not calendar_covers(day):
            return day
        day += timedelta(days=1)
    return None


def _parse_days(value: Any, key: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(str(v)) for v in value or ())
    except (TypeError, ValueError):
        raise ValueError(f"hospital rule {key!r}: expected a list of YYYY-MM-DD") from None


def is_workday(day: date) -> bool:
    """Official working day (调休 aware); Monday to Friday outside the calendar's years."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        entered = _entered(day)
        if entered is None:
            return day.weekday() < 5
        if day in entered.workdays:
            return True
        return day.weekday() < 5 and day not in entered.holidays


def is_public_holiday(day: date) -> bool:
    """A named public holiday (春节, 国庆节 ...); False outside the calendar's years."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        entered = _entered(day)
        return entered is not None and day in entered.holidays
    return bool(on_holiday and name is not None)


def spoken_day(day: date, session: str | None = None) -> str:
    """12月3日 星期四 上午: how the hotline says and texts a visit day."""
    text = f"{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"
    if session is not None:
        text += f" {SESSION_WORDS.get(str(session), str(session))}"
    return text


RELATIVE_DAYS = ("今天", "明天", "后天")

# Two visits of one patient on one day closer than this (any department or hospital) clash:
# nobody is seen in two clinics within the hour.
CLASH_MINUTES = 60


def times_clash(first: time, second: time) -> bool:
    """Whether visits starting at these times (same day) are within `CLASH_MINUTES`."""
    minutes = abs((first.hour * 60 + first.minute) - (second.hour * 60 + second.minute))
    return minutes < CLASH_MINUTES


def spoken_day_word(day: date, today: date) -> str:
    """今天 / 明天 / 后天 / 12月3号: how a call names a day, before any weekday."""
    ahead = (day - today).days
    return RELATIVE_DAYS[ahead] if 0 <= ahead < len(RELATIVE_DAYS) else f"{day.month}月{day.day}号"


def spoken_visit_day(day: date, today: date) -> str:
    """明天星期二 / 12月3号星期四: the day of an offer, as short as it can be said."""
    return f"{spoken_day_word(day, today)}星期{WEEKDAYS[day.weekday()]}"


def spoken_moment(moment: datetime, today: date) -> str:
    """今天下午4点 / 后天上午11点 / 12月3号下午3点: a deadline or a release moment (local
    time) in a call, its day named as every other day of the call (`spoken_day_word`)."""
    part = "下午" if moment.hour >= 12 else "上午"
    return f"{spoken_day_word(moment.date(), today)}{part}{spoken_clock(moment.time())}"


def spoken_clock(at: time) -> str:
    """The time after 上午/下午, as people say it: 14:20 -> 2点20分."""
    return spoken_time(at.replace(hour=at.hour - 12) if at.hour > 12 else at)


def spoken_time(at: time) -> str:
    """8:00 -> 8点, 8:20 -> 8点20分."""
    return f"{at.hour}点" + (f"{at.minute}分" if at.minute else "")


@dataclass(frozen=True)
class BookingRules:
    """One hospital's booking rules; defaults are the common ones in Kunming."""

    booking_window_days: int = 7
    release_time: time = time(15, 0)
    next_day_close_time: time | None = None  # None: the same as release_time
    cancel_deadline_time: time = time(16, 0)
    cancel_deadline_working_day: bool = True
    elderly_age: int = 60
    closed_on_holidays: bool = True
    noshow_penalties: tuple[tuple[int, int], ...] = field(default=DEFAULT_PENALTIES)
    noshow_window_days: int = 365
    elderly_share_percent: int = 33
    onsite_share_percent: int = 0
    family_doctor_share_percent: int = 0
    closed_days: frozenset[date] = field(default=frozenset())
    working_days: frozenset[date] = field(default=frozenset())
    # The elderly share's release (see `elderly_release_moment`): at `elderly_release_time`
    # `elderly_release_days` days before the visit, or `elderly_release_hours` before the
    # session starts; neither set: kept for older callers to the end.
    elderly_release_days: int | None = None
    elderly_release_time: time = time(17, 0)
    elderly_release_hours: int | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> BookingRules:
        """Read `Hospital.rules`; missing keys take the defaults, bad values raise ValueError.

        Recognised keys: booking_window_days, release_time ("15:00"),
        next_day_close_time ("15:00"), cancel_deadline ("16:00 the working day before"),
        elderly_age, closed_on_holidays, noshow_penalties ([[1, 30], [2, 60]]),
        noshow_window_days, elderly_share_percent, onsite_share_percent,
        family_doctor_share_percent, closed_days and
        working_days (["2027-02-07"]), elderly_release ("17:00 the day before",
        "17:00 2 days before", "4 hours before"; null: never). Other keys are ignored.
        """
        raw = raw or {}
        kwargs: dict[str, Any] = {}
        if "booking_window_days" in raw:
            kwargs["booking_window_days"] = int(raw["booking_window_days"])
        if "release_time" in raw:
            kwargs["release_time"] = _parse_time(raw["release_time"], "release_time")
        if raw.get("next_day_close_time") is not None:
            kwargs["next_day_close_time"] = _parse_time(
                raw["next_day_close_time"], "next_day_close_time"
            )
        if "cancel_deadline" in raw:
            match = _DEADLINE_RE.match(str(raw["cancel_deadline"]))
            if match is None:
                raise ValueError(
                    "hospital rule 'cancel_deadline': expected '16:00 the working day before'"
                    f" or '16:00 the day before', got {raw['cancel_deadline']!r}"
                )
            kwargs["cancel_deadline_time"] = time(int(match[1]), int(match[2]))
            kwargs["cancel_deadline_working_day"] = match[3] is not None
        if "elderly_age" in raw:
            kwargs["elderly_age"] = int(raw["elderly_age"])
        if "closed_on_holidays" in raw:
            kwargs["closed_on_holidays"] = bool(raw["closed_on_holidays"])
        if "noshow_penalties" in raw:
            pairs = tuple(sorted((int(n), int(days)) for n, days in raw["noshow_penalties"]))
            kwargs["noshow_penalties"] = pairs
        if "noshow_window_days" in raw:
            kwargs["noshow_window_days"] = int(raw["noshow_window_days"])
        for key in ("elderly_share_percent", "onsite_share_percent", "family_doctor_share_percent"):
            if key in raw:
                kwargs[key] = int(raw[key])
        for key in ("closed_days", "working_days"):
            if key in raw:
                kwargs[key] = _parse_days(raw[key], key)
        kwargs.update(_parse_release(raw.get("elderly_release")))
        rules = cls(**kwargs)
        if not 1 <= rules.booking_window_days <= 90:
            raise ValueError("hospital rule 'booking_window_days' must be 1..90")
        shares = (
            rules.elderly_share_percent,
            rules.onsite_share_percent,
            rules.family_doctor_share_percent,
        )
        if min(shares) < 0 or sum(shares) > 100:
            raise ValueError(
                "hospital rules: the elderly, on-site and family-doctor shares must add up to"
                " <= 100"
            )
        return rules

    # --- the booking window -------------------------------------------------------------

    def is_closed(self, day: date) -> bool:
        """No clinics: a closed day of the hospital, or Sunday or public holiday, unless the
        hospital or the holiday data makes it a working day (调休)."""
        if day in self.closed_days:
            return True
        if day in self.working_days:
            return False
        if not self.closed_on_holidays or is_workday(day):
            return False
        if day.weekday() == 5:
            return is_public_holiday(day)
        return True

    def day_status(self, day: date, now: datetime) -> DayStatus:
        """Whether `day` can be booked by phone at `now`."""
        local = local_now(now)
        today, clock = local.date(), local.time()
        released = clock >= self.release_time
        last = today + timedelta(days=self.booking_window_days - (0 if released else 1))
        close_tomorrow = self.next_day_close_time or self.release_time
        first = today + timedelta(days=2 if clock >= close_tomorrow else 1)
        if day < first:
            return DayStatus.TOO_LATE
        if day > last:
            return DayStatus.NOT_YET
        if self.is_closed(day):
            return DayStatus.CLOSED
        return DayStatus.OPEN

    def bookable_days(self, now: datetime) -> list[date]:
        """The days that can be booked by phone at `now`, earliest first."""
        today = local_now(now).date()
        days = (today + timedelta(days=n) for n in range(1, self.booking_window_days + 1))
        return [d for d in days if self.day_status(d, now) == DayStatus.OPEN]

    def release_moment(self, day: date) -> datetime:
        """When `day` becomes bookable (local time): release time, `window` days before."""
        released_on = day - timedelta(days=self.booking_window_days)
        return datetime.combine(released_on, self.release_time, LOCAL_TZ)

    # --- cancelling -----------------------------------------------------------------------

    def cancel_deadline(self, day: date) -> datetime:
        """The last moment (local time) a visit on `day` can be cancelled."""
        before = day - timedelta(days=1)
        if self.cancel_deadline_working_day:
            for _ in range(60):  # the longest holiday is ~9 days; stay bounded anyway
                if is_workday(before):
                    break
                before -= timedelta(days=1)
        return datetime.combine(before, self.cancel_deadline_time, LOCAL_TZ)

    def can_cancel(self, day: date, now: datetime) -> bool:
        """True until the cancel deadline of a visit on `day` (inclusive)."""
        return local_now(now) <= self.cancel_deadline(day)

    # --- penalties and priority -----------------------------------------------------------

    def suspension_days(self, noshows_in_window: int) -> int:
        """Suspension for this many no-shows within `noshow_window_days` (0: none)."""
        days = 0
        for threshold, penalty in self.noshow_penalties:
            if noshows_in_window >= threshold:
                days = max(days, penalty)
        return days

    # --- the elderly share's release ---------------------------------------------------

    def elderly_release_moment(self, day: date, session: str) -> datetime | None:
        """When the unused elderly share of the `session` (am/pm) of `day` becomes ordinary
        slots anyone may book (local time); None: never released."""
        if self.elderly_release_days is not None:
            released_on = day - timedelta(days=self.elderly_release_days)
            return datetime.combine(released_on, self.elderly_release_time, LOCAL_TZ)
        if self.elderly_release_hours is not None:
            start = datetime.combine(day, SESSION_STARTS[str(session)], LOCAL_TZ)
            return start - timedelta(hours=self.elderly_release_hours)
        return None

    def elderly_released(self, day: date, session: str, now: datetime) -> bool:
        """Whether the elderly share of that session is released at `now` (inclusive)."""
        moment = self.elderly_release_moment(day, session)
        return moment is not None and local_now(now) >= moment

    def elderly_released_through(self, now: datetime) -> tuple[date, frozenset[str]] | None:
        """The released sessions at `now` for a database filter: every session of a day
        before the returned day, and the returned sessions of that day. None: none ever."""
        local = local_now(now)
        if self.elderly_release_days is not None:
            days = self.elderly_release_days - (0 if local.time() >= self.elderly_release_time
                                                else 1)
            return local.date() + timedelta(days=days + 1), frozenset()
        if self.elderly_release_hours is not None:
            horizon = local + timedelta(hours=self.elderly_release_hours)
            started = frozenset(
                name for name, start in SESSION_STARTS.items() if start <= horizon.time()
            )
            return horizon.date(), started
        return None

    @property
    def elderly_release_words(self) -> str:
        """前一天 17:00 / 前2天 17:00 / 开诊前 4 小时 / 不放开: the rule as staff read it."""
        if self.elderly_release_days is not None:
            days = self.elderly_release_days
            lead = "前一天" if days == 1 else f"前{days}天"
            return f"就诊{lead} {self.elderly_release_time:%H:%M}"
        if self.elderly_release_hours is not None:
            return f"开诊前 {self.elderly_release_hours} 小时"
        return "不放开"

    def is_elderly(self, age: int | None) -> bool:
        """At or over `elderly_age`; an unknown age counts as elderly (see module doc)."""
        return age is None or age >= self.elderly_age

