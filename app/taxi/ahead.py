"""Rides booked ahead (预约用车): the rules, booking, release into the live queue, the
evening reminder, cancelling, and the dispatch console's 预约 list.

A booked ride is a ride in status `scheduled` with `pickup_at` (UTC). Booking it
schedules two job occurrences (`app.scheduler`), in the same transaction:

- `release_ride:<ride id>`, due `IVR_RIDE_RELEASE_MINUTES` before pickup: the ride joins
  the live queue (`queued`, its priority as booked; a driver assigned ahead is then
  assigned through `rides.assign_driver`, which tells the caller the plate as usual).
  Always caught up: a release the scheduler missed is done as soon as it runs again,
  since the caller still waits for the car (the queue shows it as waiting since the
  release).
- `remind_ride:<ride id>`, due at `IVR_RIDE_REMINDER_HOUR` (local) the evening before the
  pickup day: an SMS to a mobile, a call to a landline, through the outbox. Not scheduled
  when that moment has passed at booking (the caller has just heard it read back); dropped
  when missed by more than `REMINDER_GRACE` (no reminder late at night).

Both handlers look at the ride first and do nothing when it is no longer booked
(cancelled), so cancelling needs no job bookkeeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app import texts
from app.core.config import Settings
from app.core.local_time import LOCAL_TZ, local_now, local_today
from app.hospital.rules import RELATIVE_DAYS, WEEKDAYS
from app.people.age import age_on
from app.people.models import Person, SavedPlace
from app.people.phones import is_fixed_line
from app.scheduler.enums import JobKind
from app.scheduler.jobs import Handler, Job, schedule
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.notifications import tell, trip_bookers
from app.taxi.rules import ACTIVE_STATUSES

REMINDER_GRACE = timedelta(hours=2)
# One person, one car at a time: a booking closer than this to another of theirs (or, for
# a ride now still under way, to now) is refused, naming the ride they already have.
OVERLAP = timedelta(hours=1)
UNDER_WAY_NOW = (*ACTIVE_STATUSES, RideStatus.PICKED_UP.value)
NOT_BOOKED = "这张叫车单不是预约单，不能提前派车。"


@dataclass(frozen=True)
class AheadRules:
    booking_days: int = 7
    start_hour: int = 6
    end_hour: int = 22
    release_minutes: int = 30
    reminder_hour: int = 19

    @classmethod
    def from_settings(cls, settings: Settings) -> AheadRules:
        return cls(
            booking_days=settings.ride_booking_days,
            start_hour=settings.ride_service_start_hour,
            end_hour=settings.ride_service_end_hour,
            release_minutes=settings.ride_release_minutes,
            reminder_hour=settings.ride_reminder_hour,
        )


# --- the time asked for ----------------------------------------------------------------


def day_by_key(key: str, now: datetime) -> date | None:
    """1 today (later), 2 tomorrow (3 is "another day", the next question)."""
    if key in ("1", "2"):
        return local_today(now) + timedelta(days=int(key) - 1)
    return None


def day_by_weekday_key(key: str, now: datetime) -> date | None:
    """At "another day": the weekday's key (1 Monday ... 7 Sunday), the next such day
    after today (tomorrow to a week ahead)."""
    if len(key) != 1 or key not in "1234567":
        return None
    today = local_today(now)
    ahead = (int(key) - 1 - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def hour_by_key(digits: str) -> tuple[int, int] | None:
    """The hour typed: 8 is 8:00, 14 is 14:00; 1 to 5 alone are the afternoon."""
    if not digits.isdigit() or not 1 <= int(digits) <= 23:
        return None
    hour = int(digits)
    return (hour + 12 if hour <= 5 else hour), 0


def pickup_time(day: date, hour: int, minute: int) -> datetime:
    """The local day and clock time, as an aware datetime (UTC stored)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def problem(pickup_at: datetime, now: datetime, rules: AheadRules) -> str | None:
    """Why this pickup cannot be booked, or None: "past", "soon" (sooner than the release:
    that is a ride now), "hours" (outside the service hours), "far" (beyond the window)."""
    local = local_now(pickup_at)
    if pickup_at <= now:
        return "past"
    if pickup_at - now < timedelta(minutes=rules.release_minutes):
        return "soon"
    minutes = local.hour * 60 + local.minute
    if not rules.start_hour * 60 <= minutes < rules.end_hour * 60:
        return "hours"
    if (local.date() - local_today(now)).days > rules.booking_days:
        return "far"
    return None


