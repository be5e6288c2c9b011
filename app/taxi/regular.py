"""Regular rides (定期用车, 爱心车队): a person's ride on fixed weekdays at a fixed time,
kept as a rule, each instance an ordinary ride booked ahead.

    staff (dispatch, or -> `create`: the rule, validated; `advance` makes the instances
    community console)     already due and schedules the next one; `edit` changes it:
                           the days not made yet follow, the days made are kept
                           (`made_ahead` lists them)
    scheduler           -> job `regular_ride:<rule>:<day>` at the instance's pickup minus
                           IVR_REGULAR_RIDE_AHEAD_HOURS: `advance` makes that instance a
                           booked ride (`ahead.book`: released into the live queue and
                           reminded the evening before like any other), then schedules
                           the next day's job
    staff (either       -> `skip` one day (made already: cancelled; not yet: written as a
    console)               cancelled instance, so it is never made), `pause`, `resume`,
                           `end` (now, or after a last day: the days made after it are
                           cancelled, their riders told)

With a return time each day has two instances, made together when the ride there is due:
there, and back from the destination to the pickup (`regular_return`); skipping the day
skips both. A return is never made alone: a day whose ride there was not made (its pickup
had passed when the rule began or resumed) gets no return either, and ending the rule
cancels a booked return whose ride there was never made. Never twice: an instance is a
ride with `regular_ride_id`, `regular_day` and `regular_return`, unique together in the
database; a skipped one stays (cancelled) and holds its day. Missed jobs (the scheduler
was down) are caught up: `advance` makes every instance of the window whose
pickup is still ahead, so an instance is dropped only when its pickup has passed.

Days: the rule's weekdays from its first to its last day (none: until ended); with
`skip_holidays`, named public holidays (春节, 国庆节 ..., `chinese_calendar` through
`app.hospital.rules.is_public_holiday`) are left out; weekends are just weekdays here. A
deactivated person gets no instances (the rule stays, for when they are active again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import texts
from app.core.config import Settings
from app.core.local_time import local_now, local_today
from app.hospital.rules import is_public_holiday
from app.people.age import age_on
from app.people.enums import PhoneKind
from app.people.models import Person, PersonPhone, SavedPlace
from app.scheduler.enums import JobKind, JobStatus
from app.scheduler.jobs import Handler, Job, schedule
from app.scheduler.models import ScheduledJob
from app.taxi import ahead, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RegularStatus, RideStatus
from app.taxi.models import RegularRide, Ride, TaxiCompany
from app.taxi.notifications import tell
from app.taxi.rules import ride_priority

logger = logging.getLogger(__name__)

WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
SKIP_REASON = "定期用车：这一次不用车"
END_REASON = "定期用车已停止"  # also the days after an end date set ahead
# How far `next_day` looks for the next instance (a rule whose weekdays all fall on
# holidays for a year has none).
SEARCH_DAYS = 400


class RegularRideError(Exception):
    """A rule or a change refused; `.message` is Chinese, for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RegularRules:
    ahead: timedelta  # an instance is made this long before its pickup
    booking: AheadRules

    @classmethod
    def from_settings(cls, settings: Settings) -> RegularRules:
        return cls(
            ahead=timedelta(hours=settings.regular_ride_ahead_hours),
            booking=AheadRules.from_settings(settings),
        )


# --- days ----------------------------------------------------------------------------


def weekdays_of(rule: RegularRide) -> set[int]:
    return {int(part) for part in rule.weekdays.split(",") if part.strip()}


def weekdays_said(rule: RegularRide) -> str:
    """每周二、五"""
    return "每周" + "、".join(WEEKDAY_NAMES[d] for d in sorted(weekdays_of(rule)))


def day_said(day: date, today: date) -> str:
    """A day as the pages say it: 12月01日 (with the year when not this year's)."""
    return day.strftime("%m月%d日" if day.year == today.year else "%Y年%m月%d日")


