"""后台下单 for later: an operator books a ride ahead for someone who phoned ("明天早上7点").

The order form has an optional day ("现在" by default) and time. With a day, the order is
not queued: it becomes a ride booked ahead through the phone flow's own service
(`app.taxi.ahead`): the same rules (`ahead.problem`: not past, not sooner than the
release, within the service hours and the booking window), one car per hour per rider
(`ahead.overlapping_ride`), and `ahead.book`, which schedules the release into the live
queue and the evening reminder (SMS, or a call to a landline). The ride then shows on
预约用车. A refusal is a `rides.RideError` with a Chinese message; nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.core.local_time import local_today
from app.taxi import ahead, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import Ride

NOW_LABEL = "现在"
NEED_TIME = "预约以后用车，请填写接人时间（如 07:30）。"
TIME_WITHOUT_DAY = "填了接人时间，请再选用车日期；现在就要车，请把接人时间留空。"
BAD_TIME = "接人时间“{typed}”看不懂，请填写如 07:30（24小时制）。"
BAD_DAY = "只能预约{days}天以内的车，请换一天。"
PROBLEMS = {
    "past": "这个时间已经过去了，请换一个时间。",
    "soon": "这个时间很快就到了（{minutes}分钟以内），不用预约：请选“现在”直接下单。",
    "hours": "预约的车只在{hours}之间接人，请换一个时间。",
    "far": BAD_DAY,
}
OVERLAP_BOOKED = (
    "这位老人{when}已经约了车（叫车单 #{ride_id}），一个小时以内只能约一辆车。没有预约。"
)
OVERLAP_NOW = "这位老人现在有一张没有结束的叫车单（#{ride_id}），一个小时以内不能再约车。没有预约。"
_CLOCK = re.compile(r"^(\d{1,2})(?:[:：](\d{2}))?$")


@dataclass(frozen=True)
class DayChoice:
    value: str  # ISO date; "" is now
    label: str


def day_choices(now: datetime, rules: AheadRules) -> list[DayChoice]:
    """现在, then each day of the booking window (今天, 明天, 后天, 12月3号星期四 ...)."""
    today = local_today(now)
    days = [today + timedelta(days=n) for n in range(rules.booking_days + 1)]
    return [DayChoice("", NOW_LABEL)] + [
        DayChoice(d.isoformat(), f"{ahead.spoken_day(d, today)}（{d.month}月{d.day}日）")
        for d in days
    ]


def pickup_at(
    day: str, time: str, *, now: datetime, rules: AheadRules
) -> datetime | None:
    """The pickup the operator chose (None: a ride now), or `rides.RideError` saying why
    it cannot be booked."""
    day, time = day.strip(), time.strip()
    if not day:
        if time:
            raise rides.RideError(TIME_WITHOUT_DAY)
        return None
    if day not in {c.value for c in day_choices(now, rules)}:
        raise rides.RideError(BAD_DAY.format(days=rules.booking_days))
    if not time:
        raise rides.RideError(NEED_TIME)
    clock = _CLOCK.match(time)
    hour, minute = (int(clock.group(1)), int(clock.group(2) or 0)) if clock else (99, 99)
    if hour > 23 or minute > 59:
        raise rides.RideError(BAD_TIME.format(typed=time[:10]))
    when = ahead.pickup_time(date.fromisoformat(day), hour, minute)
    found = ahead.problem(when, now, rules)
    if found is not None:
        raise rides.RideError(PROBLEMS[found].format(
            minutes=rules.release_minutes, hours=ahead.service_hours(rules),
            days=rules.booking_days,
        ))
    return when


def book_ahead(
    session: Session, ride: Ride, *, pickup: datetime, now: datetime, rules: AheadRules
) -> Ride:
    """The back-office ride just made (`rides.queue`, not yet committed) booked for
    `pickup` instead: refused (`rides.RideError`) when the rider has another car within
    the hour. The check runs under the lock `rides.queue` takes for an order, so two
    operators booking one person at the same moment make one ride."""
    rides._lock_caller(session, ride.person_id, ride.caller_number)
    other = ahead.overlapping_ride(
        session, person_id=ride.person_id, number=ride.caller_number, pickup_at=pickup,
        now=now, exclude_id=ride.id,
    )
    if other is not None:
        if other.status == RideStatus.SCHEDULED and other.pickup_at is not None:
            raise rides.RideError(OVERLAP_BOOKED.format(
                when=ahead.spoken_pickup(other.pickup_at, now), ride_id=other.id
            ))
        raise rides.RideError(OVERLAP_NOW.format(ride_id=other.id))
    ride.queued_at = None
    ahead.book(session, ride, pickup_at=pickup, now=now, rules=rules)
    return ride