def spoken_day(day: date, today: date) -> str:
    """今天 / 明天 / 后天 / 12月3号星期四; a day in the week after today's is 下星期
    (12月7号下星期一: on a Monday, 星期一 alone would be heard as today)."""
    ahead = (day - today).days
    if 0 <= ahead < len(RELATIVE_DAYS):
        return RELATIVE_DAYS[ahead]
    weeks = (day - timedelta(days=day.weekday()) - (today - timedelta(days=today.weekday()))).days
    week = "下星期" if weeks == 7 else "星期"
    return f"{day.month}月{day.day}号{week}{WEEKDAYS[day.weekday()]}"


def half_day(hour: int) -> str:
    """The half-day of an hour as a day answer gives it: "am" before noon, else "pm"."""
    return "am" if hour < 12 else "pm"


def as_offered(pickup_at: datetime) -> dict[str, object]:
    """A car's time as a day answer with its hour ({"date", "session", "clock"}): what a car
    offer offers (its question's `otherwise.offered`), so "要，八点的" at a car at 早上7点15分
    is never taken as a yes to it."""
    local = local_now(pickup_at)
    return {
        "date": local.date().isoformat(),
        "session": half_day(local.hour),
        "clock": [local.hour, local.minute],
    }


def spoken_pickup(pickup_at: datetime, now: datetime, *, weekday: bool = False) -> str:
    """明天早上8点 / 后天下午2点半 / 12月3号星期四上午9点: day, part of the day, hour.
    `weekday`: 今天/明天/后天 with the weekday too, as read back (明天（星期二）早上8点)."""
    local = local_now(pickup_at)
    day = spoken_day(local.date(), local_today(now))
    if weekday and "星期" not in day:
        day += f"（星期{WEEKDAYS[local.weekday()]}）"
    hour = local.hour
    if hour == 0:
        part = "半夜"  # 半夜12点, never "早上0点"
    elif hour < 6:
        part = "凌晨"
    elif hour < 9:
        part = "早上"
    elif hour < 12:
        part = "上午"
    elif hour < 13:
        part = "中午"
    elif hour < 18:
        part = "下午"
    else:
        part = "晚上"
    said_hour = 12 if hour == 0 else hour - 12 if hour > 12 else hour
    minutes = "半" if local.minute == 30 else (f"{local.minute}分" if local.minute else "")
    return f"{day}{part}{said_hour}点{minutes}"


def service_hours(rules: AheadRules) -> str:
    """早上6点到晚上10点, for the caller."""
    start = pickup_time(date(2026, 1, 1), rules.start_hour, 0)
    end_hour = rules.end_hour % 24
    end = "半夜12点" if end_hour == 0 else spoken_pickup(
        pickup_time(date(2026, 1, 1), end_hour, 0), start
    ).removeprefix("今天")
    return f"{spoken_pickup(start, start).removeprefix('今天')}到{end}"


# --- booking ---------------------------------------------------------------------------


def book(
    session: Session, ride: Ride, *, pickup_at: datetime, now: datetime, rules: AheadRules
) -> bool:
    """The caller confirmed: the draft becomes a booked ride, its release and reminder are
    scheduled. True when a reminder will be sent."""
    ride.status = RideStatus.SCHEDULED
    ride.pickup_at = pickup_at
    session.flush()
    schedule(
        session,
        kind=JobKind.RELEASE_RIDE,
        subject_id=ride.id,
        due_at=pickup_at - timedelta(minutes=rules.release_minutes),
        key=f"release_ride:{ride.id}",
    )
    remind_at = reminder_time(pickup_at, rules)
    if ride.caller_number is None or remind_at is None or remind_at <= now:
        return False
    schedule(
        session,
        kind=JobKind.REMIND_RIDE,
        subject_id=ride.id,
        due_at=remind_at,
        key=f"remind_ride:{ride.id}",
        drop_after=remind_at + REMINDER_GRACE,
    )
    return True