def span_said(rule: RegularRide, *, rode: bool, today: date) -> str:
    """The rule's days in words: 12月01日起，到12月31日; an ended rule that never made a
    ride (stopped before its first day, or every made day cancelled) says so plainly."""
    if rule.status == RegularStatus.ENDED and not rode:
        return "已停止，一次也没有用车"
    span = f"{day_said(rule.first_day, today)}起"
    if rule.last_day is not None:
        span += f"，到{day_said(rule.last_day, today)}"
    return span


def runs_on(rule: RegularRide, day: date) -> bool:
    """The rule has an instance that day (before any skip)."""
    if day < rule.first_day or (rule.last_day is not None and day > rule.last_day):
        return False
    if day.isoweekday() not in weekdays_of(rule):
        return False
    return not (rule.skip_holidays and is_public_holiday(day))


def days(rule: RegularRide, first: date, last: date) -> list[date]:
    """The rule's days in first..last."""
    found, day = [], first
    while day <= last:
        if runs_on(rule, day):
            found.append(day)
        day += timedelta(days=1)
    return found


def pickup_of(rule: RegularRide, day: date, *, back: bool = False) -> datetime:
    """The pickup of the day's ride there (`back`: of its return)."""
    at = rule.return_time if back and rule.return_time is not None else rule.pickup_time
    return ahead.pickup_time(day, at.hour, at.minute)


def legs(rule: RegularRide) -> tuple[bool, ...]:
    """The rides of each day: there, and back when the rule has a return time."""
    return (False, True) if rule.return_time is not None else (False,)


# --- the rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFields:
    """What staff choose for a rule (set up, or changed later)."""

    weekdays: set[int]
    pickup_time: time
    pickup_place_id: int
    destination: str | None
    to_hospital: bool
    last_day: date | None
    skip_holidays: bool
    company_id: int | None
    note: str | None
    return_time: time | None = None


def _checked(
    session: Session, person_id: int, fields: RuleFields, *, first_day: date, rules: RegularRules
) -> SavedPlace:
    """The refusals common to setting up and changing a rule; the pickup place."""
    if not fields.weekdays:
        raise RegularRideError("请至少选一个星期几。")
    if not fields.weekdays <= set(WEEKDAY_NAMES):
        raise RegularRideError("星期几只能是一到日。")
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise RegularRideError("找不到这位老人，或这位老人的登记已经停用。")
    place = session.get(SavedPlace, fields.pickup_place_id)
    if place is None or place.person_id != person_id:
        raise RegularRideError("上车地点要是这位老人登记的地点。")
    booking = rules.booking
    for at in (fields.pickup_time, fields.return_time):
        if at is None:
            continue
        minutes = at.hour * 60 + at.minute
        if not booking.start_hour * 60 <= minutes < booking.end_hour * 60:
            raise RegularRideError(
                f"接人的时间要在早上{booking.start_hour}点到晚上{booking.end_hour - 12}点之间。"
            )
    if fields.return_time is not None:
        if not (fields.destination or "").strip():
            raise RegularRideError("有回程的，请填写去哪里：回程从那里接老人回来。")
        if fields.return_time <= fields.pickup_time:
            raise RegularRideError("回程的时间要晚于去的时间。")
    if fields.last_day is not None and fields.last_day < first_day:
        raise RegularRideError("结束日期不能早于开始日期。")
    if fields.company_id is not None:
        company = session.get(TaxiCompany, fields.company_id)
        if company is None or not company.active:
            raise RegularRideError("找不到这个车队。")
    return place


def _apply(rule: RegularRide, fields: RuleFields, place: SavedPlace) -> None:
    rule.weekdays = ",".join(str(d) for d in sorted(fields.weekdays))
    rule.pickup_time = fields.pickup_time.replace(second=0, microsecond=0)
    rule.return_time = (
        fields.return_time.replace(second=0, microsecond=0) if fields.return_time else None
    )
    rule.pickup_place_id = place.id
    rule.pickup_address = place.address
    rule.destination = (fields.destination or "").strip()[:200] or None
    rule.to_hospital = fields.to_hospital
    rule.last_day = fields.last_day
    rule.skip_holidays = fields.skip_holidays
    rule.company_id = fields.company_id
    rule.note = (fields.note or "").strip()[:100] or None


def _has_a_day(rule: RegularRide, first: date) -> None:
    if not days(rule, first, rule.last_day or first + timedelta(days=SEARCH_DAYS)):
        raise RegularRideError("这些日子里没有要用车的一天（都是节假日或不在日期范围内）。")


def create(
    session: Session,
    *,
    person_id: int,
    fields: RuleFields,
    first_day: date,
    staff_id: int | None,
    now: datetime,
    rules: RegularRules,
) -> RegularRide:
    """A new rule, checked; the instances already due are made at once."""
    if first_day < local_today(now):
        raise RegularRideError("开始日期已经过了，请从今天或以后开始。")
    place = _checked(session, person_id, fields, first_day=first_day, rules=rules)
    rule = RegularRide(
        person_id=person_id, first_day=first_day, created_by_staff_id=staff_id,
        status=RegularStatus.ACTIVE,
    )
    _apply(rule, fields, place)
    session.add(rule)
    session.flush()
    _has_a_day(rule, first_day)
    advance(session, rule, now=now, rules=rules)
    logger.info("regular ride %s created for person %s", rule.id, person_id)
    return rule


def edit(
    session: Session,
    *,
    rule_id: int,
    expected_version: int,
    fields: RuleFields,
    now: datetime,
    rules: RegularRules,
) -> list[Ride]:
    """Change a rule (weekdays, times, pickup, destination, last day ...). The days not made
    yet follow the new rule; the days already made as booked rides are **kept** as they
    are (decision, docs/taxi.md: they are at most `rules.ahead` away, the rider may have
    been reminded and a driver named; staff skip one that must not go). Those kept (still
    to come, not cancelled) are returned, for the page to list."""
    rule = _rule(session, rule_id, expected_version)
    if rule.status == RegularStatus.ENDED:
        raise RegularRideError("这个定期用车已经停止了，不能再改；请新设一个。")
    place = _checked(session, rule.person_id, fields, first_day=rule.first_day, rules=rules)
    _apply(rule, fields, place)
    session.flush()
    _has_a_day(rule, max(rule.first_day, local_today(now)))
    _drop_pending_jobs(session, rule.id)
    advance(session, rule, now=now, rules=rules)
    logger.info("regular ride %s changed", rule.id)
    return made_ahead(session, rule.id, now=now)


def made_ahead(session: Session, rule_id: int, *, now: datetime) -> list[Ride]:
    """The rule's rides already made and still to come (booked, or further on)."""
    return list(
        session.scalars(
            select(Ride)
            .where(
                Ride.regular_ride_id == rule_id,
                Ride.status != RideStatus.CANCELLED,
                Ride.pickup_at > now,
            )
            .order_by(Ride.pickup_at, Ride.id)
        )
    )


def _drop_pending_jobs(session: Session, rule_id: int) -> None:
    """The rule's next-day job may be at the old time: dropped, and `advance` schedules
    the next one anew (a job of the same key and day is put back to pending)."""
    session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.kind == JobKind.REGULAR_RIDE,
            ScheduledJob.subject_id == rule_id,
            ScheduledJob.status == JobStatus.PENDING,
        )
        .values(status=JobStatus.DROPPED)
        .execution_options(synchronize_session=False)
    )


def _rule(session: Session, rule_id: int, expected_version: int | None = None) -> RegularRide:
    rule = session.get(RegularRide, rule_id, populate_existing=True)
    if rule is None:
        raise RegularRideError("找不到这个定期用车。")
    if expected_version is not None and rule.version != expected_version:
        raise RegularRideError("这个定期用车刚刚被别人改过，请看一下现在的情况再操作。")
    return rule