def reminder_time(pickup_at: datetime, rules: AheadRules) -> datetime | None:
    """The evening before the pickup day, at the reminder hour (local)."""
    day_before = local_now(pickup_at).date() - timedelta(days=1)
    return pickup_time(day_before, rules.reminder_hour, 0)


def booked_rides_of(
    session: Session, *, person_id: int | None, number: str | None
) -> list[Ride]:
    """The caller's booked rides, soonest first: by person when known, else by number."""
    if person_id is not None:
        who = Ride.person_id == person_id
    elif number:
        who = Ride.caller_number == number
    else:
        return []
    return list(
        session.scalars(
            select(Ride)
            .where(who, Ride.status == RideStatus.SCHEDULED)
            .order_by(Ride.pickup_at, Ride.id)
        )
    )


def booked_rides_for_caller(
    session: Session, *, person_ids: list[int], number: str | None
) -> list[Ride]:
    """Booked rides of the caller's people (themself, relatives they order for) or number."""
    who: list[ColumnElement[bool]] = [Ride.person_id.in_(person_ids)] if person_ids else []
    if number:
        who.append(Ride.caller_number == number)
    if not who:
        return []
    return list(
        session.scalars(
            select(Ride)
            .where(or_(*who), Ride.status == RideStatus.SCHEDULED)
            .order_by(Ride.pickup_at, Ride.id)
        )
    )


def overlapping_ride(
    session: Session,
    *,
    person_id: int | None,
    number: str | None,
    pickup_at: datetime,
    now: datetime,
    exclude_id: int | None = None,
) -> Ride | None:
    """The rider's ride this booking would double: a booked ride less than `OVERLAP` from
    `pickup_at`, or a ride now still under way when `pickup_at` is less than `OVERLAP`
    away. The rider is the person when known, else the caller's number."""
    if person_id is not None:
        who: ColumnElement[bool] = Ride.person_id == person_id
    elif number:
        who = (Ride.caller_number == number) & Ride.person_id.is_(None)
    else:
        return None
    others = session.scalars(
        select(Ride)
        .where(
            who,
            Ride.id != (exclude_id or 0),
            or_(Ride.status == RideStatus.SCHEDULED, Ride.status.in_(UNDER_WAY_NOW)),
        )
        .order_by(Ride.pickup_at, Ride.id)
    )
    for ride in others:
        if ride.status == RideStatus.SCHEDULED:
            if ride.pickup_at is not None and abs(ride.pickup_at - pickup_at) < OVERLAP:
                return ride
        elif pickup_at - now < OVERLAP:
            return ride
    return None


def cancel_booked(
    session: Session, *, ride_id: int, reason: str, by_number: str | None = None
) -> Ride:
    """Cancel a booked ride (the caller is told, as for any cancelled ride, and the person
    it was for when `by_number`, who cancels, is not theirs)."""
    ride = session.get(Ride, ride_id, populate_existing=True)
    if ride is None or ride.status != RideStatus.SCHEDULED:
        raise rides.RideNotFound()
    return rides.cancel(
        session, ride_id=ride.id, expected_version=ride.version, reason=reason, by_number=by_number
    )


def assign_ahead(
    session: Session, *, ride_id: int, driver_id: int | None, expected_version: int
) -> Ride:
    """An operator names the driver of a booked ride ahead of time (None: no driver yet):
    any active driver of an active company, on duty or not. Nobody is told now: at release
    the ride is assigned to this driver through `rides.assign_driver`, which checks the
    driver is on duty and free and tells the caller."""
    ride = rides._locked_ride(session, ride_id)
    rides._check_version(ride, expected_version)
    if ride.status != RideStatus.SCHEDULED:
        raise rides.RideConflict(NOT_BOOKED)
    if driver_id is not None:
        # Off duty now is fine (a ride for tomorrow); on duty is checked at release.
        rides._locked_driver(session, driver_id, on_duty_now=False)
    ride.driver_id = driver_id
    rides._flush(session, ride)
    return ride