def pause(session: Session, *, rule_id: int, expected_version: int) -> RegularRide:
    """No more instances until resumed; those made already stay booked."""
    rule = _rule(session, rule_id, expected_version)
    if rule.status != RegularStatus.ACTIVE:
        raise RegularRideError("只有正在进行的定期用车可以暂停。")
    rule.status = RegularStatus.PAUSED
    session.flush()
    return rule


def resume(
    session: Session, *, rule_id: int, expected_version: int, now: datetime, rules: RegularRules
) -> RegularRide:
    rule = _rule(session, rule_id, expected_version)
    if rule.status != RegularStatus.PAUSED:
        raise RegularRideError("只有暂停的定期用车可以恢复。")
    rule.status = RegularStatus.ACTIVE
    session.flush()
    advance(session, rule, now=now, rules=rules)
    return rule


def end(
    session: Session, *, rule_id: int, expected_version: int, now: datetime,
    last_day: date | None = None,
) -> list[Ride]:
    """Stop the rule. Without `last_day`, now: no more instances, and the booked ones not
    yet released are cancelled, except a return whose ride there has gone or is in the
    queue (the rider is brought back); a return whose ride there was never made goes.
    With `last_day` (today or later), after that day: the days up to it go on as before
    (a later last day keeps the rule active until then; it can still be paused, changed
    or ended sooner), and the days after it already made as booked rides are cancelled.
    Either way each cancelled day's rider is told once, as for a skipped day. The rides
    cancelled (the legs of those days) are returned."""
    rule = _rule(session, rule_id, expected_version)
    if rule.status == RegularStatus.ENDED:
        raise RegularRideError("这个定期用车已经停止了。")
    today = local_today(now)
    if last_day is not None:
        if last_day < today:
            raise RegularRideError("最后一天不能早于今天；今天就停，请选今天。")
        if last_day < rule.first_day:
            raise RegularRideError("最后一天不能早于开始日期。")
        if rule.last_day is not None and rule.last_day <= last_day:
            raise RegularRideError(
                f"这个定期用车本来就到{day_said(rule.last_day, today)}为止；要延长请用“修改”。"
            )
    going = select(Ride).where(
        Ride.regular_ride_id == rule.id, Ride.status != RideStatus.CANCELLED,
        Ride.pickup_at > now,
    )
    if last_day is not None:
        going = going.where(Ride.regular_day > last_day)
    made = list(session.scalars(going.order_by(Ride.pickup_at, Ride.id)))
    made += [ride for ride in _lone_returns(session, rule.id, now=now) if ride not in made]
    made = [ride for ride in made if not _brings_back(session, ride, cancelling=made)]
    if last_day is not None and any(ride.status != RideStatus.SCHEDULED for ride in made):
        raise RegularRideError(
            "最后一天以后有一次车已经进入派车队列，请先在调度台取消那一次。"
        )
    if last_day is None or last_day <= today:
        rule.status = RegularStatus.ENDED
        rule.last_day = max(last_day or today, rule.first_day)
    else:  # a pending job for a later day makes nothing (`days` stops at the last day)
        rule.last_day = last_day
    session.flush()
    cancelled = [
        rides.cancel(session, ride_id=ride.id, expected_version=ride.version,
                     reason=END_REASON, notify=False)
        for ride in made if ride.status == RideStatus.SCHEDULED
    ]
    told: set[date | None] = set()
    for ride in cancelled:  # one message a day, as for a skipped day
        if ride.regular_day in told or not ride.caller_number or ride.pickup_at is None:
            continue
        told.add(ride.regular_day)
        when = ahead.spoken_pickup(ride.pickup_at, now)
        key, values = (("regular_ride_ended", {"when": when}) if last_day is None else
                       ("regular_ride_ends", {"when": when,
                                              "until": ahead.spoken_day(last_day, today)}))
        tell(
            session,
            ride.caller_number,
            sms=texts.sms(key, **values),
            voice=texts.voice(key, **values),
            key=f"ride:{ride.id}:ended:sms:{ride.caller_number}",
        )
    return cancelled


def _brings_back(session: Session, ride: Ride, *, cancelling: list[Ride]) -> bool:
    """A return whose ride there goes (gone already, or released into the queue): kept
    when the rule ends now, or the rider would be left where the car took them."""
    if not ride.regular_return or ride.regular_ride_id is None or ride.regular_day is None:
        return False
    there = instance(session, ride.regular_ride_id, ride.regular_day)
    if there is None or there.status == RideStatus.CANCELLED:
        return False
    return not (there in cancelling and there.status == RideStatus.SCHEDULED)


def _lone_returns(session: Session, rule_id: int, *, now: datetime) -> list[Ride]:
    """The booked returns still ahead whose ride there that day was never made (made
    alone before returns followed their ride there): nobody to bring back, cancelled when
    the rule ends. A return whose ride there was cancelled by phone is kept (decision,
    docs/taxi.md: someone else may take them there)."""
    returns = session.scalars(
        select(Ride).where(
            Ride.regular_ride_id == rule_id, Ride.regular_return.is_(True),
            Ride.status == RideStatus.SCHEDULED, Ride.pickup_at > now,
        )
    )
    lone = []
    for ride in returns:
        there = instance(session, rule_id, ride.regular_day) if ride.regular_day else None
        if there is None:
            lone.append(ride)
    return lone


def skip(
    session: Session, *, rule_id: int, day: date, now: datetime
) -> Ride:
    """This day without a car, the rule going on. An instance made already is cancelled
    (the person is told); one not made yet is written as a cancelled instance, which holds
    its day so the scheduler never makes it."""
    rule = _rule(session, rule_id)
    if not runs_on(rule, day):
        raise RegularRideError("这一天本来就不用车。")
    if pickup_of(rule, day) <= now:
        raise RegularRideError("这一次的时间已经过了。")
    made = [instance(session, rule.id, day, back=back) for back in legs(rule)]
    live = [ride for ride in made if ride is not None and ride.status != RideStatus.CANCELLED]
    if made[0] is not None and not live:
        raise RegularRideError("这一次已经取消了。")
    if any(ride.status != RideStatus.SCHEDULED for ride in live):
        raise RegularRideError("这一次的车已经进入派车队列，请在调度台取消。")
    skipped: list[Ride] = []
    for back, ride in zip(legs(rule), made, strict=True):
        if ride is None:  # not made yet: held as cancelled, so it is never made
            ride = _new_instance(session, rule, day, status=RideStatus.CANCELLED, now=now,
                                 back=back)
            ride.cancel_reason = SKIP_REASON
            session.flush()
        elif ride.status == RideStatus.SCHEDULED:
            ride = rides.cancel(session, ride_id=ride.id, expected_version=ride.version,
                                reason=SKIP_REASON, notify=False)
        skipped.append(ride)
    told = next((ride for ride in skipped if ride in live), None)
    if told is not None and told.caller_number and told.pickup_at is not None:
        when = ahead.spoken_pickup(told.pickup_at, now)  # one message for the day
        tell(
            session,
            told.caller_number,
            sms=texts.sms("regular_ride_skipped", when=when),
            voice=texts.voice("regular_ride_skipped", when=when),
            key=f"ride:{told.id}:skipped:sms:{told.caller_number}",
        )
    return skipped[0]


# --- instances -----------------------------------------------------------------------


def instance(session: Session, rule_id: int, day: date, *, back: bool = False) -> Ride | None:
    """The day's ride there (`back`: its return), made or skipped; None: not yet."""
    return session.scalar(
        select(Ride).where(
            Ride.regular_ride_id == rule_id, Ride.regular_day == day,
            Ride.regular_return.is_(back),
        )
    )


def contact_number(session: Session, person_id: int) -> str | None:
    """The person's own phone (a mobile first): reminded and told the plate."""
    phones = list(
        session.scalars(
            select(PersonPhone).where(PersonPhone.person_id == person_id).order_by(PersonPhone.id)
        )
    )
    phones.sort(key=lambda p: p.kind != PhoneKind.MOBILE)
    return phones[0].number if phones else None