# --- the jobs --------------------------------------------------------------------------


def release(session: Session, job: Job, now: datetime, *, notify_voice_call: bool) -> None:
    """The ride joins the live queue; a driver named ahead is assigned now."""
    try:
        ride = rides._locked_ride(session, job.subject_id)
    except rides.RideNotFound:
        return  # erased with its person's records (app/people/erasure.py)
    if ride.status != RideStatus.SCHEDULED:
        return  # cancelled meanwhile
    driver_id = ride.driver_id
    ride.status = RideStatus.QUEUED
    ride.queued_at = now
    ride.driver_id = None
    rides._flush(session, ride)
    if driver_id is None or ride.pickup_at is None:
        return
    minutes = int((ride.pickup_at - now).total_seconds() // 60)
    # assign_driver checks everything before it changes anything; a busy or stopped driver
    # leaves the ride waiting in the queue for an operator.
    with suppress(rides.RideError):
        rides.assign_driver(
            session,
            ride_id=ride.id,
            driver_id=driver_id,
            eta_minutes=min(120, max(1, minutes)),
            expected_version=ride.version,
            notify_voice_call=notify_voice_call,
        )


def remind(session: Session, job: Job, now: datetime) -> None:
    """The evening before: "明天早上8点，车到家接您" by SMS, or a call to a landline."""
    ride = session.get(Ride, job.subject_id, populate_existing=True)
    if ride is None or ride.status != RideStatus.SCHEDULED or ride.pickup_at is None:
        return
    number = ride.caller_number
    if not number:
        return
    when = spoken_pickup(ride.pickup_at, now)
    place = _place_said(session, ride)
    tell(
        session,
        number,
        sms=texts.sms("ride_reminder", when=when, place=place),
        voice=texts.voice("ride_reminder", when=when, place=place),
        key=f"ride:{ride.id}:reminder:sms:{number}",
    )
    bookers = trip_bookers(session, ride)
    if bookers:  # a relative who booked the appointment the car goes to
        person = session.get(Person, ride.person_id) if ride.person_id else None
        whom = (person.call_name or person.full_name) if person is not None else ""
        # 家 is the person's home, not the relative's: 张奶奶家
        where = f"{whom}家" if place == "家" and whom else place
        for other in bookers:
            tell(
                session,
                other,
                sms=texts.sms("ride_reminder_for", when=when, place=where),
                voice=texts.voice("ride_reminder_for", when=when, place=where),
                key=f"ride:{ride.id}:reminder:sms:{other}",
            )


def job_handlers(settings: Settings) -> Mapping[JobKind, Handler]:
    def release_job(session: Session, job: Job, now: datetime) -> None:
        release(session, job, now, notify_voice_call=settings.notify_voice_call)

    return {JobKind.RELEASE_RIDE: release_job, JobKind.REMIND_RIDE: remind}


def reminder_how(number: str | None, reminded: bool) -> str:
    """What the caller is promised at the end of a booking call."""
    if not reminded or number is None:
        return ""
    key = "ride_reminder_call" if is_fixed_line(number) else "ride_reminder_sms"
    return texts.spoken(key)


def _place_said(session: Session, ride: Ride) -> str:
    place = session.get(SavedPlace, ride.pickup_place_id) if ride.pickup_place_id else None
    if place is not None:
        return place.label
    return texts.spoken("place_said") if ride.pickup_address is None else ride.pickup_address


# --- the dispatch console's 预约 list ---------------------------------------------------


@dataclass(frozen=True)
class BookedEntry:
    ride_id: int
    version: int
    pickup_at: datetime
    pickup_said: str
    release_at: datetime
    person_name: str | None
    age: int | None
    caller_number: str | None
    pickup_label: str | None
    pickup_address: str | None
    to_hospital: bool
    destination: str | None
    priority: int
    driver_id: int | None
    driver_name: str | None
    driver_plate: str | None
    regular: bool = False  # a day of a regular ride (定期用车, app/taxi/regular.py)


def booked_list(session: Session, *, now: datetime, rules: AheadRules) -> list[BookedEntry]:
    """Every booked ride not yet released, soonest pickup first."""
    rows = session.execute(
        select(Ride, Person, SavedPlace, Driver)
        .outerjoin(Person, Ride.person_id == Person.id)
        .outerjoin(SavedPlace, Ride.pickup_place_id == SavedPlace.id)
        .outerjoin(Driver, Ride.driver_id == Driver.id)
        .where(Ride.status == RideStatus.SCHEDULED)
        .order_by(Ride.pickup_at, Ride.id)
    ).all()
    entries = []
    for ride, person, place, driver in rows:
        pickup_at = ride.pickup_at or now
        entries.append(
            BookedEntry(
                ride_id=ride.id,
                version=ride.version,
                pickup_at=pickup_at,
                pickup_said=spoken_pickup(pickup_at, now),
                release_at=pickup_at - timedelta(minutes=rules.release_minutes),
                person_name=(person.call_name or person.full_name) if person else ride.caller_name,
                age=age_on(person.birth_date, local_today(now)) if person else None,
                caller_number=ride.caller_number,
                pickup_label=place.label if place else None,
                pickup_address=ride.pickup_address or (place.address if place else None),
                to_hospital=ride.to_hospital,
                destination=ride.destination,
                priority=ride.priority,
                driver_id=driver.id if driver else None,
                driver_name=driver.name if driver else None,
                driver_plate=driver.plate if driver else None,
                regular=ride.regular_ride_id is not None,
            )
        )
    return entries


# --- booked rides a stopped clinic session (停诊) cancelled ----------------------------


@dataclass(frozen=True)
class StoppedEntry:
    """A booked hospital trip cancelled because the hospital stopped the clinic session:
    dispatch sees it ("因停诊取消") until its pickup time has passed, with the driver named
    ahead (who was not told by SMS: the ride was not under way) to tell by phone."""

    ride_id: int
    pickup_at: datetime
    person_name: str | None
    age: int | None
    caller_number: str | None
    pickup_address: str | None
    destination: str | None
    reason: str
    driver_name: str | None
    driver_plate: str | None


def stopped_list(session: Session, *, now: datetime) -> list[StoppedEntry]:
    """Booked rides a 停诊 cancelled whose pickup is still to come, soonest first (the
    reason the hospital desk writes starts with `STOP_REASON_PREFIX`)."""
    from app.hospital.desk import STOP_REASON_PREFIX

    rows = session.execute(
        select(Ride, Person, SavedPlace, Driver)
        .outerjoin(Person, Ride.person_id == Person.id)
        .outerjoin(SavedPlace, Ride.pickup_place_id == SavedPlace.id)
        .outerjoin(Driver, Ride.driver_id == Driver.id)
        .where(
            Ride.status == RideStatus.CANCELLED,
            Ride.pickup_at >= now,
            Ride.cancel_reason.startswith(STOP_REASON_PREFIX, autoescape=True),
        )
        .order_by(Ride.pickup_at, Ride.id)
    ).all()
    return [
        StoppedEntry(
            ride_id=ride.id,
            pickup_at=ride.pickup_at or now,
            person_name=(person.call_name or person.full_name) if person else ride.caller_name,
            age=age_on(person.birth_date, local_today(now)) if person else None,
            caller_number=ride.caller_number,
            pickup_address=ride.pickup_address or (place.address if place else None),
            destination=ride.destination,
            reason=(ride.cancel_reason or "").removeprefix(STOP_REASON_PREFIX),
            driver_name=driver.name if driver else None,
            driver_plate=driver.plate if driver else None,
        )
        for ride, person, place, driver in rows
    ]