def _new_instance(
    session: Session, rule: RegularRide, day: date, *, status: RideStatus, now: datetime,
    back: bool = False,
) -> Ride:
    """The ride there, or (`back`) the return: from the destination to the pickup, not
    marked as a trip to hospital but with the same priority (after dialysis, a patient
    waits at the hospital)."""
    person = session.get(Person, rule.person_id)
    assert person is not None
    ride = Ride(
        person_id=rule.person_id,
        caller_number=contact_number(session, rule.person_id),
        status=status,
        pickup_place_id=None if back else rule.pickup_place_id,
        pickup_address=rule.destination if back else rule.pickup_address,
        destination=rule.pickup_address if back else rule.destination,
        to_hospital=rule.to_hospital and not back,
        priority=ride_priority(
            age=age_on(person.birth_date, local_today(now)), to_hospital=rule.to_hospital
        ),
        pickup_at=pickup_of(rule, day, back=back),
        created_by_staff_id=rule.created_by_staff_id,
        regular_ride_id=rule.id,
        regular_day=day,
        regular_return=back,
    )
    with session.begin_nested():  # the unique (rule, day) is the last line against twice
        session.add(ride)
        session.flush()
    return ride


def advance(session: Session, rule: RegularRide, *, now: datetime, rules: RegularRules) -> int:
    """Make the instances due by now (pickup within `rules.ahead`, still ahead) that do not
    exist yet, then schedule the job of the next one. The number made."""
    if rule.status != RegularStatus.ACTIVE:
        return 0
    person = session.get(Person, rule.person_id)
    made = 0
    today = local_today(now)
    for day in days(rule, today, local_now(now + rules.ahead).date()):
        # A day is due when its ride there is: both legs are made then.
        if pickup_of(rule, day) - rules.ahead > now or person is None or not person.active:
            continue
        there = instance(session, rule.id, day)
        if there is not None and there.status == RideStatus.CANCELLED:
            continue  # the day was skipped: its return too
        for back in legs(rule):
            pickup_at = pickup_of(rule, day, back=back)
            if pickup_at <= now or instance(session, rule.id, day, back=back) is not None:
                continue
            if back and instance(session, rule.id, day) is None:
                continue  # the ride there was not made (its pickup passed): no lone return
            try:
                ride = _new_instance(session, rule, day, status=RideStatus.DRAFT, now=now,
                                     back=back)
            except IntegrityError:  # made meanwhile by another process
                continue
            ahead.book(session, ride, pickup_at=pickup_at, now=now, rules=rules.booking)
            if back:  # one reminder an evening: the ride there's
                _drop_job(session, f"remind_ride:{ride.id}")
            made += 1
    following = next_day(rule, after=now + rules.ahead)
    if following is not None:
        due_at = pickup_of(rule, following) - rules.ahead
        job = schedule(
            session,
            kind=JobKind.REGULAR_RIDE,
            subject_id=rule.id,
            due_at=due_at,
            key=f"regular_ride:{rule.id}:{following.isoformat()}",
        )
        if job.status == JobStatus.DROPPED:  # dropped by a change of the rule: due again
            job.status, job.due_at = JobStatus.PENDING, due_at
            session.flush()
    return made


def _drop_job(session: Session, key: str) -> None:
    session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.key == key, ScheduledJob.status == JobStatus.PENDING)
        .values(status=JobStatus.DROPPED)
        .execution_options(synchronize_session=False)
    )


def next_day(rule: RegularRide, *, after: datetime) -> date | None:
    """The first day of the rule whose pickup is later than `after`."""
    day = max(local_now(after).date(), rule.first_day)
    for _ in range(SEARCH_DAYS):
        if rule.last_day is not None and day > rule.last_day:
            return None
        if runs_on(rule, day) and pickup_of(rule, day) > after:
            return day
        day += timedelta(days=1)
    return None


def job_handlers(settings: Settings) -> Mapping[JobKind, Handler]:
    rules = RegularRules.from_settings(settings)

    def make_instance(session: Session, job: Job, now: datetime) -> None:
        rule = session.get(RegularRide, job.subject_id, populate_existing=True)
        if rule is not None:
            advance(session, rule, now=now, rules=rules)

    return {JobKind.REGULAR_RIDE: make_instance}


# --- the console's list --------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingDay:
    day: date
    pickup_at: datetime
    ride_id: int | None
    state: str  # 待生成, 已预约, 已派车 ..., 已取消 (skipped)
    can_skip: bool
    return_state: str | None = None  # the return's, when the rule has one
    return_at: datetime | None = None


@dataclass(frozen=True)
class RuleEntry:
    rule: RegularRide
    person_name: str
    pickup_label: str | None
    company: str | None
    weekdays_said: str
    upcoming: list[UpcomingDay]
    span: str = ""  # span_said


STATE_LABELS = {
    RideStatus.SCHEDULED: "已预约",
    RideStatus.QUEUED: "等待派车",
    RideStatus.NO_CAR: "暂无车辆",
    RideStatus.ASSIGNED: "已派车",
    RideStatus.ARRIVING: "车快到了",
    RideStatus.PICKED_UP: "已上车",
    RideStatus.COMPLETED: "已完成",
    RideStatus.CANCELLED: "已取消",
}


def _state(ride: Ride | None) -> str:
    return STATE_LABELS.get(ride.status, str(ride.status)) if ride else "待生成"


def rule_list(
    session: Session, *, now: datetime, days_shown: int = 14, person_id: int | None = None
) -> list[RuleEntry]:
    """Every rule not ended (newest first), then the ended ones, with the next days; only
    one person's with `person_id`."""
    statement = (
        select(RegularRide, Person, SavedPlace, TaxiCompany)
        .join(Person, Person.id == RegularRide.person_id)
        .outerjoin(SavedPlace, SavedPlace.id == RegularRide.pickup_place_id)
        .outerjoin(TaxiCompany, TaxiCompany.id == RegularRide.company_id)
        .order_by(RegularRide.status == RegularStatus.ENDED, RegularRide.id.desc())
    )
    if person_id is not None:
        statement = statement.where(RegularRide.person_id == person_id)
    rows = session.execute(statement).all()
    today = local_today(now)
    entries = []
    for rule, person, place, company in rows:
        made = {
            (ride.regular_day, ride.regular_return): ride
            for ride in session.scalars(
                select(Ride).where(Ride.regular_ride_id == rule.id, Ride.regular_day >= today)
            )
        }
        upcoming = []
        if rule.status != RegularStatus.ENDED:
            for day in days(rule, today, today + timedelta(days=days_shown - 1)):
                pickup_at = pickup_of(rule, day)
                if pickup_at <= now:
                    continue
                ride, back = made.get((day, False)), made.get((day, True))
                live = [r for r in (ride, back) if r and r.status != RideStatus.CANCELLED]
                can_skip = all(r.status == RideStatus.SCHEDULED for r in live) and (
                    ride is None or bool(live)
                )
                has_return = rule.return_time is not None or back is not None
                upcoming.append(
                    UpcomingDay(
                        day,
                        # a day made before a change keeps its own time: shown as it is
                        ride.pickup_at if ride and ride.pickup_at else pickup_at,
                        ride.id if ride else None, _state(ride), can_skip,
                        _state(back) if has_return else None,
                        (back.pickup_at if back and back.pickup_at else
                         pickup_of(rule, day, back=True)) if has_return else None,
                    )
                )
        rode = rule.status != RegularStatus.ENDED or session.scalar(
            select(Ride.id).where(
                Ride.regular_ride_id == rule.id, Ride.status != RideStatus.CANCELLED
            ).limit(1)
        ) is not None
        entries.append(
            RuleEntry(
                rule=rule,
                span=span_said(rule, rode=rode, today=today),
                person_name=person.full_name,
                pickup_label=place.label if place is not None else None,
                company=company.name if company is not None else None,
                weekdays_said=weekdays_said(rule),
                upcoming=upcoming,
            )
        )
    return entries
